#include "engine/plan/object_desired.h"

#include <fnmatch.h>

#include <set>

#include "engine/base/json_read.h"
#include "engine/base/sha256.h"
#include "engine/plan/object_model.h"
#include "providers/kubernetes/manifest.h"

namespace paiplan::plan {
namespace {

bool IsManifest(const std::string& f) {
  bool yaml = f.ends_with(".yaml") || f.ends_with(".yml");
  return yaml && !f.ends_with("-values.yaml") && !f.ends_with("-values.yml");
}

// `service_deps`: the service's own prerequisites (labels of its hosts,
// config.cluster, prerequisite services), which its objects need too.
Desired MakeObject(const config::ServiceDef& svc, const std::string& file, const json& raw,
                   const std::vector<std::string>& service_deps, int ready_timeout) {
  const std::string api = raw["apiVersion"].get<std::string>(), kind = raw["kind"].get<std::string>();
  kube::KindInfo info = kube::LookupKind(api, kind);
  json obj = LabelledObject(raw, svc.name, info.namespaced);
  std::string ns = info.namespaced ? obj["metadata"]["namespace"].get<std::string>() : "";
  std::string name = obj["metadata"]["name"].get<std::string>();
  Desired d;
  d.address = ObjectAddress(svc.name, kind, ns, name);
  d.kind = graph::Kind::kObject;
  d.content = obj.dump();
  d.hash = Sha256Hex(d.content);
  d.attributes = {{"service", svc.name}, {"file", file},         {"apiVersion", api},
                  {"kind", kind},        {"namespace", ns},      {"name", name},
                  {"mode", "native"},    {"ready_timeout", ready_timeout},
                  {"manifest", MaskedManifest(obj)}};
  d.resource_deps.push_back("render." + svc.name + "/" + file);
  for (const auto& p : service_deps)
    if (!p.starts_with("render." + svc.name + "/")) d.resource_deps.push_back(p);
  return d;
}

// Objects of one service: parsed, checked for duplicates, ordered by kind.
void AddServiceObjects(const config::ServiceDef& svc, int ready_timeout, Diagnostics* diags,
                       std::map<std::string, Desired>* out) {
  std::map<int, std::vector<std::string>> by_order;
  auto s = out->find("service." + svc.name);
  const std::vector<std::string> service_deps = s == out->end() ? std::vector<std::string>() : s->second.resource_deps;
  for (const auto& f : svc.templates) {
    if (!IsManifest(f)) continue;
    auto r = out->find("render." + svc.name + "/" + f);
    if (r == out->end()) continue;  // its render failed: reported already
    std::string shown = ".paiplan/rendered/" + svc.name + "/" + f;
    auto objs = kube::ParseManifests(r->second.content, shown);
    if (!objs) {
      diags->Error({}, "object." + svc.name + ": " + objs.error().message(), "fix the template " + f + ".template");
      continue;
    }
    for (const auto& raw : *objs) {
      Desired d = MakeObject(svc, f, raw, service_deps, ready_timeout);
      if (out->count(d.address)) {
        diags->Error({}, d.address + ": defined twice (again in " + shown + ")",
                     "give each object of a service a distinct kind, namespace and name");
        continue;
      }
      by_order[KindOrder(d.attributes["kind"].get<std::string>())].push_back(d.address);
      out->emplace(d.address, std::move(d));
    }
  }
  const std::vector<std::string>* previous = nullptr;
  std::vector<std::string> all;
  for (const auto& [order, addrs] : by_order) {
    for (const auto& a : addrs) {
      if (previous) for (const auto& p : *previous) (*out)[a].resource_deps.push_back(p);
      all.push_back(a);
    }
    previous = &addrs;
  }
  s = out->find("service." + svc.name);
  if (s != out->end()) s->second.resource_deps.insert(s->second.resource_deps.end(), all.begin(), all.end());
}

// Whether a scripted service's object is observed: a Job is one-shot (the
// scripts create and remove it: cleaners, data wipes), and an object
// annotated paiplan.io/observe: "false" is left out on purpose.
bool ObservedWhenScripted(const json& raw) {
  if (json_read::String(raw, "kind") == "Job") return false;
  const json& ann = json_read::Object(json_read::Object(raw, "metadata"), "annotations");
  return json_read::String(ann, "paiplan.io/observe") != "false";
}

// A scripted service's objects: observed only (its scripts apply them), so
// recorded after service.S (they depend on it) and with the manifest as
// rendered, no labels added. An object without metadata.namespace is where
// `kubectl -n $NAMESPACE apply` puts it: the service config's `namespace`.
// A file that is not a manifest (a config file the scripts read) is skipped.
void AddScriptedObjects(const config::ServiceDef& svc, const std::string& default_ns,
                        std::map<std::string, Desired>* out) {
  if (!out->count("service." + svc.name)) return;
  for (const auto& f : svc.templates) {
    auto r = out->find("render." + svc.name + "/" + f);
    if (!IsManifest(f) || r == out->end()) continue;
    // As kubectl reads the file: a rendered file lacks its last line break
    // (Jinja drops it), which kubectl's reader puts back, so a block scalar
    // at the end keeps its final newline.
    const std::string& text = r->second.content;
    auto objs = kube::ParseManifests(text.ends_with('\n') ? text : text + "\n", f);
    if (!objs) continue;
    for (json obj : *objs) {
      if (!ObservedWhenScripted(obj)) continue;
      const std::string api = obj["apiVersion"].get<std::string>(), kind = obj["kind"].get<std::string>();
      bool namespaced = kube::LookupKind(api, kind).namespaced;
      json& meta = obj["metadata"];
      if (namespaced && !(meta.contains("namespace") && meta["namespace"].is_string())) meta["namespace"] = default_ns;
      std::string ns = namespaced ? meta["namespace"].get<std::string>() : "";
      Desired d;
      d.address = ObjectAddress(svc.name, kind, ns, meta["name"].get<std::string>());
      if (out->count(d.address)) continue;  // the scripts apply it twice: observe it once
      d.kind = graph::Kind::kObject;
      d.content = obj.dump();
      d.hash = Sha256Hex(d.content);
      d.attributes = {{"service", svc.name}, {"file", f},      {"apiVersion", api},       {"kind", kind},
                      {"namespace", ns},     {"name", meta["name"]}, {"mode", "scripted"},
                      {"manifest", MaskedManifest(obj)}};
      d.resource_deps = {"render." + svc.name + "/" + f, "service." + svc.name};
      out->emplace(d.address, std::move(d));
    }
  }
}

}  // namespace

bool IsNativeService(const config::ServiceDef& svc) { return svc.start_script.empty(); }

void AddObjects(const config::Workspace& ws, Diagnostics* diags, std::map<std::string, Desired>* out) {
  for (const auto& [name, svc] : ws.services) {
    if (!IsNativeService(svc)) {
      ojson cfg = ws.ServiceConfig(name);
      std::string ns = cfg.is_object() && cfg.contains("namespace") && cfg["namespace"].is_string()
                           ? cfg["namespace"].get<std::string>() : "default";
      bool ignored = false;
      for (const auto& g : ws.settings.ignore_scripted_objects) ignored = ignored || ::fnmatch(g.c_str(), name.c_str(), 0) == 0;
      if (!ignored) AddScriptedObjects(svc, ns, out);
      continue;
    }
    // The service's config `ready-timeout` (the catalogue's convention, which
    // services-configuration.yaml overrides) wins over service.yaml's.
    ojson cfg = ws.ServiceConfig(name);
    int ready = cfg.is_object() && cfg.contains("ready-timeout") && cfg["ready-timeout"].is_number_integer()
                    ? cfg["ready-timeout"].get<int>()
                    : svc.ready_timeout;
    AddServiceObjects(svc, ready, diags, out);
  }
}

}  // namespace paiplan::plan
