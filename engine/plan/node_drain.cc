#include "engine/plan/node_drain.h"

#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "engine/base/duration.h"
#include "engine/base/json_read.h"

namespace paiplan::plan {
namespace {

using Clock = std::chrono::steady_clock;

struct PodRef {
  std::string ns, name, uid;
  std::string Id() const { return ns + "/" + name; }
};

using json_read::Object;
using json_read::String;

PodRef RefOf(const nlohmann::json& pod) {
  const nlohmann::json& meta = Object(pod, "metadata");
  return {String(meta, "namespace"), String(meta, "name"), String(meta, "uid")};
}

// Sleeps `seconds` in short slices; false when cancelled meanwhile.
bool Pause(double seconds, const std::atomic<bool>* cancelled) {
  auto until = Clock::now() + std::chrono::milliseconds(int64_t(seconds * 1000));
  while (Clock::now() < until) {
    if (cancelled && cancelled->load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !(cancelled && cancelled->load());
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Evicts `pending` until none is refused or the deadline passes. Evicted
// pods go to `evicted`; the refused ones stay in `pending` with their reason.
Status EvictAll(KubeApi& kube, const std::string& node, const DrainOptions& opt, Clock::time_point deadline,
                std::vector<PodRef>* pending, std::vector<PodRef>* evicted,
                const std::function<void(std::string_view)>& log) {
  for (;;) {
    std::vector<PodRef> refused_pods;
    std::vector<std::string> refused;
    for (const auto& p : *pending) {
      PP_ASSIGN_OR_RETURN(auto answer, kube.EvictPod(p.ns, p.name));
      if (!answer) {
        log("evicted pod " + p.Id() + "\n");
        evicted->push_back(p);
        continue;
      }
      log("eviction of pod " + p.Id() + " refused, will retry: " + *answer + "\n");
      refused_pods.push_back(p);
      refused.push_back(p.Id() + ": " + *answer);
    }
    *pending = refused_pods;
    if (pending->empty()) return Status::Ok();
    if (Clock::now() >= deadline) {
      return Status::DeadlineExceeded(
          "draining Node " + node + ": after " + FormatDuration(opt.timeout_seconds) + ", " +
          std::to_string(refused.size()) + " pod(s) could not be evicted: " + Joined(refused) +
          ". The node stays cordoned and was not cleaned. Relax the PodDisruptionBudget, move or scale the "
          "pods, or raise nodes.drain-timeout in paiplan.yaml, then apply again");
    }
    if (!Pause(opt.poll_seconds, opt.cancelled)) return Status::Cancelled("draining Node " + node + ": interrupted");
  }
}

// Waits until every evicted pod is gone (404, or a new pod of that name).
Status AwaitGone(KubeApi& kube, const std::string& node, const DrainOptions& opt, Clock::time_point deadline,
                 std::vector<PodRef> evicted) {
  for (;;) {
    std::vector<PodRef> left;
    for (const auto& p : evicted) {
      PP_ASSIGN_OR_RETURN(auto live, kube.GetObject("v1", "Pod", p.ns, p.name));
      if (live && RefOf(*live).uid == p.uid) left.push_back(p);
    }
    if (left.empty()) return Status::Ok();
    if (Clock::now() >= deadline) {
      std::vector<std::string> names;
      for (const auto& p : left) names.push_back(p.Id());
      return Status::DeadlineExceeded("draining Node " + node + ": after " + FormatDuration(opt.timeout_seconds) +
                                      ", evicted pod(s) still terminating: " + Joined(names) +
                                      ". Raise nodes.drain-timeout in paiplan.yaml, then apply again");
    }
    if (!Pause(opt.poll_seconds, opt.cancelled)) return Status::Cancelled("draining Node " + node + ": interrupted");
    evicted = left;
  }
}

}  // namespace

bool DrainSkips(const nlohmann::json& pod) {
  const nlohmann::json& meta = Object(pod, "metadata");
  if (Object(meta, "annotations").contains("kubernetes.io/config.mirror")) return true;
  for (const auto& o : json_read::Array(meta, "ownerReferences")) {
    if (json_read::Bool(o, "controller") && String(o, "kind") == "DaemonSet") return true;
  }
  return false;
}

Status DrainNode(KubeApi& kube, const std::string& node, const DrainOptions& opt,
                 const std::function<void(std::string_view)>& log) {
  auto deadline = Clock::now() + std::chrono::milliseconds(int64_t(opt.timeout_seconds * 1000));
  Status cordon = kube.CordonNode(node);
  if (cordon.code() == Code::kNotFound) {
    log("Node " + node + " is not registered in Kubernetes: nothing to drain\n");
    return Status::Ok();
  }
  PP_RETURN_IF_ERROR(cordon);
  log("cordoned Node " + node + " (spec.unschedulable: true)\n");
  PP_ASSIGN_OR_RETURN(auto pods, kube.ListPodsOnNode(node));
  std::vector<PodRef> pending, evicted;
  std::vector<std::string> kept;
  for (const auto& pod : pods) {
    if (DrainSkips(pod)) kept.push_back(RefOf(pod).Id());
    else pending.push_back(RefOf(pod));
  }
  if (!kept.empty()) log("left on the node (DaemonSet-owned or mirror pods): " + Joined(kept) + "\n");
  PP_RETURN_IF_ERROR(EvictAll(kube, node, opt, deadline, &pending, &evicted, log));
  PP_RETURN_IF_ERROR(AwaitGone(kube, node, opt, deadline, evicted));
  log("drained Node " + node + ": " + std::to_string(evicted.size()) + " pod(s) evicted\n");
  return Status::Ok();
}

}  // namespace paiplan::plan
