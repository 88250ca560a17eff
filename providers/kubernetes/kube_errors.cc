#include "providers/kubernetes/kube_errors.h"

#include <nlohmann/json.hpp>

#include "engine/base/json_read.h"

namespace paiplan::kube {
namespace {

using nlohmann::json;


// "field: message; field: message" from a Status object's details.causes.
std::string Causes(const json& status) {
  std::string out;
  for (const json& c : json_read::Array(json_read::Object(status, "details"), "causes")) {
    if (!c.is_object()) continue;
    std::string field = json_read::String(c, "field"), message = json_read::String(c, "message");
    out += (out.empty() ? "" : "; ") + (field.empty() ? message : field + ": " + message);
  }
  return out;
}

// Where the request went: "context \"C\" (cluster \"X\", server URL)".
std::string Where(const KubeConfig& c) {
  return "context \"" + c.context_name + "\" (cluster \"" + c.cluster_name + "\", " + c.server + ")";
}

std::string NotFoundFix(const KubeConfig& c, const CallContext& call) {
  std::string fix = "is " + Where(c) +
                    " the right cluster? Set `kubernetes.context` in paiplan.yaml or the "
                    "kubeconfig's current-context";
  if (!call.namespace_.empty()) {
    fix += "; does namespace \"" + call.namespace_ + "\" exist there? Create it (kubectl create namespace " +
           call.namespace_ + ") or set `kubernetes.namespace` in paiplan.yaml";
  }
  return fix;
}

std::string InvalidText(const std::string& message, const json& status, const HttpRequest& request,
                        const CallContext& call) {
  std::string causes = Causes(status);
  std::string out = message + (causes.empty() ? "" : " [causes: " + causes + "]") +
                    "; paiplan sent: " + SummarizeRequest(request);
  if (!call.invalid_fix.empty()) out += " — " + call.invalid_fix;
  return out;
}

}  // namespace

std::string SummarizeRequest(const HttpRequest& request) {
  std::string out = request.method + " " + request.path;
  if (request.body.empty()) return out;
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return out + " (" + std::to_string(request.body.size()) + " bytes)";
  for (const char* field : {"data", "stringData", "binaryData"}) {  // ConfigMap and Secret values
    if (!body.is_object() || !body.contains(field) || !body[field].is_object()) continue;
    for (auto& [k, v] : body[field].items()) {
      v = "<" + std::to_string(v.is_string() ? v.get<std::string>().size() : 0) + " bytes>";
    }
  }
  std::string text = body.dump();
  if (text.size() > 300) text = text.substr(0, 297) + "...";
  return out + " " + text;
}

Status HttpErrorStatus(const KubeConfig& c, const HttpRequest& request, const HttpResponse& r,
                       const CallContext& call) {
  // Kubernetes answers errors with a Status object; use its message if present.
  json status = json::parse(r.body, nullptr, false);
  if (status.is_discarded() || !status.is_object()) status = json::object();
  std::string message = json_read::String(status, "message");
  if (message.empty()) message = r.body.substr(0, 200);
  const std::string prefix = call.what + " at " + c.server + ": HTTP " + std::to_string(r.status);
  switch (r.status) {
    case 401:
      return Status::PermissionDenied(
          prefix + " (" + message + "): the API server rejected " + c.credential_source +
          " — refresh the credentials of kubeconfig user \"" + c.user_name +
          "\" (a new token or certificate: your cluster's login command, or kubectl config "
          "set-credentials " + c.user_name + ")" +
          (c.files.empty() ? "" : " in " + c.files.front()));
    case 403:
      return Status::PermissionDenied(prefix + " (" + message + "): " + c.credential_source +
                                      " is not allowed to do this — grant it RBAC rights or use "
                                      "another kubeconfig user");
    case 404:
      return Status::NotFound(prefix + ": " + message + " — " + NotFoundFix(c, call));
    case 409:
      return Status::Conflict(prefix + ": " + message +
                              " — another writer changed it at the same time; find it (kubectl get -o yaml "
                              "shows managedFields) and run the command again");
    case 410:
      return Status::Unavailable(prefix + ": " + message +
                                 " — the server expired the LIST's continue token (the listing took too "
                                 "long or the server restarted); run the command again");
    case 400:
    case 415:
    case 422:
      return Status::InvalidArgument(prefix + ": " + InvalidText(message, status, request, call));
    case 504:
      return Status::Timeout(prefix + ": " + message +
                             " — the API server (or a proxy in front of it) timed out; run again, and "
                             "check the API server's load if it persists");
    default:
      return Status::Unavailable(prefix + ": " + message);
  }
}

}  // namespace paiplan::kube
