// KubeClient's calls on any object: LIST with a label selector, GET,
// server-side apply and DELETE (declared in kube_client.h).
#include <nlohmann/json.hpp>

#include "engine/base/json_read.h"

#include "providers/kubernetes/kube_client.h"
#include "providers/kubernetes/kube_errors.h"

namespace paiplan::kube {
namespace {

using nlohmann::json;

Result<json> ParseBody(const std::string& body, const std::string& what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Err(Status::Corruption(what + ": the API server's answer is not a JSON object"));
  }
  return j;
}

// FieldManagerConflict causes of a 409 apply answer; empty when it is another 409.
std::vector<FieldConflict> Conflicts(const std::string& body) {
  std::vector<FieldConflict> out;
  json s = json::parse(body, nullptr, false);
  if (s.is_discarded()) return out;
  for (const json& c : json_read::Array(json_read::Object(s, "details"), "causes")) {
    if (json_read::String(c, "reason") != "FieldManagerConflict") continue;
    std::string msg = json_read::String(c, "message");  // conflict with "M" using apps/v1
    auto q1 = msg.find('"'), q2 = q1 == std::string::npos ? q1 : msg.find('"', q1 + 1);
    std::string manager = q2 == std::string::npos ? msg : msg.substr(q1 + 1, q2 - q1 - 1);
    out.push_back({manager, json_read::String(c, "field")});
  }
  return out;
}

}  // namespace

Result<std::vector<json>> KubeClient::ListObjectsOnce(const std::string& collection_path,
                                                       const std::string& label_selector, bool* expired,
                                                       const std::string& field_selector) {
  std::vector<json> items;
  std::string cont;
  const CallContext call{"listing " + collection_path, "", ""};
  do {
    std::string path = collection_path + "?limit=" + std::to_string(options_.list_page_size);
    if (!label_selector.empty()) path += "&labelSelector=" + UrlEscape(label_selector);
    if (!field_selector.empty()) path += "&fieldSelector=" + UrlEscape(field_selector);
    if (!cont.empty()) path += "&continue=" + UrlEscape(cont);
    const HttpRequest request{"GET", path, "", ""};
    PP_ASSIGN_OR_RETURN(HttpResponse sent, Send(request, call));
    if (sent.status == 410 && !cont.empty()) *expired = true;
    if (sent.status == 404) return items;  // a namespace that does not exist yet holds nothing
    if (sent.status < 200 || sent.status > 299) return Err(HttpErrorStatus(config_, request, sent, call));
    PP_ASSIGN_OR_RETURN(json page, ParseBody(sent.body, call.what + " at " + config_.server));
    const json& list = json_read::Field(page, "items");
    if (!list.is_null() && !list.is_array()) return Err(Status::Corruption(call.what + ": `items` is not a list"));
    if (list.is_array())
      for (const json& item : list) items.push_back(item);
    cont = json_read::String(json_read::Object(page, "metadata"), "continue");
  } while (!cont.empty());
  return items;
}

Result<std::vector<json>> KubeClient::ListObjects(const std::string& collection_path,
                                                  const std::string& label_selector) {
  bool expired = false;
  auto items = ListObjectsOnce(collection_path, label_selector, &expired);
  if (!items && expired) {
    expired = false;
    items = ListObjectsOnce(collection_path, label_selector, &expired);
  }
  return items;
}

Result<std::optional<json>> KubeClient::GetObject(const std::string& path) {
  const CallContext call{"reading " + path, "", ""};
  const HttpRequest request{"GET", path, "", ""};
  PP_ASSIGN_OR_RETURN(HttpResponse sent, Send(request, call));
  if (sent.status == 404) return std::optional<json>();
  if (sent.status < 200 || sent.status > 299) return Err(HttpErrorStatus(config_, request, sent, call));
  PP_ASSIGN_OR_RETURN(json j, ParseBody(sent.body, call.what + " at " + config_.server));
  return std::optional<json>(std::move(j));
}

Result<ApplyOutcome> KubeClient::ApplyObject(const std::string& path, const json& object,
                                             const std::string& field_manager, bool force, bool dry_run) {
  std::string query = "?fieldManager=" + UrlEscape(field_manager) + (force ? "&force=true" : "") +
                      (dry_run ? "&dryRun=All" : "");
  const CallContext call{std::string(dry_run ? "dry-run applying " : "applying ") + path, "",
                         "fix the manifest's template"};
  // JSON is YAML: the apply body is sent as JSON.
  const HttpRequest request{"PATCH", path + query, "application/apply-patch+yaml", object.dump()};
  PP_ASSIGN_OR_RETURN(HttpResponse sent, Send(request, call));
  ApplyOutcome out;
  if (sent.status == 409) {
    out.conflicts = Conflicts(sent.body);
    if (!out.conflicts.empty()) return out;
  }
  if (sent.status < 200 || sent.status > 299) return Err(HttpErrorStatus(config_, request, sent, call));
  PP_ASSIGN_OR_RETURN(out.object, ParseBody(sent.body, call.what + " at " + config_.server));
  return out;
}

Status KubeClient::DeleteObject(const std::string& path) {
  const CallContext call{"deleting " + path, "", ""};
  const HttpRequest request{"DELETE", path, "application/json",
                            R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"})"};
  auto sent = Send(request, call);
  if (!sent) return sent.error();
  if (sent->status == 404 || (sent->status >= 200 && sent->status <= 299)) return Status::Ok();
  return HttpErrorStatus(config_, request, *sent, call);
}

}  // namespace paiplan::kube
