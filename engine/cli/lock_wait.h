// Taking the state lock, optionally waiting for it (`--lock-timeout`,
// paiplan.yaml `lock-timeout`), as Terraform's -lock-timeout does: two CI jobs
// that touch the same cluster queue instead of failing.
//
// Thread-safety: call from the main thread only (it prints and sleeps).
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "engine/base/status.h"
#include "state/state_store.h"

namespace paiplan::cli {

struct LockWaitOptions {
  double timeout_s = 0;     // 0: do not wait
  double poll_s = 0.25;     // how often the lock is tried again
  double report_every_s = 10;
  const std::atomic<bool>* interrupted = nullptr;  // stop waiting when it becomes true
  // Seconds since an arbitrary start; steady. Tests may replace it.
  std::function<double()> now;
  std::function<void(double)> sleep;  // seconds
};

// Lock(operation) on `store`. On a Conflict, waits up to `timeout_s`: prints
// the holder once ("Waiting up to 5m for the state lock: state locked by ..."),
// then "Still waiting for the state lock (10s of 5m): ..." every
// report_every_s, and tries again every poll_s.
// Fails: Conflict at once without a timeout, or after it with
// "timed out after 5m waiting for the state lock: state locked by ..."
// naming the holder; Cancelled when `interrupted`; the store's other errors
// (IOError, Corruption, ...) at once.
Result<state::LockInfo> AcquireStateLock(state::StateStore& store, const std::string& operation,
                                         const LockWaitOptions& options, std::ostream& out);

struct GlobalOptions;

// The command's state lock: --lock-timeout if given, else `setting_s`
// (paiplan.yaml lock-timeout); waiting messages go to stderr. Same failures
// as AcquireStateLock.
Result<state::LockInfo> LockState(const GlobalOptions& g, state::StateStore& store, const std::string& operation,
                                  double setting_s, const std::atomic<bool>* interrupted = nullptr);

}  // namespace paiplan::cli
