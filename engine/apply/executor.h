// Executor: walks a plan's actions along their dependencies, in parallel,
// recording as it goes.
//
// One coordinator (the calling thread) owns the Scheduler, the state store
// and the Reporter; a bounded pool of worker threads only runs handler
// Apply calls (with retries and backoff for transient errors). Every
// finished action is committed to the state before any dependent starts;
// actions that finish together are committed in one transaction.
//
// Interrupt (SIGINT/SIGTERM sets `interrupted`): nothing new starts; running
// actions finish (bounded by their timeouts) and are committed; the reporter
// acknowledges it at once (Reporter::Stopping). A second interrupt (sets
// `stop_now`) calls `stop_running` (SIGTERM to running scripts, SIGKILL after
// a grace period); actions that then fail are recorded as interrupted (not
// done: the next plan runs them again).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/apply/reporter.h"
#include "engine/plan/planner.h"
#include "state/state_store.h"

namespace paiplan::apply {

struct ExecOptions {
  int parallelism = 10;
  int retry_attempts = 5;  // total attempts for retryable errors
  double backoff = 2;      // seconds before the 2nd attempt; doubles
  double max_backoff = 30;
  std::string logs_dir;    // per-action logs; created if missing
  std::vector<std::string> secrets;  // masked in recorded errors
  std::function<std::string()> now;
  const std::atomic<bool>* interrupted = nullptr;
  const std::atomic<bool>* stop_now = nullptr;  // a second interrupt
  std::function<void()> stop_running;           // stops running actions (see above)
  // false: once an action failed, start nothing new (running actions finish
  // and are recorded; the rest is "not started").
  bool keep_going = true;
  // Concurrency classes besides `parallelism` (0: no bound): actions of one
  // service (its renders, objects and scripts) and Kubernetes API writes
  // (label.*, config.*, object.*) at once.
  int actions_per_service = 0;
  int kube_writes = 0;
  // Rolling replacement (engine/apply/roll.h): the roll halts after this many failed batches.
  int max_failed_batches = 1;
};

struct ActionOutcome {
  std::string address;
  std::string action;
  std::string outcome;  // done | failed | interrupted | skipped | not started
  std::string error;
  double seconds = 0;
};

struct ExecSummary {
  int done = 0, failed = 0, skipped = 0, not_started = 0;
  int interrupted_actions = 0;  // stopped by a second interrupt (also counted in failed)
  bool interrupted = false;
  Status state_error;  // a commit failed: the apply stopped
  int failed_batches = 0;    // rolling batches that failed
  std::string roll_halted;   // why the roll halted ("" = it did not); its later batches are not started
  std::vector<ActionOutcome> outcomes;  // in plan order
};

// REQUIRES: the caller holds the state lock. `records` is the recorded state
// the plan was made from (used to carry pending refreshes).
ExecSummary Execute(const plan::Plan& plan, plan::Handlers& handlers, state::StateStore& store,
                    std::map<std::string, state::ResourceRecord> records, Reporter& reporter,
                    const ExecOptions& options);

}  // namespace paiplan::apply
