#include "state/memory_store.h"

#include <algorithm>

#include "state/store_util.h"

namespace paiplan::state {

MemoryStore::MemoryStore(std::string lineage) {
  data_.lineage = lineage.empty() ? NewUuid() : std::move(lineage);
}

Result<Snapshot> MemoryStore::ReadSnapshot() {
  std::lock_guard l(mu_);
  return data_;
}

Result<std::pair<std::string, uint64_t>> MemoryStore::ReadHead() {
  std::lock_guard l(mu_);
  return std::make_pair(data_.lineage, data_.serial);
}

Result<LockInfo> MemoryStore::Lock(const std::string& operation) {
  std::lock_guard l(mu_);
  if (lock_) return Err(Status::Conflict(LockConflictMessage(*lock_)));
  lock_ = NewLockInfo(operation);
  held_lock_id_ = lock_->id;
  return *lock_;
}

Status MemoryStore::Unlock(const std::string& id) {
  std::lock_guard l(mu_);
  if (!lock_ || lock_->id != id) {
    return Status::NotFound("state: no lock with id " + id + " is held");
  }
  lock_.reset();
  if (held_lock_id_ == id) held_lock_id_.clear();
  return Status::Ok();
}

Status MemoryStore::ForceUnlock(const std::string& id) { return Unlock(id); }

Result<std::optional<LockInfo>> MemoryStore::CurrentLock() {
  std::lock_guard l(mu_);
  return lock_;
}

Status MemoryStore::CheckWriter() const {
  if (held_lock_id_.empty()) {
    return Status::FailedPrecondition("state: write without holding the state lock (call Lock first)");
  }
  if (!lock_ || lock_->id != held_lock_id_) {
    return Status::Conflict("state: our lock " + held_lock_id_ +
                            " was removed (force-unlock?); refusing to write");
  }
  return Status::Ok();
}

Result<uint64_t> MemoryStore::Commit(const Batch& batch) {
  PP_RETURN_IF_ERROR_R(ValidateBatch(batch));
  std::lock_guard l(mu_);
  PP_RETURN_IF_ERROR_R(CheckWriter());
  if (fail_commits_ > 0) {
    --fail_commits_;
    return Err(fail_status_);
  }
  if (batch.empty()) return data_.serial;
  for (const auto& [address, record] : batch.puts) data_.resources[address] = record;
  for (const auto& address : batch.deletes) data_.resources.erase(address);
  ++commit_count_;
  return ++data_.serial;
}

Result<uint64_t> MemoryStore::ReplaceAll(const Snapshot& snapshot) {
  Batch check;
  for (const auto& [address, record] : snapshot.resources) check.puts.emplace_back(address, record);
  PP_RETURN_IF_ERROR_R(ValidateBatch(check));
  std::lock_guard l(mu_);
  PP_RETURN_IF_ERROR_R(CheckWriter());
  if (fail_commits_ > 0) {
    --fail_commits_;
    return Err(fail_status_);
  }
  bool empty_store = data_.serial == 0 && data_.resources.empty();
  if (snapshot.lineage != data_.lineage && !empty_store) {
    return Err(Status::Conflict("state: lineage mismatch: the store has lineage " + data_.lineage +
                                " but the document has " + snapshot.lineage +
                                "; it belongs to another workspace's state"));
  }
  data_.lineage = snapshot.lineage;
  data_.resources = snapshot.resources;
  data_.serial = std::max(data_.serial, snapshot.serial) + 1;
  ++commit_count_;
  return data_.serial;
}

Status MemoryStore::AppendHistory(const nlohmann::json& entry) {
  std::lock_guard l(mu_);
  history_.push_back(entry);
  return Status::Ok();
}

Result<std::vector<nlohmann::json>> MemoryStore::ReadHistory() {
  std::lock_guard l(mu_);
  return history_;
}

void MemoryStore::FailNextCommits(int n, Status error) {
  std::lock_guard l(mu_);
  fail_commits_ = n;
  fail_status_ = std::move(error);
}

void MemoryStore::SetLockRecordForTest(const LockInfo& lock) {
  std::lock_guard l(mu_);
  lock_ = lock;
}

uint64_t MemoryStore::commit_count() const {
  std::lock_guard l(mu_);
  return commit_count_;
}

}  // namespace paiplan::state
