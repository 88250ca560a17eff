#include "state/group_committer.h"

#include <map>
#include <optional>

#include "state/store_util.h"

namespace paiplan::state {

Result<uint64_t> GroupCommitter::Submit(Batch batch) {
  PP_RETURN_IF_ERROR_R(ValidateBatch(batch));
  Waiter me;
  me.batch = std::move(batch);
  std::unique_lock lock(mu_);
  queue_.push_back(&me);
  ++submissions_;
  cv_.notify_all();
  for (;;) {
    if (me.done) return me.result;
    if (!committing_ && !paused_ && queue_.front() == &me) break;
    cv_.wait(lock);
  }
  CommitGroup(lock);  // we lead: our own batch is at the front of the group
  return me.result;
}

void GroupCommitter::CommitGroup(std::unique_lock<std::mutex>& lock) {
  committing_ = true;
  std::deque<Waiter*> group;
  size_t records = 0;
  while (!queue_.empty()) {
    Waiter* w = queue_.front();
    size_t n = w->batch.puts.size() + w->batch.deletes.size();
    if (!group.empty() && records + n > options_.max_group_records) break;
    group.push_back(w);
    records += n;
    queue_.pop_front();
  }
  lock.unlock();
  Batch merged = Merge(group);
  Result<uint64_t> result = store_->Commit(merged);
  lock.lock();
  for (Waiter* w : group) {
    w->result = result;
    w->done = true;
  }
  committing_ = false;
  ++commits_;
  cv_.notify_all();
}

// The waiters are blocked until `done`, so their batches can be moved from.
Batch GroupCommitter::Merge(std::deque<Waiter*>& group) {
  if (group.size() == 1) return std::move(group.front()->batch);
  std::map<std::string, ResourceRecord*> final_state;  // nullptr: delete
  for (Waiter* w : group) {
    for (auto& [address, record] : w->batch.puts) final_state[address] = &record;
    for (const auto& address : w->batch.deletes) final_state[address] = nullptr;
  }
  Batch merged;
  for (auto& [address, record] : final_state) {
    if (record != nullptr) {
      merged.puts.emplace_back(address, std::move(*record));
    } else {
      merged.deletes.push_back(address);
    }
  }
  return merged;
}

void GroupCommitter::Pause() {
  std::lock_guard lock(mu_);
  paused_ = true;
}

void GroupCommitter::Resume() {
  std::lock_guard lock(mu_);
  paused_ = false;
  cv_.notify_all();
}

size_t GroupCommitter::waiting() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

uint64_t GroupCommitter::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

uint64_t GroupCommitter::submissions() const {
  std::lock_guard lock(mu_);
  return submissions_;
}

}  // namespace paiplan::state
