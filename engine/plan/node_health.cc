#include "engine/plan/node_health.h"

#include <chrono>
#include <thread>

namespace paiplan::plan {
namespace {

using Clock = std::chrono::steady_clock;

// One look: OK when healthy, else why not.
Status CheckOnce(const HealthGate& g, double left_s) {
  if (g.kube) {
    auto r = g.kube->GetNodeReadiness(g.node_name);
    if (!r) return r.error();
    if (!r->has_value()) return Status::Unavailable("node " + g.node_name + " is not registered in Kubernetes");
    if ((*r)->ready) return Status::Ok();
    return Status::Unavailable("node " + g.node_name + " is NotReady" +
                               ((*r)->since.empty() ? "" : " (since " + (*r)->since + ")"));
  }
  if (!g.kube_error.empty()) return Status::Unavailable("cannot read the Node's Ready condition: " + g.kube_error);
  if (!g.run_script) return Status::Ok();
  return g.run_script(std::max(1.0, left_s));
}

}  // namespace

Status WaitHealthy(const HealthGate& g, ApplyContext& ctx) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(int64_t(g.timeout_s * 1000));
  const char* how = g.kube ? "the Node's Ready condition" : g.kube_error.empty() && g.run_script ? "health.sh" : "";
  if (*how) ctx.log(std::string("# health gate of ") + g.machine + ": waiting up to " +
                    std::to_string(int64_t(g.timeout_s)) + " s for " + how + "\n");
  for (int attempt = 1;; ++attempt) {
    double left = std::chrono::duration<double>(deadline - Clock::now()).count();
    Status s = CheckOnce(g, left);
    if (s.ok()) {
      if (*how) ctx.log("# health gate passed (check " + std::to_string(attempt) + ")\n");
      return s;
    }
    ctx.log("# not healthy yet: " + s.message() + "\n");
    auto next = Clock::now() + std::chrono::milliseconds(int64_t(g.interval_s * 1000));
    if (next >= deadline) {
      return Status::FailedPrecondition("health gate: " + g.machine + " did not become healthy within " +
                                        std::to_string(int64_t(g.timeout_s)) + " s (rolling.health-timeout): " +
                                        s.message());
    }
    while (Clock::now() < next) {
      if (ctx.cancelled && ctx.cancelled->load())
        return Status::Cancelled("health gate of " + g.machine + ": interrupted while waiting (" + s.message() + ")");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace paiplan::plan
