// EtcdStore: the StateStore of a team, kept in etcd v3 under one key prefix
// and reached through etcd's JSON gateway (POST /v3/kv/range, /v3/kv/txn,
// /v3/lease/*) with libcurl. Key layout in state/FORMAT.md.
//
// Every commit is one etcd transaction guarded by two compares: the lock
// record still holds our value, and the serial is the one we read; so a writer
// whose lock was lost (lease expired, force-unlock) can never write. The lock
// record is attached to a lease kept alive by a background thread every
// ttl/3 seconds: if paiplan dies, etcd drops the lock after the TTL.
//
// Limits (etcd's, not ours): one commit is one txn, so a batch may hold at
// most `--max-txn-ops` (default 128) minus 2 puts+deletes and
// `--max-request-bytes` (default 1.5 MiB); beyond that etcd refuses the txn
// and Commit fails with FailedPrecondition carrying etcd's message (use
// smaller groups, or raise those server flags for large `state push`).
//
// Thread-safety: all calls may be made from any thread.
#pragma once

#include <memory>
#include <string>

#include "state/state_store.h"

namespace paiplan::state {

struct EtcdOptions {
  std::string endpoint = "http://127.0.0.1:2379";
  // Every key lives under this prefix (one workspace per prefix); a missing
  // trailing '/' is added.
  std::string prefix = "/paiplan/default/";
  int lock_ttl_seconds = 30;
  long request_timeout_ms = 10000;
};

class EtcdStore : public StateStore {
 public:
  // Connects and creates the meta keys (lineage, serial 0) if absent.
  // Fails: Unavailable/Timeout if etcd does not answer; Corruption if the meta
  // keys are damaged; FailedPrecondition for a newer format version.
  static Result<std::unique_ptr<StateStore>> Open(const EtcdOptions& options);
  // Stops the keepalive thread; a lock still held then expires with its lease.
  ~EtcdStore() override;

  Result<Snapshot> ReadSnapshot() override;
  Result<std::pair<std::string, uint64_t>> ReadHead() override;
  Result<std::vector<std::string>> ListAddresses() override;
  Result<LockInfo> Lock(const std::string& operation) override;
  Status Unlock(const std::string& id) override;
  Status ForceUnlock(const std::string& id) override;
  Result<std::optional<LockInfo>> CurrentLock() override;
  Result<uint64_t> Commit(const Batch& batch) override;
  Result<uint64_t> ReplaceAll(const Snapshot& snapshot) override;
  Status AppendHistory(const nlohmann::json& entry) override;
  Result<std::vector<nlohmann::json>> ReadHistory() override;

 private:
  struct Impl;
  explicit EtcdStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace paiplan::state
