// MemoryStore: a StateStore held in memory, for unit tests of the engine.
//
// Same semantics as the LMDB backend (serials, lineage, lock records and
// their Conflict messages, the lock requirement of Commit/ReplaceAll,
// ReplaceAll's lineage rule), nothing is persisted. Snapshots are copies, so
// a snapshot never changes after it is taken. Fault injection
// (FailNextCommits) lets engine tests exercise a failing state store.
//
// Thread-safety: every call may be made from any thread (one mutex).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "state/state_store.h"

namespace paiplan::state {

class MemoryStore : public StateStore {
 public:
  // A fresh, empty store with a random lineage (or `lineage` if non-empty).
  explicit MemoryStore(std::string lineage = "");

  Result<Snapshot> ReadSnapshot() override;
  Result<std::pair<std::string, uint64_t>> ReadHead() override;
  Result<LockInfo> Lock(const std::string& operation) override;
  Status Unlock(const std::string& id) override;
  Status ForceUnlock(const std::string& id) override;
  Result<std::optional<LockInfo>> CurrentLock() override;
  Result<uint64_t> Commit(const Batch& batch) override;
  Result<uint64_t> ReplaceAll(const Snapshot& snapshot) override;
  Status AppendHistory(const nlohmann::json& entry) override;
  Result<std::vector<nlohmann::json>> ReadHistory() override;

  // Test hooks. The next `n` Commit/ReplaceAll calls fail with `error` and
  // change nothing.
  void FailNextCommits(int n, Status error);
  // Installs a lock record as if another process held it (e.g. a dead pid to
  // test stale-lock reporting).
  void SetLockRecordForTest(const LockInfo& lock);
  // Number of successful non-empty Commit/ReplaceAll calls.
  uint64_t commit_count() const;

 private:
  // REQUIRES: mu_ held.
  Status CheckWriter() const;

  mutable std::mutex mu_;
  Snapshot data_;
  std::vector<nlohmann::json> history_;
  std::optional<LockInfo> lock_;
  std::string held_lock_id_;  // the lock this object took, if any
  int fail_commits_ = 0;
  Status fail_status_;
  uint64_t commit_count_ = 0;
};

}  // namespace paiplan::state
