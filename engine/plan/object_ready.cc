// Readiness of workloads and the diagnostics shown when they are not ready
// (declared in object_model.h).
#include <algorithm>

#include "engine/plan/object_model.h"

namespace paiplan::plan {
namespace {

long Int(const json& o, const char* key, long def = 0) {
  auto it = o.find(key);
  return it != o.end() && it->is_number_integer() ? it->get<long>() : def;
}

std::string Counts(const std::string& kind, const std::string& name, long ready, long want) {
  return kind + " " + name + ": " + std::to_string(ready) + "/" + std::to_string(want) + " ready";
}

}  // namespace

std::optional<Readiness> ReadinessOf(const json& live) {
  const std::string kind = live.value("kind", "");
  const json meta = live.value("metadata", json::object());
  const std::string name = meta.value("name", "");
  const json spec = live.value("spec", json::object());
  const json st = live.value("status", json::object());
  long gen = Int(meta, "generation", 1), observed = Int(st, "observedGeneration", 0);
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet") {
    long want = Int(spec, "replicas", 1);
    long ready = Int(st, kind == "Deployment" ? "availableReplicas" : "readyReplicas");
    bool ok = observed >= gen && Int(st, "updatedReplicas") >= want && ready >= want;
    std::string s = Counts(kind, name, ready, want);
    if (observed < gen) s += " (rollout of generation " + std::to_string(gen) + " not yet observed)";
    return Readiness{ok, s};
  }
  if (kind == "DaemonSet") {
    long want = Int(st, "desiredNumberScheduled");
    long ready = Int(st, "numberAvailable");
    bool ok = observed >= gen && Int(st, "updatedNumberScheduled") >= want && ready >= want;
    return Readiness{ok, Counts(kind, name, ready, want)};
  }
  if (kind == "Job") {
    long want = Int(spec, "completions", 1), done = Int(st, "succeeded");
    std::string s = "Job " + name + ": " + std::to_string(done) + "/" + std::to_string(want) + " completed";
    if (long failed = Int(st, "failed"); failed > 0) s += ", " + std::to_string(failed) + " failed";
    return Readiness{done >= want, s};
  }
  if (kind == "PersistentVolumeClaim") {
    std::string phase = st.value("phase", "Pending");
    return Readiness{phase == "Bound", "PersistentVolumeClaim " + name + ": " + phase};
  }
  return std::nullopt;
}

std::string PodDiagnostics(const std::vector<json>& pods) {
  std::string out;
  for (const json& p : pods) {
    const json st = p.value("status", json::object());
    std::string line = "pod " + p.value("metadata", json::object()).value("name", "?") + ": " +
                       st.value("phase", "Unknown");
    for (const json& cs : st.value("containerStatuses", json::array())) {
      const json state = cs.value("state", json::object());
      std::string what;
      if (state.contains("waiting")) what = state["waiting"].value("reason", "Waiting");
      else if (state.contains("terminated")) what = state["terminated"].value("reason", "Terminated");
      else if (!cs.value("ready", false)) what = "running, not ready";
      const json last = cs.value("lastState", json::object());
      if (last.contains("terminated")) what += (what.empty() ? "" : ", ") + std::string("last terminated: ") +
                                               last["terminated"].value("reason", "?");
      if (what.empty()) continue;
      line += ", container " + cs.value("name", "?") + ": " + what + " (restarts " +
              std::to_string(Int(cs, "restartCount")) + ")";
    }
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

std::string EventDiagnostics(std::vector<json> events, const std::vector<std::string>& names, size_t max_events) {
  std::vector<json> mine;
  for (auto& e : events) {
    std::string n = e.value("involvedObject", json::object()).value("name", "");
    if (std::find(names.begin(), names.end(), n) != names.end()) mine.push_back(std::move(e));
  }
  std::stable_sort(mine.begin(), mine.end(), [](const json& a, const json& b) {
    return a.value("lastTimestamp", "") < b.value("lastTimestamp", "");
  });
  if (mine.size() > max_events) mine.erase(mine.begin(), mine.end() - long(max_events));
  std::string out;
  for (const json& e : mine) {
    const json io = e.value("involvedObject", json::object());
    std::string kind = io.value("kind", "");
    for (auto& c : kind) c = char(std::tolower(static_cast<unsigned char>(c)));
    out += (out.empty() ? "" : "; ") + e.value("type", "Normal") + " " + e.value("reason", "") + " " + kind + "/" +
           io.value("name", "") + ": " + e.value("message", "");
  }
  return out;
}

}  // namespace paiplan::plan
