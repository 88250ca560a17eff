#include "engine/plan/object_model.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/base/base64.h"
#include "engine/base/json_read.h"
#include "engine/base/sha256.h"

namespace paiplan::plan {
namespace {

bool IsSecretData(const std::string& path) {
  return path.starts_with("data.") || path.starts_with("stringData.") || path.starts_with("binaryData.");
}

// The value at dotted `path` split into keys (keys may contain dots: walk by keys).
const json* At(const json& root, const std::vector<std::string>& keys) {
  const json* cur = &root;
  for (const auto& k : keys) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(k);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

void KeyLeaves(const json& v, std::vector<std::string>& keys, std::vector<std::vector<std::string>>* out) {
  if (v.is_object() && !v.empty()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      keys.push_back(it.key());
      KeyLeaves(it.value(), keys, out);
      keys.pop_back();
    }
    return;
  }
  out->push_back(keys);
}

std::vector<std::vector<std::string>> ManagedLeaves(const json& manifest) {
  std::vector<std::vector<std::string>> all, out;
  std::vector<std::string> keys;
  KeyLeaves(manifest, keys, &all);
  for (auto& k : all) {
    if (k.empty() || k[0] == "apiVersion" || k[0] == "kind" || k[0] == "status") continue;
    if (k[0] == "metadata" && k.size() > 1 && (k[1] == "name" || k[1] == "namespace")) continue;
    out.push_back(std::move(k));
  }
  return out;
}

std::string Join(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ".") + k;
  return s;
}

// Whether `live` holds everything `want` says: maps by key (the server adds
// defaults such as a container's imagePullPolicy: not a difference), lists
// element by element with the same length, scalars equal.
bool Covers(const json& want, const json& live) {
  if (want.is_object()) {
    if (!live.is_object()) return false;
    for (auto it = want.begin(); it != want.end(); ++it) {
      auto l = live.find(it.key());
      if (l == live.end() ? !it.value().is_null() : !Covers(it.value(), *l)) return false;
    }
    return true;
  }
  if (want.is_array()) {
    if (!live.is_array() || live.size() != want.size()) return false;
    for (size_t i = 0; i < want.size(); ++i)
      if (!Covers(want[i], live[i])) return false;
    return true;
  }
  return want == live;
}

std::string Render(const json* v) {
  if (!v || v->is_null()) return "(none)";
  return v->is_string() ? v->get<std::string>() : v->dump();
}

json HashValues(const json& m) {
  json out = json::object();
  for (auto it = m.begin(); it != m.end(); ++it)
    out[it.key()] = "sha256:" + Sha256Hex(it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  return out;
}

}  // namespace

std::string ObjectAddress(const std::string& service, const std::string& kind, const std::string& ns,
                          const std::string& name) {
  return "object." + service + "/" + kind + "/" + (ns.empty() ? "" : ns + "/") + name;
}

int KindOrder(const std::string& kind) {
  static const std::map<std::string, int> kOrder = {
      {"Namespace", 0}, {"CustomResourceDefinition", 1}, {"ServiceAccount", 2}, {"ClusterRole", 3},
      {"ClusterRoleBinding", 3}, {"Role", 3}, {"RoleBinding", 3}, {"ConfigMap", 4}, {"Secret", 4},
      {"PersistentVolume", 5}, {"PersistentVolumeClaim", 6}, {"Service", 7}, {"Job", 9}, {"CronJob", 9}};
  auto it = kOrder.find(kind);
  return it == kOrder.end() ? 8 : it->second;
}

bool KeptWithoutPurge(const std::string& kind) {
  return kind == "PersistentVolumeClaim" || kind == "Namespace" || kind == "PersistentVolume";
}

json LabelledObject(json object, const std::string& service, bool namespaced) {
  json& meta = object["metadata"];
  if (!meta.contains("labels") || !meta["labels"].is_object()) meta["labels"] = json::object();
  meta["labels"]["app.kubernetes.io/managed-by"] = "paiplan";
  meta["labels"][kServiceLabel] = service;
  if (namespaced && (!meta.contains("namespace") || !meta["namespace"].is_string())) meta["namespace"] = "default";
  if (!namespaced) meta.erase("namespace");
  return object;
}

json MaskedManifest(const json& object) {
  json m = object;
  if (json_read::String(m, "kind") != "Secret") return m;
  for (const char* f : {"data", "stringData"})
    if (m.contains(f) && m[f].is_object()) m[f] = HashValues(m[f]);
  return m;
}

std::vector<FieldDrift> CompareFields(const json& manifest, const json& live, bool secret) {
  std::vector<FieldDrift> out;
  for (const auto& keys : ManagedLeaves(manifest)) {
    const json* want = At(manifest, keys);
    const json* have = At(live, keys);
    if (have && want && Covers(*want, *have)) continue;
    std::string path = Join(keys);
    bool masked = secret && IsSecretData(path);
    out.push_back({path, masked ? "(sensitive)" : Render(have), masked ? "(sensitive)" : Render(want)});
  }
  return out;
}

std::vector<std::string> FieldPaths(const json& manifest) {
  std::vector<std::string> out;
  for (const auto& keys : ManagedLeaves(manifest)) out.push_back("." + Join(keys));
  return out;
}

json ProjectLive(const json& manifest, const json& live) {
  json out = json::object();
  // `live` is what the API server answered: any member may be of any type.
  const json& live_kind = json_read::Field(live, "kind");
  bool secret = (live_kind.is_string() ? live_kind.get<std::string>() : json_read::String(manifest, "kind")) == "Secret";
  json source = live;
  if (secret && source.is_object() && source.contains("data") && source["data"].is_object() &&
      json_read::Field(manifest, "stringData").is_object()) {
    // The server keeps stringData as base64 data: compare through the recorded hash of the plain value.
    json sd = json::object();
    for (auto it = manifest["stringData"].begin(); it != manifest["stringData"].end(); ++it)
      if (source["data"].contains(it.key()) && source["data"][it.key()].is_string())
        sd[it.key()] = Base64Decode(source["data"][it.key()].get<std::string>()).value_or(std::string());
    source["stringData"] = sd;
  }
  for (const auto& keys : ManagedLeaves(manifest)) {
    const json* v = At(source, keys);
    if (!v) continue;
    json* cur = &out;
    for (size_t i = 0; i + 1 < keys.size(); ++i) cur = &(*cur)[keys[i]];
    (*cur)[keys.back()] = *v;
  }
  if (secret) {
    for (const char* f : {"data", "stringData"})
      if (out.contains(f) && out[f].is_object()) out[f] = HashValues(out[f]);
  }
  return out;
}

}  // namespace paiplan::plan
