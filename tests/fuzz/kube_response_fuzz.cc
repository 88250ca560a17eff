// Fuzz target: decoding of Kubernetes API responses. A fake HttpSender
// answers every request with a status and body taken from the input
// (STATUS-BYTE BODY...; the status byte picks one of the codes the client
// treats differently), and the client's calls must turn whatever comes back
// into values or Status errors: the node and ConfigMap calls, and the
// object calls of kube_objects.cc (LIST with pages, GET, server-side apply
// answers and conflicts, DELETE).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

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
  paiplan::kube::KubeClient(cfg, opt, sender()).PatchNodeLabels("n1", {{"pai-worker", "true"}});
  paiplan::kube::KubeClient(cfg, opt, sender()).GetConfigMap("default", "pai-configuration");
  paiplan::kube::KubeClient(cfg, opt, sender()).CreateOrReplaceConfigMap("default", "c", {{"k", "v"}});
  // Any object by REST path (kube_objects.cc): LIST, GET, server-side apply, DELETE.
  const std::string path = "/apis/apps/v1/namespaces/default/deployments";
  if (auto items = paiplan::kube::KubeClient(cfg, opt, sender()).ListObjects(path, "app=x")) {
    for (const auto& item : *items) (void)item.dump();
  }
  if (auto got = paiplan::kube::KubeClient(cfg, opt, sender()).GetObject(path + "/d"); got && *got) {
    (void)(*got)->dump();
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
  paiplan::kube::KubeClient(cfg, opt, sender()).DeleteObject(path + "/d");
  return 0;
}
