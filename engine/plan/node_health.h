// The health gate of a rolling replacement (engine/plan/rolling.h): after a
// machine of a rolling batch was re-bootstrapped, its action succeeds only
// once the machine is healthy:
//   - Kubernetes managed: its Node (nodename) reports Ready=True;
//   - otherwise: the role package's health.sh exits 0 on the machine (no
//     health.sh: the successful bootstrap is the gate).
// Polled every `interval_s` until `timeout_s` (paiplan.yaml rolling.health-timeout).
//
// Thread-safety: WaitHealthy may run on several worker threads at once (one
// per machine); KubeApi is thread-safe.
#pragma once

#include <functional>
#include <string>

#include "engine/plan/env.h"

namespace paiplan::plan {

struct HealthGate {
  std::string machine;    // hostname, for messages
  KubeApi* kube = nullptr;  // set: the Node's Ready condition decides
  std::string kube_error;   // Kubernetes is managed but its client could not be made
  std::string node_name;    // the Node of the machine
  // Runs health.sh once with at most this many seconds; null when the role
  // package has none (or Kubernetes decides).
  std::function<Status(double timeout_s)> run_script;
  double timeout_s = 300;
  double interval_s = 1;
};

// OK once healthy. Fails FailedPrecondition ("health gate: node X is NotReady
// (since ...) after 300 s", "health gate: health.sh ... exited with status 1"),
// with the last reason seen; Cancelled when `ctx.cancelled` is set while waiting.
Status WaitHealthy(const HealthGate& gate, ApplyContext& ctx);

}  // namespace paiplan::plan
