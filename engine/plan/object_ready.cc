// Readiness of workloads and the diagnostics shown when they are not ready
// (declared in object_model.h).
#include <algorithm>

#include "engine/base/json_read.h"
#include "engine/plan/object_model.h"

// Everything here reads what an API server answered: a member of an
// unexpected type reads as absent (json_read), never as an exception.
namespace paiplan::plan {
namespace {

using json_read::Array;
using json_read::Bool;
using json_read::Field;
using json_read::Int;
using json_read::Object;
using json_read::String;

std::string Counts(const std::string& kind, const std::string& name, long ready, long want) {
  return kind + " " + name + ": " + std::to_string(ready) + "/" + std::to_string(want) + " ready";
}

}  // namespace

std::optional<Readiness> ReadinessOf(const json& live) {
  const std::string kind = String(live, "kind");
  const json& meta = Object(live, "metadata");
  const std::string name = String(meta, "name");
  const json& spec = Object(live, "spec");
  const json& st = Object(live, "status");
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
    std::string phase = String(st, "phase", "Pending");
    return Readiness{phase == "Bound", "PersistentVolumeClaim " + name + ": " + phase};
  }
  return std::nullopt;
}

std::string PodDiagnostics(const std::vector<json>& pods) {
  std::string out;
  for (const json& p : pods) {
    const json& st = Object(p, "status");
    std::string line = "pod " + String(Object(p, "metadata"), "name", "?") + ": " + String(st, "phase", "Unknown");
    for (const json& cs : Array(st, "containerStatuses")) {
      const json& state = Object(cs, "state");
      std::string what;
      if (!Field(state, "waiting").is_null()) what = String(Field(state, "waiting"), "reason", "Waiting");
      else if (!Field(state, "terminated").is_null()) what = String(Field(state, "terminated"), "reason", "Terminated");
      else if (!Bool(cs, "ready")) what = "running, not ready";
      const json& last = Object(cs, "lastState");
      if (!Field(last, "terminated").is_null())
        what += (what.empty() ? "" : ", ") + std::string("last terminated: ") +
                String(Field(last, "terminated"), "reason", "?");
      if (what.empty()) continue;
      line += ", container " + String(cs, "name", "?") + ": " + what + " (restarts " +
              std::to_string(Int(cs, "restartCount")) + ")";
    }
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

std::string EventDiagnostics(std::vector<json> events, const std::vector<std::string>& names, size_t max_events) {
  std::vector<json> mine;
  for (auto& e : events) {
    std::string n = String(Object(e, "involvedObject"), "name");
    if (std::find(names.begin(), names.end(), n) != names.end()) mine.push_back(std::move(e));
  }
  std::stable_sort(mine.begin(), mine.end(), [](const json& a, const json& b) {
    return String(a, "lastTimestamp") < String(b, "lastTimestamp");
  });
  if (mine.size() > max_events) mine.erase(mine.begin(), mine.end() - long(max_events));
  std::string out;
  for (const json& e : mine) {
    const json& io = Object(e, "involvedObject");
    std::string kind = String(io, "kind");
    for (auto& c : kind) c = char(std::tolower(static_cast<unsigned char>(c)));
    out += (out.empty() ? "" : "; ") + String(e, "type", "Normal") + " " + String(e, "reason") + " " + kind + "/" +
           String(io, "name") + ": " + String(e, "message");
  }
  return out;
}

}  // namespace paiplan::plan
