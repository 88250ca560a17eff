// Applying object.* actions: server-side apply with drift take-back and
// conflicts, readiness waits with diagnostics from the API, deletes (with
// PVCs and namespaces kept unless --purge). Declared in object_handler.h.
#include <chrono>
#include <set>
#include <thread>

#include "engine/base/json_read.h"
#include "engine/plan/object_handler.h"

namespace paiplan::plan {
namespace {

std::string ConflictText(const std::vector<ObjectConflict>& cs) {
  std::string s;
  for (const auto& c : cs) s += (s.empty() ? "" : ", ") + c.field + " is managed by \"" + c.manager + "\"";
  return s;
}

}  // namespace

ApplyResult ObjectHandler::Apply(const Action& a, ApplyContext& ctx) {
  ApplyResult r;
  if (!env_.kube) {
    r.status = Status::Unavailable(env_.kube_error.empty() ? "no Kubernetes cluster is configured" : env_.kube_error);
    return r;
  }
  if (Scripted(a.type == ActionType::kDelete ? a.before : a.after)) {
    // The service's scripts apply and remove it: paiplan records or forgets it.
    ctx.log(std::string(a.type == ActionType::kDelete ? "forgotten" : "recorded") + " (applied by the scripts of service " +
            Str(a.type == ActionType::kDelete ? a.before : a.after, "service") + "); observed, never written by paiplan\n");
    if (a.type == ActionType::kDelete) r.batch.deletes.push_back(a.address);
    else r.batch.puts.emplace_back(a.address, MakeRecord(a, env_.now()));
    return r;
  }
  if (a.type == ActionType::kDelete) {
    const json& b = a.before;
    std::string kind = Str(b, "kind");
    if (!b.is_object() || (KeptWithoutPurge(kind) && !a.purge)) {
      ctx.log("kept " + kind + " " + Str(b, "name") + " (only destroy --purge deletes it); forgotten by paiplan\n");
    } else {
      ctx.log("DELETE " + kind + " " + Str(b, "namespace") + "/" + Str(b, "name") + "\n");
      r.status = env_.kube->DeleteObject(Str(b, "apiVersion"), kind, Str(b, "namespace"), Str(b, "name"));
      if (!r.status.ok()) return r;
    }
    r.batch.deletes.push_back(a.address);
    return r;
  }
  json applied;
  r.status = ApplyObject(a, ctx, &applied);
  if (r.status.ok()) r.status = WaitReady(a, applied, ctx);
  if (r.status.ok()) r.batch.puts.emplace_back(a.address, MakeRecord(a, env_.now()));
  return r;
}

Status ObjectHandler::ApplyObject(const Action& a, ApplyContext& ctx, json* applied) {
  json obj = json::parse(a.content, nullptr, false);
  if (obj.is_discarded() || !obj.is_object())
    return Status::InvalidArgument("the plan holds no manifest for the object; plan again");
  const json& at = a.after;
  if (a.type == ActionType::kCreate) {
    auto live = env_.kube->GetObject(Str(at, "apiVersion"), Str(at, "kind"), Str(at, "namespace"), Str(at, "name"));
    if (!live) return live.error();
    if (*live && !Managed(**live))
      return Status::FailedPrecondition("the object already exists and was not created by paiplan (no label "
                                        "app.kubernetes.io/managed-by=paiplan): let paiplan take it over by adding that label "
                                        "(kubectl label), or delete it");
  }
  ctx.log("server-side apply (fieldManager paiplan) " + a.address + "\n");
  auto res = env_.kube->ApplyObject(obj, env_.force_conflicts, false);
  if (!res) return res.error();
  if (!res->conflicts.empty()) {
    // A field paiplan applied before and someone changed since is drift: take
    // it back. A field paiplan never managed is someone else's: a conflict.
    std::set<std::string> ours;
    if (a.before.is_object())
      for (const auto& p : FieldPaths(a.before.value("manifest", json::object()))) ours.insert(p);
    std::vector<ObjectConflict> foreign;
    for (const auto& c : res->conflicts) if (!ours.count(c.field)) foreign.push_back(c);
    if (!foreign.empty())
      return Status::Conflict("conflict: " + ConflictText(foreign) +
                              ", a field paiplan never managed; leave it out of the template "
                              "(docs/kubernetes-objects.md), or apply with --force-conflicts to take it");
    ctx.log("taking back fields changed outside paiplan: " + ConflictText(res->conflicts) + "\n");
    res = env_.kube->ApplyObject(obj, true, false);
    if (!res) return res.error();
  }
  *applied = res->object;
  return Status::Ok();
}

Status ObjectHandler::WaitReady(const Action& a, const json& applied, ApplyContext& ctx) {
  json live = applied;
  live["kind"] = Str(a.after, "kind");
  if (!ReadinessOf(live)) return Status::Ok();
  int timeout = int(json_read::Int(a.after, "ready_timeout", 300));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
  const json& at = a.after;
  while (true) {
    auto r = ReadinessOf(live);
    if (r->ready) {
      ctx.log("ready: " + r->summary + "\n");
      return Status::Ok();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string details = NotReadyDetails(live);
      return Status::DeadlineExceeded("not ready after " + std::to_string(timeout) + "s (ready-timeout of service " +
                             Str(at, "service") + "): " + r->summary + (details.empty() ? "" : "; " + details));
    }
    if (ctx.cancelled && ctx.cancelled->load()) return Status::Cancelled("interrupted while waiting for readiness");
    std::this_thread::sleep_for(std::chrono::milliseconds(int(env_.ready_poll_seconds * 1000)));
    auto got = env_.kube->GetObject(Str(at, "apiVersion"), Str(at, "kind"), Str(at, "namespace"), Str(at, "name"));
    if (!got) return got.error();
    if (!*got) return Status::Unavailable("deleted while paiplan waited for it");
    live = **got;
    live["kind"] = Str(at, "kind");
  }
}

// Pods of a workload (by its selector's matchLabels), their states, and the
// last events about them or the workload: what `kubectl describe` would show.
std::string ObjectHandler::NotReadyDetails(const json& live) {
  using json_read::Object;
  const json& meta = Object(live, "metadata");
  std::string ns = json_read::String(meta, "namespace"), name = json_read::String(meta, "name");
  const json& spec = Object(live, "spec");
  const json& labels = json_read::String(live, "kind") == "Job"
                           ? Object(Object(Object(spec, "template"), "metadata"), "labels")
                           : Object(Object(spec, "selector"), "matchLabels");
  std::string selector;
  for (const auto& [k, v] : json_read::StringMap(labels)) selector += (selector.empty() ? "" : ",") + k + "=" + v;
  if (selector.empty() || ns.empty()) return "";
  auto pods = env_.kube->ListObjects("v1", "Pod", ns, selector);
  if (!pods) return "pods not listed: " + pods.error().message();
  std::vector<std::string> names = {name};
  for (const auto& p : *pods) names.push_back(json_read::String(Object(p, "metadata"), "name"));
  std::string out = PodDiagnostics(*pods);
  auto events = env_.kube->ListObjects("v1", "Event", ns, "");
  if (events) {
    std::string ev = EventDiagnostics(*events, names, 5);
    if (!ev.empty()) out += (out.empty() ? "" : "; ") + std::string("events: ") + ev;
  }
  return out;
}

}  // namespace paiplan::plan
