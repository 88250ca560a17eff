// Draining a Node through the Kubernetes API before its machine is cleaned
// (docs/bootstrap.md, "Removing a machine"), as `kubectl drain
// --ignore-daemonsets --delete-emptydir-data` does it.
//
// DrainNode cordons the node (spec.unschedulable), lists its pods (one LIST,
// fieldSelector spec.nodeName), leaves out DaemonSet-owned and mirror pods,
// and evicts the others with policy/v1 Evictions. An eviction a
// PodDisruptionBudget refuses (429) is retried every `poll_seconds` until
// `timeout_seconds`; then evicted pods are awaited until they are gone.
//
// Fails:
//   DeadlineExceeded  the timeout passed: names every pod still there and the
//                     API's words (the budget, its needs), and what to do
//   Cancelled         `cancelled` was set (SIGINT/SIGTERM)
//   other             the API's error, from KubeApi
// A node that does not exist is drained (nothing to do): OK.
//
// Thread-safety: one call per node; `kube` must be thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "engine/base/status.h"
#include "engine/plan/env.h"

namespace paiplan::plan {

struct DrainOptions {
  double timeout_seconds = 300;
  double poll_seconds = 1;
  const std::atomic<bool>* cancelled = nullptr;
};

Status DrainNode(KubeApi& kube, const std::string& node, const DrainOptions& options,
                 const std::function<void(std::string_view)>& log);

// Whether `pod` is left on the node by a drain: owned by a DaemonSet, or a
// mirror pod (annotation kubernetes.io/config.mirror).
bool DrainSkips(const nlohmann::json& pod);

}  // namespace paiplan::plan
