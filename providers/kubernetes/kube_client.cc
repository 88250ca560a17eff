#include "providers/kubernetes/kube_client.h"

#include "engine/base/json_read.h"
#include "providers/kubernetes/kube_errors.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace paiplan::kube {
namespace {

using nlohmann::json;

std::string ConfigMapPath(const std::string& ns, const std::string& name) {
  return "/api/v1/namespaces/" + UrlEscape(ns) + "/configmaps" + (name.empty() ? "" : "/" + UrlEscape(name));
}

// Parses a JSON body; Corruption naming `what` if it is not an object.
Result<json> ParseObject(const std::string& body, const std::string& what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Err(Status::Corruption(what + ": the API server's answer is not a JSON object"));
  }
  return j;
}

// API answers are untrusted: members are read with json_read, where a
// missing member or one of another type reads as empty (json::value() throws
// on a non-object: found by tests/fuzz/kube_response_fuzz, an item that was a
// string).
using json_read::Field;
using json_read::StringMap;

// A Node item of a LIST or GET: name, labels, and its Ready condition.
NodeInfo ToNodeInfo(const json& item) {
  const json& meta = Field(item, "metadata");
  NodeInfo n;
  n.name = json_read::String(meta, "name");
  n.labels = StringMap(Field(meta, "labels"));
  n.resource_version = json_read::String(meta, "resourceVersion");
  const json& conditions = Field(Field(item, "status"), "conditions");
  for (const json& c : conditions.is_array() ? conditions : json::array()) {
    if (!c.is_object() || json_read::String(c, "type") != "Ready") continue;
    n.ready = json_read::String(c, "status") == "True";
    n.ready_transition = json_read::String(c, "lastTransitionTime");
  }
  return n;
}

ConfigMap ToConfigMap(const json& j) {
  ConfigMap cm;
  const json& meta = Field(j, "metadata");
  cm.namespace_name = json_read::String(meta, "namespace");
  cm.name = json_read::String(meta, "name");
  cm.resource_version = json_read::String(meta, "resourceVersion");
  cm.labels = StringMap(Field(meta, "labels"));
  cm.data = StringMap(Field(j, "data"));
  return cm;
}

json ConfigMapBody(const std::string& ns, const std::string& name,
                   const std::map<std::string, std::string>& data,
                   const std::map<std::string, std::string>& labels,
                   const std::string& resource_version) {
  json meta = {{"name", name}, {"namespace", ns}};
  if (!labels.empty()) meta["labels"] = labels;
  if (!resource_version.empty()) meta["resourceVersion"] = resource_version;
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", meta}, {"data", data}};
}

// A 404 whose Status names a missing namespace (not the ConfigMap itself).
bool NamespaceMissing(const HttpResponse& r) {
  json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  const json& details = Field(j, "details");
  return details.is_object() && json_read::String(details, "kind") == "namespaces";
}

}  // namespace

KubeClient::KubeClient(KubeConfig config, KubeClientOptions options)
    : config_(std::move(config)), options_(options) {
  http_ = std::make_shared<CurlHttp>(config_,
                                     HttpOptions{options.connect_timeout, options.request_timeout,
                                                 options.timeout_hint});
}

KubeClient::KubeClient(KubeConfig config, KubeClientOptions options,
                       std::shared_ptr<HttpSender> sender)
    : config_(std::move(config)), options_(options), http_(std::move(sender)) {}

Result<HttpResponse> KubeClient::Send(const HttpRequest& request, const CallContext& call) {
  auto response = http_->Send(request);
  if (!response) return Err(response.error().WithContext(call.what));
  return response;
}

Result<HttpResponse> KubeClient::Call(const HttpRequest& request, const CallContext& call) {
  PP_ASSIGN_OR_RETURN(HttpResponse response, Send(request, call));
  if (response.status < 200 || response.status > 299) {
    return Err(HttpErrorStatus(config_, request, response, call));
  }
  return response;
}

Result<std::vector<NodeInfo>> KubeClient::ListNodesOnce(bool* expired) {
  std::vector<NodeInfo> nodes;
  std::string cont;
  do {
    std::string path = "/api/v1/nodes?limit=" + std::to_string(options_.list_page_size);
    if (!cont.empty()) path += "&continue=" + UrlEscape(cont);
    const HttpRequest request{"GET", path, "", ""};
    const CallContext call{"listing nodes", "", ""};
    PP_ASSIGN_OR_RETURN(HttpResponse sent, Send(request, call));
    if (sent.status == 410 && !cont.empty()) *expired = true;  // continue token expired
    if (sent.status < 200 || sent.status > 299) {
      return Err(HttpErrorStatus(config_, request, sent, call));
    }
    PP_ASSIGN_OR_RETURN(json page, ParseObject(sent.body, "listing nodes at " + config_.server));
    const json& items = Field(page, "items");
    if (!items.is_array() && !items.is_null()) {
      return Err(Status::Corruption("listing nodes: `items` is not a list"));
    }
    for (const json& item : items.is_array() ? items : json::array()) nodes.push_back(ToNodeInfo(item));
    cont = json_read::String(Field(page, "metadata"), "continue");
  } while (!cont.empty());
  std::sort(nodes.begin(), nodes.end(),
            [](const NodeInfo& a, const NodeInfo& b) { return a.name < b.name; });
  return nodes;
}

