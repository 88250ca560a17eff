// object.<service>/<Kind>/[<ns>/]<name>: Kubernetes objects applied with
// server-side apply (fieldManager paiplan), observed in batches (one LIST
// per (kind, namespace) with paiplan's label selector, a GET only for those
// the LIST did not return), waited for, pruned. See object_model.h for the
// attributes and docs/kubernetes-objects.md for the user's view.
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "engine/base/json_read.h"
#include "engine/base/sha256.h"
#include "engine/plan/object_handler.h"

namespace paiplan::plan {

namespace {

const char kNotOurs[] =
    "the object exists without the label app.kubernetes.io/managed-by=paiplan: paiplan did not create it; "
    "let paiplan take it over by labelling it (kubectl label ... app.kubernetes.io/managed-by=paiplan), or delete it";

}  // namespace

std::map<std::string, Observation> ObjectHandler::ObserveGroup(
    const std::tuple<std::string, std::string, std::string>& g, const std::vector<size_t>& idx,
    const std::vector<ObserveItem>& items) {
  std::map<std::string, Observation> out;
  auto fail = [&](const std::string& why) {
    for (size_t i : idx) out[items[i].address] = Observation{false, false, "", json(), why, ""};
    return out;
  };
  if (!env_.kube) return fail(env_.kube_error.empty() ? "no Kubernetes cluster is configured" : env_.kube_error);
  const auto& [api, kind, ns] = g;
  // Scripted services' objects do not carry paiplan's label: where the group
  // has any, the LIST is unselected (still one request), and complete.
  bool all = false;
  for (size_t i : idx) all = all || Scripted(ObservedAttrs(items[i]));
  auto listed = env_.kube->ListObjects(api, kind, ns, all ? "" : kSelector);
  if (!listed) return fail(listed.error().message());
  std::map<std::string, const json*> by_name;
  for (const auto& o : *listed) by_name[json_read::String(json_read::Object(o, "metadata"), "name")] = &o;
  for (size_t i : idx) {
    const ObserveItem& it = items[i];
    std::string name = Str(ObservedAttrs(it), "name");
    auto f = by_name.find(name);
    if (f != by_name.end() || all) {
      out[it.address] = f == by_name.end() ? Observation{true, false, "", json(), "", ""} : ObserveLive(it, *f->second);
      if (f != by_name.end() && !Scripted(ObservedAttrs(it)) && !Managed(*f->second)) out[it.address].note = kNotOurs;
      continue;
    }
    auto got = env_.kube->GetObject(api, kind, ns, name);  // not labelled ours, or gone
    if (!got) {
      out[it.address] = Observation{false, false, "", json(), got.error().message(), ""};
    } else if (!*got) {
      out[it.address] = Observation{true, false, "", json(), "", ""};
    } else {
      Observation o = ObserveLive(it, **got);
      if (!Managed(**got)) o.note = kNotOurs;
      out[it.address] = std::move(o);
    }
  }
  return out;
}

Observation ObjectHandler::ObserveLive(const ObserveItem& it, const json& live) {
  Observation o;
  o.observed = o.exists = true;
  json attrs = ObservedAttrs(it);
  json full = live;
  full["kind"] = Str(attrs, "kind");
  json manifest = attrs.value("manifest", json::object());
  json projected = ProjectLive(manifest, full);
  o.attributes = {{"live", projected}};
  if (it.recorded && !Scripted(attrs) && Str(attrs, "kind") != "Secret" &&
      !CompareFields(manifest, projected, false).empty() && ApplyChangesNothing(manifest, projected))
    o.attributes["dry_run_same"] = true;
  if (auto r = ReadinessOf(full)) {
    std::string summary = r->summary;
    if (!r->ready) {
      std::string pods = NotReadyDetails(full);
      if (!pods.empty()) summary += ", " + pods;
    }
    o.attributes["readiness"] = {{"ready", r->ready}, {"summary", summary}};
  }
  o.hash = Sha256Hex(o.attributes["live"].dump());
  return o;
}

// Fields that differ from the manifest may be the API server's own
// normalisation (a quantity `1000m` stored as `1`): a server-side dry-run
// apply of the manifest (the take-back apply would do, forced) says whether
// applying would change any field paiplan manages. One request per object
// that differs, never on a no-op plan. Any failure keeps the local verdict.
bool ObjectHandler::ApplyChangesNothing(const json& manifest, const json& projected_live) {
  auto res = env_.kube->ApplyObject(manifest, /*force=*/true, /*dry_run=*/true);
  if (!res || !res->conflicts.empty() || !res->object.is_object()) return false;
  json result = res->object;
  result["kind"] = Str(manifest, "kind");
  return ProjectLive(manifest, result) == projected_live;
}

std::unique_ptr<ResourceHandler> MakeObjectHandler(const Env& env) { return std::make_unique<ObjectHandler>(env); }

}  // namespace paiplan::plan
