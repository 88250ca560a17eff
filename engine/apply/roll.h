// Roll: the executor's side of a rolling replacement (engine/plan/rolling.h).
// Watches the scheduler's open batch; when every member settled, the batch
// passed (all done: the node handler's health gate is part of each action)
// or failed (a member failed or was skipped). It then opens the next batch,
// unless `max_failed_batches` batches failed: the roll halts and the later
// batches are never started (the executor reports them as not started, so a
// resumed plan or the next apply continues with them).
//
// Thread-safety: none; used by the executor's coordinator thread only. Pure
// over the Scheduler, so unit tests drive it by hand.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/apply/scheduler.h"

namespace paiplan::apply {

class Roll {
 public:
  explicit Roll(int max_failed_batches) : max_failed_(max_failed_batches < 1 ? 1 : max_failed_batches) {}

  // Settles what can be settled now, opening batches; returns a line per
  // batch that settled (and the halt) for the operator. `address_of` names a
  // scheduler index. Call after every batch of completions (and once first:
  // batches already done by an earlier run of a saved plan are empty).
  std::vector<std::string> Advance(Scheduler& s, const std::function<std::string(int)>& address_of);

  bool halted() const { return halted_; }
  int failed_batches() const { return failed_; }
  // Scheduler indices of the members of batches never started (after a halt).
  const std::vector<int>& not_started() const { return not_started_; }
  // "halted after 1 failed batch (batch 2 of 4)"; "" when not halted.
  const std::string& halt_reason() const { return halt_reason_; }

 private:
  int max_failed_;
  int failed_ = 0;
  bool halted_ = false;
  std::vector<int> not_started_;
  std::string halt_reason_;
};

}  // namespace paiplan::apply