Result<std::vector<NodeInfo>> KubeClient::ListNodes() {
  bool expired = false;
  auto nodes = ListNodesOnce(&expired);
  if (!nodes && expired) {  // restart from the beginning, once
    expired = false;
    nodes = ListNodesOnce(&expired);
    if (!nodes && expired) return Err(nodes.error().WithContext("restarted once after an expired continue token"));
  }
  return nodes;
}

Result<std::optional<NodeInfo>> KubeClient::GetNode(const std::string& name) {
  const CallContext call{"reading node \"" + name + "\"", "", ""};
  const HttpRequest request{"GET", "/api/v1/nodes/" + UrlEscape(name), "", ""};
  PP_ASSIGN_OR_RETURN(HttpResponse sent, Send(request, call));
  if (sent.status == 404) return std::optional<NodeInfo>();
  if (sent.status < 200 || sent.status > 299) return Err(HttpErrorStatus(config_, request, sent, call));
  PP_ASSIGN_OR_RETURN(json j, ParseObject(sent.body, call.what + " at " + config_.server));
  return std::optional<NodeInfo>(ToNodeInfo(j));
}

Status KubeClient::PatchNodeLabels(const std::string& name,
                                   const std::map<std::string, std::optional<std::string>>& changes) {
  if (changes.empty()) return Status::Ok();
  json labels = json::object();
  for (const auto& [key, value] : changes) {
    labels[key] = value ? json(*value) : json(nullptr);
  }
  json patch = {{"metadata", {{"labels", labels}}}};
  auto r = Call({"PATCH", "/api/v1/nodes/" + UrlEscape(name), "application/merge-patch+json",
                 patch.dump()},
                {"patching labels of node \"" + name + "\"", "",
                 "label keys and values must be valid Kubernetes labels: fix the machine's labels in "
                 "layout.yaml"});
  return r ? Status::Ok() : r.error();
}

Result<std::optional<ConfigMap>> KubeClient::GetConfigMap(const std::string& ns,
                                                          const std::string& name) {
  const CallContext call{"reading ConfigMap " + ns + "/" + name, ns, ""};
  const HttpRequest request{"GET", ConfigMapPath(ns, name), "", ""};
  PP_ASSIGN_OR_RETURN(HttpResponse sent, Send(request, call));
  if (sent.status == 404 && !NamespaceMissing(sent)) return std::optional<ConfigMap>();
  if (sent.status < 200 || sent.status > 299) return Err(HttpErrorStatus(config_, request, sent, call));
  PP_ASSIGN_OR_RETURN(json j, ParseObject(sent.body, call.what + " at " + config_.server));
  return std::optional<ConfigMap>(ToConfigMap(j));
}

Status KubeClient::CreateOrReplaceConfigMap(const std::string& ns, const std::string& name,
                                            const std::map<std::string, std::string>& data,
                                            const std::map<std::string, std::string>& labels) {
  const CallContext what{"writing ConfigMap " + ns + "/" + name, ns,
                        "ConfigMap keys are the workspace's input file names and must consist of "
                        "alphanumerics, '-', '_' or '.'"};
  Status last;
  for (int attempt = 0; attempt <= options_.conflict_retries; ++attempt) {
    PP_ASSIGN_OR_RETURN(std::optional<ConfigMap> current, GetConfigMap(ns, name));
    Result<HttpResponse> r;
    if (!current) {
      r = Call({"POST", ConfigMapPath(ns, ""), "application/json",
                ConfigMapBody(ns, name, data, labels, "").dump()},
               what);
    } else {
      r = Call({"PUT", ConfigMapPath(ns, name), "application/json",
                ConfigMapBody(ns, name, data, labels, current->resource_version).dump()},
               what);
    }
    if (r) return Status::Ok();
    if (r.error().code() != Code::kConflict) return r.error();
    last = r.error();  // someone else wrote (or created) it in between: read again
  }
  return last.WithContext("gave up after " + std::to_string(options_.conflict_retries + 1) +
                          " attempts, each re-reading the ConfigMap, because its resourceVersion kept "
                          "changing");
}

Status KubeClient::DeleteConfigMap(const std::string& ns, const std::string& name) {
  const CallContext call{"deleting ConfigMap " + ns + "/" + name, ns, ""};
  const HttpRequest request{"DELETE", ConfigMapPath(ns, name), "", ""};
  auto sent = Send(request, call);
  if (!sent) return sent.error();
  if (sent->status == 404) return Status::Ok();
  if (sent->status < 200 || sent->status > 299) return HttpErrorStatus(config_, request, *sent, call);
  return Status::Ok();
}

}  // namespace paiplan::kube
