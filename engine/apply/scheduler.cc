#include "engine/apply/scheduler.h"

#include <algorithm>

#include "engine/base/check.h"

namespace paiplan::apply {

Scheduler::Scheduler(std::vector<std::vector<int>> deps, std::vector<std::string> machine)
    : deps_(std::move(deps)), machine_(std::move(machine)) {
  size_t n = deps_.size();
  PP_CHECK(machine_.size() == n);
  dependents_.resize(n);
  missing_.resize(n);
  state_.assign(n, TaskState::kWaiting);
  counts_[size_t(TaskState::kWaiting)] = int(n);
  skipped_by_.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    missing_[i] = int(deps_[i].size());
    for (int d : deps_[i]) dependents_[size_t(d)].push_back(int(i));
  }
  for (size_t i = 0; i < n; ++i) MaybeReady(int(i));
}

void Scheduler::SetState(int i, TaskState s) {
  --counts_[size_t(state_[i])];
  ++counts_[size_t(s)];
  state_[i] = s;
}

void Scheduler::MaybeReady(int i) {
  if (state_[i] == TaskState::kWaiting && missing_[i] == 0) {
    SetState(i, TaskState::kReady);
    ready_.insert(i);
  }
}

int Scheduler::AddPool(int capacity, const std::vector<int>& members) {
  PP_CHECK(capacity >= 1);
  int id = int(pool_capacity_.size());
  pool_capacity_.push_back(capacity);
  pool_running_.push_back(0);
  if (pools_of_.empty()) pools_of_.resize(state_.size());
  for (int m : members) pools_of_[size_t(m)].push_back(id);
  return id;
}

bool Scheduler::PoolsFree(int i) const {
  if (pools_of_.empty()) return true;
  for (int p : pools_of_[size_t(i)])
    if (pool_running_[size_t(p)] >= pool_capacity_[size_t(p)]) return false;
  return true;
}

void Scheduler::Release(int i) {
  busy_machines_.erase(machine_[i]);
  if (pools_of_.empty()) return;
  for (int p : pools_of_[size_t(i)]) --pool_running_[size_t(p)];
}

void Scheduler::SetBatches(std::vector<int> batch_of) {
  PP_CHECK(batch_of.size() == state_.size());
  batch_of_ = std::move(batch_of);
  for (size_t i = 0; i < batch_of_.size(); ++i) {
    int b = batch_of_[i];
    if (b < 0) continue;
    if (size_t(b) >= batch_members_.size()) batch_members_.resize(size_t(b) + 1);
    batch_members_[size_t(b)].push_back(int(i));
  }
}

int Scheduler::BatchUnsettled(int b) const {
  int n = 0;
  for (int i : BatchMembers(b)) {
    TaskState s = state_[size_t(i)];
    n += s == TaskState::kWaiting || s == TaskState::kReady || s == TaskState::kRunning;
  }
  return n;
}

int Scheduler::BatchFailures(int b) const {
  int n = 0;
  for (int i : BatchMembers(b)) n += state_[size_t(i)] == TaskState::kFailed || state_[size_t(i)] == TaskState::kSkipped;
  return n;
}

const std::vector<int>& Scheduler::BatchMembers(int b) const {
  static const std::vector<int> kNone;
  return b >= 0 && size_t(b) < batch_members_.size() ? batch_members_[size_t(b)] : kNone;
}

int Scheduler::Next() {
  for (int i : ready_) {
    if (!batch_of_.empty() && batch_of_[size_t(i)] > open_batch_) continue;
    const std::string& m = machine_[i];
    if (!m.empty() && busy_machines_.count(m)) continue;
    if (!PoolsFree(i)) continue;
    ready_.erase(i);
    SetState(i, TaskState::kRunning);
    if (!m.empty()) busy_machines_.insert(m);
    if (!pools_of_.empty())
      for (int p : pools_of_[size_t(i)]) ++pool_running_[size_t(p)];
    ++running_;
    return i;
  }
  return -1;
}

void Scheduler::Succeeded(int i) {
  PP_CHECK(state_[i] == TaskState::kRunning);
  SetState(i, TaskState::kDone);
  --running_;
  Release(i);
  for (int d : dependents_[i]) {
    --missing_[d];
    MaybeReady(d);
  }
}

std::vector<int> Scheduler::Failed(int i) {
  PP_CHECK(state_[i] == TaskState::kRunning);
  SetState(i, TaskState::kFailed);
  --running_;
  Release(i);
  std::vector<int> skipped, stack = dependents_[i];
  while (!stack.empty()) {
    int d = stack.back();
    stack.pop_back();
    if (state_[d] != TaskState::kWaiting && state_[d] != TaskState::kReady) continue;
    ready_.erase(d);
    SetState(d, TaskState::kSkipped);
    skipped_by_[d] = i;
    skipped.push_back(d);
    stack.insert(stack.end(), dependents_[d].begin(), dependents_[d].end());
  }
  std::sort(skipped.begin(), skipped.end());
  return skipped;
}

bool Scheduler::AllSettled() const {
  return running_ == 0 && std::none_of(state_.begin(), state_.end(), [](TaskState s) {
           return s == TaskState::kWaiting || s == TaskState::kReady;
         });
}

}  // namespace paiplan::apply
