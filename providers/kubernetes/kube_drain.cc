// KubeClient's calls for draining a node: cordon, the pods bound to it,
// evictions (declared in kube_client.h).
#include <nlohmann/json.hpp>

#include "engine/base/json_read.h"

#include "providers/kubernetes/kube_client.h"
#include "providers/kubernetes/kube_errors.h"

namespace paiplan::kube {
namespace {

using nlohmann::json;

// "message (cause; cause)" of a Status answer; the raw body when it is not one.
std::string StatusText(const std::string& body) {
  json s = json::parse(body, nullptr, false);
  if (s.is_discarded() || !s.is_object()) return body.substr(0, 300);
  std::string out = json_read::String(s, "message");
  std::string why;
  for (const json& c : json_read::Array(json_read::Object(s, "details"), "causes")) {
    if (std::string m = json_read::String(c, "message"); !m.empty()) why += (why.empty() ? "" : "; ") + m;
  }
  return why.empty() ? out : out + " (" + why + ")";
}

}  // namespace

Status KubeClient::CordonNode(const std::string& name) {
  auto r = Call({"PATCH", "/api/v1/nodes/" + UrlEscape(name), "application/merge-patch+json",
                 R"({"spec":{"unschedulable":true}})"},
                {"cordoning node \"" + name + "\"", "", ""});
  return r ? Status::Ok() : r.error();
}

Result<std::vector<json>> KubeClient::ListPodsOnNode(const std::string& node) {
  bool expired = false;
  std::string selector = "spec.nodeName=" + node;
  auto items = ListObjectsOnce("/api/v1/pods", "", &expired, selector);
  if (!items && expired) {
    expired = false;
    items = ListObjectsOnce("/api/v1/pods", "", &expired, selector);
  }
  return items;
}

Result<std::optional<std::string>> KubeClient::EvictPod(const std::string& ns, const std::string& name) {
  json eviction = {{"apiVersion", "policy/v1"},
                   {"kind", "Eviction"},
                   {"metadata", {{"name", name}, {"namespace", ns}}}};
  const HttpRequest request{"POST", "/api/v1/namespaces/" + UrlEscape(ns) + "/pods/" + UrlEscape(name) + "/eviction",
                            "application/json", eviction.dump()};
  const CallContext call{"evicting pod " + ns + "/" + name, ns, ""};
  PP_ASSIGN_OR_RETURN(HttpResponse sent, Send(request, call));
  if (sent.status == 404 || (sent.status >= 200 && sent.status <= 299)) return std::optional<std::string>();
  if (sent.status == 429) return std::optional<std::string>(StatusText(sent.body));
  return Err(HttpErrorStatus(config_, request, sent, call));
}

}  // namespace paiplan::kube
