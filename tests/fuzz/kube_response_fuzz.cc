// Fuzz target: decoding of Kubernetes API responses. A fake HttpSender
// answers every request with a status and body taken from the input
// (STATUS-BYTE BODY...; the status byte picks one of the codes the client
// treats differently), and the client's calls must turn whatever comes back
// into values or Status errors: the node and ConfigMap calls, and the
// object calls of kube_objects.cc (LIST with pages, GET, server-side apply
// answers and conflicts, DELETE), the drain calls of kube_drain.cc (pods on a
// node, cordon, eviction), and what the engine reads from such answers: a
// workload's readiness, its pods' and events' diagnostics, which pods a drain
// skips.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/plan/node_drain.h"
#include "engine/plan/object_model.h"
#include "providers/kubernetes/kube_client.h"

namespace {

class FuzzSender : public paiplan::kube::HttpSender {
 public:
  FuzzSender(long status, std::string body) : status_(status), body_(std::move(body)) {}
  paiplan::Result<paiplan::kube::HttpResponse> Send(const paiplan::kube::HttpRequest&) override {
    // A paginated LIST would follow `continue` forever if every page said so.
    if (++calls_ > 8) return paiplan::kube::HttpResponse{200, "{\"items\":[]}"};
    return paiplan::kube::HttpResponse{status_, body_};
  }

 private:
  long status_;
  std::string body_;
  int calls_ = 0;
};

constexpr long kStatuses[] = {200, 201, 400, 401, 403, 404, 409, 410, 422, 429, 500, 503};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  long status = kStatuses[data[0] % (sizeof(kStatuses) / sizeof(kStatuses[0]))];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  paiplan::kube::KubeConfig cfg;
  cfg.server = "https://127.0.0.1:1";
  paiplan::kube::KubeClientOptions opt;
  opt.conflict_retries = 1;
  auto sender = [&] { return std::make_shared<FuzzSender>(status, body); };
  paiplan::kube::KubeClient(cfg, opt, sender()).ListNodes();
  paiplan::kube::KubeClient(cfg, opt, sender()).GetNode("n1");
  (void)paiplan::kube::KubeClient(cfg, opt, sender()).PatchNodeLabels("n1", {{"pai-worker", "true"}});
  paiplan::kube::KubeClient(cfg, opt, sender()).GetConfigMap("default", "pai-configuration");
  (void)paiplan::kube::KubeClient(cfg, opt, sender()).CreateOrReplaceConfigMap("default", "c", {{"k", "v"}});
  // Any object by REST path (kube_objects.cc): LIST, GET, server-side apply, DELETE.
  const std::string path = "/apis/apps/v1/namespaces/default/deployments";
  if (auto items = paiplan::kube::KubeClient(cfg, opt, sender()).ListObjects(path, "app=x")) {
    // What observe makes of a live object: its projection on the manifest's
    // fields (a Secret's through hashes) and the fields that differ.
    static const nlohmann::json kManifests = nlohmann::json::parse(R"([
      {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labels": {"a": "b"}},
       "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}},
      {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
       "stringData": {"k": "v"}, "data": {"d": "dg=="}}])");
    for (const auto& item : *items) {
      (void)item.dump();
      (void)paiplan::plan::ReadinessOf(item);
      for (const auto& m : kManifests) {
        auto projected = paiplan::plan::ProjectLive(m, item);
        (void)paiplan::plan::CompareFields(m, projected, true);
      }
    }
    // The same answer read as pods and as events of a workload that is not ready.
    (void)paiplan::plan::PodDiagnostics(*items);
    (void)paiplan::plan::EventDiagnostics(*items, {"d", "d-1"}, 5);
  }
  if (auto got = paiplan::kube::KubeClient(cfg, opt, sender()).GetObject(path + "/d"); got && *got) {
    (void)(*got)->dump();
    (void)paiplan::plan::ReadinessOf(**got);
  }
  // Draining a node: its pods, cordon, one eviction.
  if (auto pods = paiplan::kube::KubeClient(cfg, opt, sender()).ListPodsOnNode("n1")) {
    for (const auto& p : *pods) (void)paiplan::plan::DrainSkips(p);
  }
  (void)paiplan::kube::KubeClient(cfg, opt, sender()).CordonNode("n1");
  if (auto refused = paiplan::kube::KubeClient(cfg, opt, sender()).EvictPod("default", "p"); refused && *refused) {
    (void)(*refused)->size();
  }
  const nlohmann::json object = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
                                 {"metadata", {{"name", "d"}, {"namespace", "default"}}}};
  for (bool force : {false, true}) {
    if (auto applied = paiplan::kube::KubeClient(cfg, opt, sender()).ApplyObject(path + "/d", object, "paiplan", force,
                                                                                 !force)) {
      (void)applied->object.dump();
      for (const auto& c : applied->conflicts) (void)c.field.size();
    }
  }
  (void)paiplan::kube::KubeClient(cfg, opt, sender()).DeleteObject(path + "/d");
  return 0;
}
