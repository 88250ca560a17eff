// Scheduler: the pure, single-threaded state machine of an apply (after
// ninja's Plan). Each action is waiting, ready, running, done, failed or
// skipped; an action becomes ready when all its dependencies are done; a
// failure skips exactly its descendants. At most one running action per
// machine, and at most `capacity` running actions per pool (concurrency
// classes, as ninja's pools: actions of one service, Kubernetes API writes).
// Ties are broken by action index (address order). Rolling batches
// (engine/plan/rolling.h): an action of batch b > 0 starts only once the
// executor opened batch b, which it does when batch b-1 has settled.
//
// Thread-safety: none; owned by the executor's coordinator thread. Unit tests
// drive it by hand.
#pragma once

#include <array>
#include <set>
#include <string>
#include <vector>

namespace paiplan::apply {

enum class TaskState { kWaiting, kReady, kRunning, kDone, kFailed, kSkipped };

class Scheduler {
 public:
  // deps[i]: indices that must be done before i starts; machine[i]: the
  // machine i occupies ("" for none).
  Scheduler(std::vector<std::vector<int>> deps, std::vector<std::string> machine);

  // Adds a pool: at most `capacity` (>= 1) of `members` run at once.
  // REQUIRES: before the first Next(). Returns the pool's id.
  int AddPool(int capacity, const std::vector<int>& members);

  // batch_of[i]: the rolling batch of i (0, 1, ...; -1 = none). Batch 0 is
  // open. REQUIRES: before the first Next().
  void SetBatches(std::vector<int> batch_of);
  int open_batch() const { return open_batch_; }
  void OpenNextBatch() { ++open_batch_; }
  // Members of batch b that are not yet done, failed or skipped.
  int BatchUnsettled(int b) const;
  // Members of batch b that failed or were skipped.
  int BatchFailures(int b) const;
  // Members of batch b (in action order); empty for an unknown batch.
  const std::vector<int>& BatchMembers(int b) const;
  int batch_count() const { return int(batch_members_.size()); }

  // Next ready action whose machine, pools and batch are free, marked running; -1 if none.
  int Next();
  // REQUIRES: i is running.
  void Succeeded(int i);
  // REQUIRES: i is running. Marks every descendant skipped; returns them.
  std::vector<int> Failed(int i);
  // Stop starting anything: remaining waiting/ready actions stay not started.
  bool AllSettled() const;  // nothing waiting, ready or running
  int running() const { return running_; }
  TaskState state(int i) const { return state_[i]; }
  size_t size() const { return state_.size(); }
  int Count(TaskState s) const { return counts_[size_t(s)]; }  // O(1)
  // The root cause that skipped i (the failed ancestor), or -1.
  int skipped_by(int i) const { return skipped_by_[i]; }

 private:
  void MaybeReady(int i);
  bool PoolsFree(int i) const;
  void Release(int i);  // machine and pools of a running action
  void SetState(int i, TaskState s);  // keeps counts_ in step
  std::vector<std::vector<int>> deps_;
  std::vector<std::vector<int>> dependents_;
  std::vector<std::string> machine_;
  std::vector<int> missing_;  // unfinished deps per action
  std::vector<TaskState> state_;
  std::vector<int> skipped_by_;
  std::set<int> ready_;
  std::set<std::string> busy_machines_;
  std::vector<std::vector<int>> pools_of_;  // action -> pool ids (empty until AddPool)
  std::vector<int> pool_capacity_, pool_running_;
  std::vector<int> batch_of_;  // empty until SetBatches
  std::vector<std::vector<int>> batch_members_;
  int open_batch_ = 0;
  int running_ = 0;
  std::array<int, 6> counts_{};  // actions per TaskState
};

}  // namespace paiplan::apply
