#include "engine/plan/scripted_refresh.h"

#include "engine/plan/object_model.h"

namespace paiplan::plan {
namespace {

std::string StrOf(const ojson& o, const char* k) {
  return o.is_object() && o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : "";
}

bool IsScripted(const ojson& attrs) { return StrOf(attrs, "mode") == "scripted"; }

// Reasons past the first few are counted, not listed: a plan line stays readable.
std::string JoinCapped(const std::vector<std::string>& reasons, size_t cap) {
  std::string s;
  for (size_t i = 0; i < reasons.size() && i < cap; ++i) s += (s.empty() ? "" : "; ") + reasons[i];
  if (reasons.size() > cap) s += "; and " + std::to_string(reasons.size() - cap) + " more objects";
  return s;
}

}  // namespace

std::string ScriptedObjectDrift(const std::string& address, const ojson& desired_attrs, const Observation& obs) {
  if (!obs.observed) return "";
  if (!obs.exists) return address + " missing";
  if (!obs.attributes.contains("live")) return "";
  json manifest = desired_attrs.contains("manifest") ? json(desired_attrs["manifest"]) : json::object();
  auto fields = CompareFields(manifest, json(obs.attributes["live"]), StrOf(desired_attrs, "kind") == "Secret");
  if (fields.empty()) return "";
  std::string s;
  for (size_t i = 0; i < fields.size() && i < 4; ++i)
    s += (s.empty() ? "" : ", ") + fields[i].path + " " + fields[i].wanted + " → " + fields[i].live;
  if (fields.size() > 4) s += " and " + std::to_string(fields.size() - 4) + " more fields";
  return address + " drifted: " + s;
}

void PlanScriptedRefreshes(const std::vector<ObserveItem>& objects, const std::map<std::string, Observation>& observed,
                           std::vector<Action>* actions) {
  std::map<std::string, std::vector<std::string>> by_service;  // service → reasons, by address
  for (const auto& it : objects) {
    if (!it.desired || !IsScripted(it.desired->attributes)) continue;
    auto o = observed.find(it.address);
    if (o == observed.end()) continue;
    std::string why = ScriptedObjectDrift(it.address, it.desired->attributes, o->second);
    if (!why.empty()) by_service[StrOf(it.desired->attributes, "service")].push_back(why);
  }
  for (auto& a : *actions) {
    if (a.kind == graph::Kind::kObject && (IsScripted(a.after) || IsScripted(a.before))) {
      std::string svc = StrOf(IsScripted(a.after) ? a.after : a.before, "service");
      if (a.type == ActionType::kCreate) a.reason = "observed from now on: the scripts of service " + svc + " apply it";
      if (a.type == ActionType::kDelete) a.reason += "; only forgotten: the scripts of service " + svc + " own it";
      continue;
    }
    if (a.kind != graph::Kind::kService || !a.address.starts_with("service.")) continue;
    auto s = by_service.find(a.address.substr(8));
    if (s == by_service.end()) continue;
    // A service already being started or refreshed applies its manifests
    // anyway (and a changed template differs from the live object by design).
    if (a.type != ActionType::kNoOp) continue;
    a.type = ActionType::kUpdate;
    a.reason = "refresh: " + JoinCapped(s->second, 3);
  }
}

}  // namespace paiplan::plan
