#include "state/etcd/etcd_http.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "engine/base/base64.h"

namespace paiplan::state::etcd {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

Result<nlohmann::json> EtcdHttp::Post(std::string_view path, const nlohmann::json& body) const {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Err(Status::Internal("etcd: curl_easy_init failed"));
  std::string url = endpoint_ + std::string(path);
  std::string payload = body.dump();
  std::string reply;
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, long(payload.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms_);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return Err(Status::Timeout("etcd " + url + ": no answer within " + std::to_string(timeout_ms_) + " ms"));
  }
  if (rc != CURLE_OK) {
    return Err(Status::Unavailable("etcd " + url + ": " + curl_easy_strerror(rc) +
                                   (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST
                                        ? " (is etcd running and reachable there? state.endpoints in paiplan.yaml)"
                                        : "")));
  }
  long http = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
  auto j = nlohmann::json::parse(reply, nullptr, false);
  if (j.is_discarded()) {
    return Err(Status::IOError("etcd " + url + ": HTTP " + std::to_string(http) +
                               " with a reply that is not JSON: " + reply.substr(0, 200)));
  }
  if (http != 200) {
    std::string msg = j.is_object() && j.contains("error") && j["error"].is_string()
                          ? j["error"].get<std::string>()
                          : reply.substr(0, 200);
    if (msg.find("not found") != std::string::npos) return Err(Status::NotFound("etcd: " + msg));
    if (http >= 500 && msg.find("too many") == std::string::npos) {
      return Err(Status::Unavailable("etcd " + url + ": HTTP " + std::to_string(http) + ": " + msg));
    }
    return Err(Status::FailedPrecondition("etcd " + url + ": " + msg));
  }
  return j;
}

std::string Base64Encode(std::string_view in) { return paiplan::Base64Encode(in); }

Result<std::string> Base64Decode(std::string_view in) {
  auto out = paiplan::Base64Decode(in);
  if (!out) return Err(Status::Corruption("etcd: invalid base64 in reply"));
  return *out;
}

std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    if (static_cast<unsigned char>(prefix.back()) < 0xff) {
      prefix.back() = static_cast<char>(prefix.back() + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // whole key space
}

}  // namespace paiplan::state::etcd
