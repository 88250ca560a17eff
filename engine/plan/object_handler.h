// The object.* handler, shared by object_handler.cc (observe, drift,
// reasons) and object_apply.cc (apply, readiness, delete). Internal to
// engine/plan: the CLI builds it through MakeObjectHandler (handlers.h).
//
// Thread-safety: Observe from the planner's thread; Apply concurrently for
// different actions (no mutable members).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "engine/plan/handlers.h"
#include "engine/plan/object_model.h"

namespace paiplan::plan {

inline constexpr char kSelector[] = "app.kubernetes.io/managed-by=paiplan";

inline std::string Str(const json& o, const char* k) {
  return o.is_object() && o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : "";
}

inline json AttrsOf(const ObserveItem& it) {
  if (it.recorded && it.recorded->contains("attributes") && (*it.recorded)["attributes"].is_object())
    return (*it.recorded)["attributes"];
  return it.desired ? it.desired->attributes : json::object();
}

// A scripted service's object (object_desired.h): observed, never applied.
inline bool Scripted(const json& attrs) { return Str(attrs, "mode") == "scripted"; }

// What an observation compares with: a scripted object's live state is
// compared with what its scripts apply now (the desired manifest).
inline json ObservedAttrs(const ObserveItem& it) {
  if (it.desired && Scripted(it.desired->attributes)) return it.desired->attributes;
  return AttrsOf(it);
}

inline bool Managed(const json& live) {
  const json labels = live.value("metadata", json::object()).value("labels", json::object());
  return labels.is_object() && labels.value("app.kubernetes.io/managed-by", "") == "paiplan";
}

inline std::string FieldList(const std::vector<FieldDrift>& d) {
  std::string s;
  for (const auto& f : d) s += (s.empty() ? "" : ", ") + f.path;
  return s;
}

class ObjectHandler : public ResourceHandler {
 public:
  explicit ObjectHandler(const Env& env) : env_(env) {}
  graph::Kind kind() const override { return graph::Kind::kObject; }

  void Observe(const std::vector<ObserveItem>& items, std::map<std::string, Observation>* out) override {
    using Group = std::tuple<std::string, std::string, std::string>;  // apiVersion, kind, namespace
    std::map<Group, std::vector<size_t>> groups;
    for (size_t i = 0; i < items.size(); ++i) {
      json a = ObservedAttrs(items[i]);
      groups[{Str(a, "apiVersion"), Str(a, "kind"), Str(a, "namespace")}].push_back(i);
    }
    std::vector<std::pair<Group, std::vector<size_t>>> work(groups.begin(), groups.end());
    std::mutex mu;
    ParallelFor(work.size(), 8, [&](size_t g) {
      std::map<std::string, Observation> got = ObserveGroup(work[g].first, work[g].second, items);
      std::lock_guard<std::mutex> lock(mu);
      for (auto& [addr, o] : got) (*out)[addr] = std::move(o);
    });
  }

  std::string DescribeDrift(const state::ResourceRecord& recorded, const Observation& obs) const override {
    // A scripted object is repaired by its service's refresh-script
    // (PlanScriptedRefreshes), not by an action of its own.
    if (Scripted(recorded.value("attributes", json::object()))) return "";
    if (!obs.exists) return "object missing: deleted outside paiplan";
    auto d = Drifted(recorded, obs);
    return d.empty() ? "" : "object drifted: " + FieldList(d) + " changed outside paiplan";
  }

  std::vector<Difference> Differences(const state::ResourceRecord& recorded, const Observation& obs) const override {
    if (!obs.exists) return {{"exists", "object missing: deleted outside paiplan"}};
    std::vector<Difference> out;
    for (const auto& f : Drifted(recorded, obs))
      out.push_back({f.path, f.path + ": " + f.wanted + " → " + f.live + " (changed outside paiplan)"});
    // Not ready is reported by drift, but is not a change to plan (DescribeDrift leaves it out).
    if (obs.attributes.contains("readiness") && !obs.attributes["readiness"].value("ready", true))
      out.push_back({"status.ready", obs.attributes["readiness"].value("summary", "not ready")});
    return out;
  }

  void PlanRepair(const Observation& obs, Action* action) const override {
    if (!obs.exists || !action->before.is_object()) return;
    state::ResourceRecord rec = {{"attributes", action->before}};
    for (const auto& f : Drifted(rec, obs)) action->notes.push_back(f.path + ": " + f.live + " → " + f.wanted);
  }

  std::string DescribeChange(const ojson& before, const ojson& after) const override {
    json bm = before.is_object() ? before.value("manifest", json::object()) : json::object();
    json am = after.is_object() ? after.value("manifest", json::object()) : json::object();
    bool secret = Str(after, "kind") == "Secret";
    auto changes = CompareFields(am, bm, secret);
    for (auto& c : CompareFields(bm, am, secret))  // fields the template no longer sets
      if (c.wanted != "(none)" && c.live == "(none)") changes.push_back({c.path, c.wanted, "(none)"});
    std::string out;
    size_t n = 0;
    for (const auto& c : changes) {
      if (n++ == 4) {
        out += "; and " + std::to_string(changes.size() - 4) + " more";
        break;
      }
      out += (out.empty() ? "" : "; ") + c.path + ": " + c.live + " → " + c.wanted;
    }
    std::string file = Str(after, "file");
    return "manifest " + file + " changed" + (out.empty() ? "" : ": " + out);
  }

  ApplyResult Apply(const Action& a, ApplyContext& ctx) override;

 private:
  std::vector<FieldDrift> Drifted(const state::ResourceRecord& recorded, const Observation& obs) const {
    const json attrs = recorded.value("attributes", json::object());
    if (!attrs.is_object() || !obs.attributes.contains("live")) return {};
    if (obs.attributes.contains("dry_run_same")) return {};  // the server's normalisation, not drift
    return CompareFields(attrs.value("manifest", json::object()), obs.attributes["live"], Str(attrs, "kind") == "Secret");
  }

  std::map<std::string, Observation> ObserveGroup(const std::tuple<std::string, std::string, std::string>& g,
                                                  const std::vector<size_t>& idx,
                                                  const std::vector<ObserveItem>& items);
  Observation ObserveLive(const ObserveItem& it, const json& live);
  bool ApplyChangesNothing(const json& manifest, const json& projected_live);
  Status ApplyObject(const Action& a, ApplyContext& ctx, json* applied);
  Status WaitReady(const Action& a, const json& applied, ApplyContext& ctx);
  std::string NotReadyDetails(const json& live);

  const Env& env_;
};

}  // namespace paiplan::plan
