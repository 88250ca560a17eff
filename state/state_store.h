// StateStore: paiplan's recorded state, behind one interface so the engine
// never knows whether LMDB (default) or etcd holds it.
//
// Model (see state/FORMAT.md): a lineage (uuid fixed when the store is
// created), a serial incremented by every commit, resource records keyed by
// address (each a JSON object, see ResourceRecord below), an append-only apply
// history, and at most one lock record.
//
// Readers take an MVCC snapshot (ReadSnapshot) and never block writers or
// take the lock. Writers (apply, destroy, state rm/push, import) first Lock(),
// then Commit() batches; each Commit is durable (fsync'd) when it returns.
//
// Thread-safety: one StateStore object may be used from several threads; the
// implementation serialises writers internally. Different processes are
// coordinated through the lock record.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace paiplan::state {

// A resource record is a JSON object. Keys the engine uses (others allowed):
//   "kind":          "node" | "label" | "config" | "render" | "service"
//   "attributes":    object, what was applied (desired attributes at apply time)
//   "hash":          string, content hash of what was applied
//   "owned_labels":  array of label keys paiplan set (label.* only); desired labels that
//                    were already on the node are in attributes.unowned_labels instead
//   "last_action":   "create" | "update" | "replace" | "delete" | "import" | "refresh"
//   "last_outcome":  "success" | "failed"
//   "updated_at":    RFC 3339 UTC time
//   "pending":       array of reasons an update is still owed (e.g. refresh after a render)
using ResourceRecord = nlohmann::json;

struct Snapshot {
  std::string lineage;
  uint64_t serial = 0;
  std::map<std::string, ResourceRecord> resources;  // by address, sorted
};

// One atomic change: puts and deletes applied together, serial + 1. Puts are
// applied first, then deletes (so an address in both ends up deleted).
// Addresses are 1..511 bytes; records must be JSON objects.
struct Batch {
  std::vector<std::pair<std::string, ResourceRecord>> puts;
  std::vector<std::string> deletes;
  bool empty() const { return puts.empty() && deletes.empty(); }
};

struct LockInfo {
  std::string id;         // random, printed for force-unlock
  std::string operation;  // "apply", "destroy", "state rm", ...
  std::string who;        // user name
  std::string host;       // host name
  int64_t pid = 0;
  std::string since;      // RFC 3339 UTC
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // A consistent view at one serial. Never blocks on a writer.
  // Fails: Corruption (data unreadable; message names the file), IOError.
  virtual Result<Snapshot> ReadSnapshot() = 0;

  // Only lineage and serial, cheaply (used by staleness checks).
  virtual Result<std::pair<std::string, uint64_t>> ReadHead() = 0;

  // The addresses of all resources, sorted, without decoding records
  // (`state list`). Default: from ReadSnapshot.
  virtual Result<std::vector<std::string>> ListAddresses() {
    PP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot());
    std::vector<std::string> out;
    out.reserve(snap.resources.size());
    for (auto& [address, record] : snap.resources) out.push_back(address);
    return out;
  }

  // Takes the write lock for `operation`. Fails with Conflict whose message is
  // `state locked by WHO@HOST (pid N, OP) since TIME; lock id ID`, followed when
  // the holder's pid is gone on this host by a second sentence saying the lock
  // is stale and giving `paiplan force-unlock ID`.
  virtual Result<LockInfo> Lock(const std::string& operation) = 0;
  // Releases a lock we hold. NotFound if `id` is not the current lock.
  virtual Status Unlock(const std::string& id) = 0;
  // Removes the lock whatever its holder. NotFound if `id` does not match.
  virtual Status ForceUnlock(const std::string& id) = 0;
  virtual Result<std::optional<LockInfo>> CurrentLock() = 0;

  // REQUIRES: the caller holds the lock. Applies `batch` atomically and
  // durably; returns the new serial. An empty batch writes nothing and returns
  // the current serial.
  // Fails: FailedPrecondition if this object did not take the lock through
  // Lock(); Conflict if the lock was force-unlocked (and maybe re-taken) since;
  // InvalidArgument for a bad address/record; IOError.
  virtual Result<uint64_t> Commit(const Batch& batch) = 0;

  // REQUIRES: the caller holds the lock. Replaces all resources with those of
  // `snapshot` (state push). Lineage must match, except that an empty store
  // (serial 0, no resources) adopts the snapshot's lineage, so a backup can be
  // pushed into a fresh store. The serial becomes max(current, snapshot.serial) + 1.
  // Fails: Conflict on lineage mismatch (nothing changes), plus Commit's errors.
  virtual Result<uint64_t> ReplaceAll(const Snapshot& snapshot) = 0;

  // Apply history: one JSON object per apply (id, who, started, finished,
  // operation, actions [{address, action, outcome}]), oldest first. Appending
  // does not need the lock and does not change the serial.
  virtual Status AppendHistory(const nlohmann::json& entry) = 0;
  virtual Result<std::vector<nlohmann::json>> ReadHistory() = 0;
};

}  // namespace paiplan::state
