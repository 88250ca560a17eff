#include "providers/kubernetes/kube_client.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace paiplan::kube {
namespace {

using nlohmann::json;

std::string Escape(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string ConfigMapPath(const std::string& ns, const std::string& name) {
  return "/api/v1/namespaces/" + Escape(ns) + "/configmaps" + (name.empty() ? "" : "/" + Escape(name));
}

// Parses a JSON body; Corruption naming `what` if it is not an object.
Result<json> ParseObject(const std::string& body, const std::string& what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Err(Status::Corruption(what + ": the API server's answer is not a JSON object"));
  }
  return j;
}

std::map<std::string, std::string> StringMap(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

std::string StringAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

ConfigMap ToConfigMap(const json& j) {
  ConfigMap cm;
  const json meta = j.value("metadata", json::object());
  cm.namespace_name = StringAt(meta, "namespace");
  cm.name = StringAt(meta, "name");
  cm.resource_version = StringAt(meta, "resourceVersion");
  cm.labels = StringMap(meta.value("labels", json::object()));
  cm.data = StringMap(j.value("data", json::object()));
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

}  // namespace

KubeClient::KubeClient(KubeConfig config, KubeClientOptions options)
    : config_(std::move(config)), options_(options) {
  http_ = std::make_shared<CurlHttp>(config_,
                                     HttpOptions{options.connect_timeout, options.request_timeout});
}

KubeClient::KubeClient(KubeConfig config, KubeClientOptions options,
                       std::shared_ptr<HttpSender> sender)
    : config_(std::move(config)), options_(options), http_(std::move(sender)) {}

Status KubeClient::HttpError(const HttpResponse& r, const std::string& what) const {
  // Kubernetes answers errors with a Status object; use its message if present.
  std::string message;
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) message = StringAt(j, "message");
  if (message.empty()) message = r.body.substr(0, 200);
  const std::string prefix = what + " at " + config_.server + ": HTTP " + std::to_string(r.status);
  switch (r.status) {
    case 401:
      return Status::PermissionDenied(prefix + " (" + message + "): the API server rejected " +
                                      config_.credential_source +
                                      " — refresh the credentials in the kubeconfig");
    case 403:
      return Status::PermissionDenied(prefix + " (" + message + "): " +
                                      config_.credential_source +
                                      " is not allowed to do this — grant it RBAC rights or use "
                                      "another kubeconfig user");
    case 404:
      return Status::NotFound(prefix + ": " + message);
    case 409:
      return Status::Conflict(prefix + ": " + message);
    case 400:
    case 415:
    case 422:
      return Status::InvalidArgument(prefix + ": " + message);
    case 504:
      return Status::Timeout(prefix + ": " + message);
    default:
      return Status::Unavailable(prefix + ": " + message);
  }
}

Result<HttpResponse> KubeClient::Call(const HttpRequest& request, const std::string& what) {
  auto response = http_->Send(request);
  if (!response) return Err(response.error().WithContext(what));
  if (response->status < 200 || response->status > 299) return Err(HttpError(*response, what));
  return response;
}

Result<std::vector<NodeInfo>> KubeClient::ListNodesOnce(bool* expired) {
  std::vector<NodeInfo> nodes;
  std::string cont;
  do {
    std::string path = "/api/v1/nodes?limit=" + std::to_string(options_.list_page_size);
    if (!cont.empty()) path += "&continue=" + Escape(cont);
    auto sent = http_->Send({"GET", path, "", ""});
    if (!sent) return Err(sent.error().WithContext("listing nodes"));
    if (sent->status == 410 && !cont.empty()) {  // continue token expired: start again
      *expired = true;
      return Err(HttpError(*sent, "listing nodes"));
    }
    if (sent->status < 200 || sent->status > 299) return Err(HttpError(*sent, "listing nodes"));
    PP_ASSIGN_OR_RETURN(json page, ParseObject(sent->body, "listing nodes at " + config_.server));
    const json items = page.value("items", json::array());
    if (!items.is_array()) return Err(Status::Corruption("listing nodes: `items` is not a list"));
    for (const json& item : items) {
      const json meta = item.value("metadata", json::object());
      nodes.push_back({StringAt(meta, "name"), StringMap(meta.value("labels", json::object())),
                       StringAt(meta, "resourceVersion")});
    }
    cont = StringAt(page.value("metadata", json::object()), "continue");
  } while (!cont.empty());
  std::sort(nodes.begin(), nodes.end(),
            [](const NodeInfo& a, const NodeInfo& b) { return a.name < b.name; });
  return nodes;
}

Result<std::vector<NodeInfo>> KubeClient::ListNodes() {
  bool expired = false;
  auto nodes = ListNodesOnce(&expired);
  if (!nodes && expired) nodes = ListNodesOnce(&expired);
  return nodes;
}

Result<std::optional<NodeInfo>> KubeClient::GetNode(const std::string& name) {
  const std::string what = "reading node \"" + name + "\"";
  auto sent = http_->Send({"GET", "/api/v1/nodes/" + Escape(name), "", ""});
  if (!sent) return Err(sent.error().WithContext(what));
  if (sent->status == 404) return std::optional<NodeInfo>();
  if (sent->status < 200 || sent->status > 299) return Err(HttpError(*sent, what));
  PP_ASSIGN_OR_RETURN(json j, ParseObject(sent->body, what + " at " + config_.server));
  const json meta = j.value("metadata", json::object());
  return std::optional<NodeInfo>(NodeInfo{StringAt(meta, "name"), StringMap(meta.value("labels", json::object())),
                                          StringAt(meta, "resourceVersion")});
}

Status KubeClient::PatchNodeLabels(const std::string& name,
                                   const std::map<std::string, std::optional<std::string>>& changes) {
  if (changes.empty()) return Status::Ok();
  json labels = json::object();
  for (const auto& [key, value] : changes) {
    labels[key] = value ? json(*value) : json(nullptr);
  }
  json patch = {{"metadata", {{"labels", labels}}}};
  auto r = Call({"PATCH", "/api/v1/nodes/" + Escape(name), "application/merge-patch+json",
                 patch.dump()},
                "patching labels of node \"" + name + "\"");
  return r ? Status::Ok() : r.error();
}

Result<std::optional<ConfigMap>> KubeClient::GetConfigMap(const std::string& ns,
                                                          const std::string& name) {
  const std::string what = "reading ConfigMap " + ns + "/" + name;
  auto sent = http_->Send({"GET", ConfigMapPath(ns, name), "", ""});
  if (!sent) return Err(sent.error().WithContext(what));
  if (sent->status == 404) return std::optional<ConfigMap>();
  if (sent->status < 200 || sent->status > 299) return Err(HttpError(*sent, what));
  PP_ASSIGN_OR_RETURN(json j, ParseObject(sent->body, what + " at " + config_.server));
  return std::optional<ConfigMap>(ToConfigMap(j));
}

Status KubeClient::CreateOrReplaceConfigMap(const std::string& ns, const std::string& name,
                                            const std::map<std::string, std::string>& data,
                                            const std::map<std::string, std::string>& labels) {
  const std::string what = "writing ConfigMap " + ns + "/" + name;
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
                          " attempts");
}

Status KubeClient::DeleteConfigMap(const std::string& ns, const std::string& name) {
  const std::string what = "deleting ConfigMap " + ns + "/" + name;
  auto sent = http_->Send({"DELETE", ConfigMapPath(ns, name), "", ""});
  if (!sent) return sent.error().WithContext(what);
  if (sent->status == 404) return Status::Ok();
  if (sent->status < 200 || sent->status > 299) return HttpError(*sent, what);
  return Status::Ok();
}

}  // namespace paiplan::kube
