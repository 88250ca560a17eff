// LmdbStore: the default StateStore, an LMDB environment in one directory
// (`.paiplan/state/`): data.mdb + lock.mdb, layout in state/FORMAT.md.
//
// Why LMDB: readers get an MVCC snapshot that never waits for a writer, each
// commit is one durable transaction (fsync'd by LMDB before it returns), and
// a process killed at any moment leaves the last committed serial intact.
//
// Thread-safety: one LmdbStore may be shared by threads (MDB_NOTLS; writes are
// serialised inside). Each process opens its own LmdbStore; processes are
// coordinated by LMDB's own write lock plus our lock record. Never share an
// open store across fork(): the child must open its own. A directory can be
// open only once per process at a time (LMDB's locks would break); a second
// Open fails with FailedPrecondition.
//
// The state lock is an flock on `paiplan.lock` in the same directory
// (file_lock.h), held from Lock() until Unlock() or the end of the process:
// the kernel releases it when its holder dies, so a crash never leaves a lock
// behind. The lock record is for display. ForceUnlock refuses a lock held by
// a live process on this host (FailedPrecondition); it is meant for a record
// written from another host, or one whose holder is gone.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "state/state_store.h"

namespace paiplan::state {

// On-disk format version written in the meta database. Opening an older
// version runs the migrations in lmdb_meta.cc (MigrateFormat); a newer one is
// refused with FailedPrecondition. 1: plain JSON values; 2: sealed values
// (CRC-32C per value) and a checked head with the digest of the resources.
inline constexpr int kLmdbFormatVersion = 2;

struct LmdbOptions {
  // Initial memory map size; the map doubles whenever a write hits MDB_MAP_FULL
  // (LMDB's map is address space, not disk: the file grows with the data).
  size_t initial_map_size = size_t(256) << 20;
  // Test hook: called inside Commit's write transaction, just before it
  // commits (used to prove readers are not blocked by a writer).
  std::function<void()> before_commit_for_test;
};

class LmdbStore : public StateStore {
 public:
  // Opens the store in `dir`, creating `dir` (mode 0700) and an empty store
  // (data files 0600, new random lineage, serial 0) if there is none.
  // Fails: Corruption naming the data file, with what to do, if it is
  // truncated or not a valid store (also a damaged meta record or table, or a
  // format-1 store whose records do not decode, so cannot be migrated);
  // FailedPrecondition if written by a newer paiplan; PermissionDenied; IOError.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& dir);
  static Result<std::unique_ptr<StateStore>> Open(const std::string& dir,
                                                  const LmdbOptions& options);
  ~LmdbStore() override;

  // Every record is verified against its checksum and the set of records
  // against the head's digest; Corruption naming data.mdb (and the address,
  // when one record is bad) otherwise.
  Result<Snapshot> ReadSnapshot() override;
  Result<std::pair<std::string, uint64_t>> ReadHead() override;
  // Keys only: values are neither read nor verified. Corruption if a key is
  // not UTF-8 (it could not be printed as JSON).
  Result<std::vector<std::string>> ListAddresses() override;
  Result<LockInfo> Lock(const std::string& operation) override;
  Status Unlock(const std::string& id) override;
  Status ForceUnlock(const std::string& id) override;
  Result<std::optional<LockInfo>> CurrentLock() override;
  Result<uint64_t> Commit(const Batch& batch) override;
  Result<uint64_t> ReplaceAll(const Snapshot& snapshot) override;
  Status AppendHistory(const nlohmann::json& entry) override;
  Result<std::vector<nlohmann::json>> ReadHistory() override;

  // Path of data.mdb (for messages and tests).
  std::string data_file() const;
  // Current map size and how many times this object grew it.
  size_t map_size() const;
  int map_resize_count() const;

 private:
  struct Impl;
  explicit LmdbStore(std::unique_ptr<Impl> impl);
  Status RemoveLock(const std::string& id, bool force);

  std::unique_ptr<Impl> impl_;
};

}  // namespace paiplan::state
