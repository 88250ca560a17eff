// Kubernetes objects as resources (docs/kubernetes-objects.md): addresses, the desired
// attributes recorded for an object, field-level comparison of desired and
// live objects, and workload readiness. Pure functions; the handler
// (object_handler.cc) does the I/O.
//
// Attributes of object.<service>/<Kind>/[<namespace>/]<name>:
//   {service, file, apiVersion, kind, namespace ("" when cluster-scoped),
//    name, mode ("native"; "scripted" for a scripted service's object, which
//    has no ready_timeout and no paiplan labels), ready_timeout (seconds),
//    manifest: the object as applied, Secret data/stringData values replaced
//              by "sha256:<hex>" so no secret is stored or printed}
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace paiplan::plan {

using json = nlohmann::json;

inline constexpr char kFieldManager[] = "paiplan";
inline constexpr char kServiceLabel[] = "paiplan.io/service";

// "object.grafana/Deployment/default/grafana"; cluster-scoped: no namespace part.
std::string ObjectAddress(const std::string& service, const std::string& kind, const std::string& ns,
                          const std::string& name);

// Helm's install order by kind: Namespace 0, CRDs 1, ServiceAccount 2,
// RBAC 3, ConfigMap/Secret 4, PV 5, PVC 6, Service 7, workloads and other
// kinds 8, Job/CronJob 9. Deletes run in the reverse order.
int KindOrder(const std::string& kind);

// Kinds whose objects are kept on delete unless `destroy --purge` (data).
bool KeptWithoutPurge(const std::string& kind);

// The object with paiplan's labels set (managed-by, service) and
// metadata.namespace defaulted to "default" for namespaced kinds.
json LabelledObject(json object, const std::string& service, bool namespaced);

// The manifest recorded in attributes: Secret data values hashed.
json MaskedManifest(const json& object);

// One field whose live value differs from the desired one.
struct FieldDrift {
  std::string path;    // "spec.replicas"
  std::string live;    // rendered value; "(none)" when absent; "(sensitive)" for Secret data
  std::string wanted;
};

// Fields of `manifest` (leaves: scalars, lists, empty maps) whose value in
// `live` differs. `live` is an observed object projected like MaskedManifest.
std::vector<FieldDrift> CompareFields(const json& manifest, const json& live, bool secret);

// Leaf paths of `manifest` as ".a.b" (what the API names in conflicts).
std::vector<std::string> FieldPaths(const json& manifest);

// `live` reduced to the paths of `manifest` (so a plan or the state never
// holds fields paiplan does not manage), Secret data hashed.
json ProjectLive(const json& manifest, const json& live);

// Readiness of a live workload: nullopt when the kind has none (ConfigMap...),
// else {ready, summary} e.g. {false, "DaemonSet node-exporter: 2/3 ready"}.
struct Readiness {
  bool ready = true;
  std::string summary;
};
std::optional<Readiness> ReadinessOf(const json& live);

// "pod x: CrashLoopBackOff (restarts 5); ..." for pods; events as
// "Warning BackOff pod/x: message" (last `max_events`).
std::string PodDiagnostics(const std::vector<json>& pods);
std::string EventDiagnostics(std::vector<json> events, const std::vector<std::string>& names, size_t max_events);

}  // namespace paiplan::plan
