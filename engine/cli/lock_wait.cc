#include "engine/cli/lock_wait.h"

#include "engine/base/duration.h"
#include "engine/cli/common.h"

#include <chrono>
#include <algorithm>
#include <thread>

namespace paiplan::cli {

namespace {

double SteadyNow() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void SleepFor(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

}  // namespace

Result<state::LockInfo> AcquireStateLock(state::StateStore& store, const std::string& operation,
                                         const LockWaitOptions& options, std::ostream& out) {
  auto now = options.now ? options.now : SteadyNow;
  auto sleep = options.sleep ? options.sleep : SleepFor;
  auto lock = store.Lock(operation);
  if (lock || lock.error().code() != Code::kConflict || options.timeout_s <= 0) return lock;
  const std::string limit = FormatDuration(options.timeout_s);
  out << "Waiting up to " << limit << " for the state lock: " << lock.error().message() << "\n" << std::flush;
  const double start = now();
  double next_report = start + options.report_every_s;
  for (;;) {
    if (options.interrupted && options.interrupted->load()) {
      return Err(Status::Cancelled("interrupted while waiting for the state lock: " + lock.error().message()));
    }
    double t = now();
    if (t - start >= options.timeout_s) {
      return Err(Status::Conflict("timed out after " + limit + " waiting for the state lock: " +
                                  lock.error().message()));
    }
    if (t >= next_report) {
      out << "Still waiting for the state lock (" << FormatDuration(t - start) << " of " << limit
          << "): " << lock.error().message() << "\n" << std::flush;
      next_report += options.report_every_s;
    }
    sleep(std::min(options.poll_s, std::max(0.0, start + options.timeout_s - t)));
    auto again = store.Lock(operation);
    if (again || again.error().code() != Code::kConflict) {
      if (again) out << "Acquired the state lock after " << FormatDuration(now() - start) << ".\n" << std::flush;
      return again;
    }
    lock = std::move(again);
  }
}

Result<state::LockInfo> LockState(const GlobalOptions& g, state::StateStore& store, const std::string& operation,
                                  double setting_s, const std::atomic<bool>* interrupted) {
  LockWaitOptions o;
  o.timeout_s = g.lock_timeout.empty() ? setting_s : ParseDuration(g.lock_timeout).value_or(0);
  o.interrupted = interrupted;
  return AcquireStateLock(store, operation, o, std::cerr);
}

}  // namespace paiplan::cli
