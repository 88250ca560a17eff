#include "providers/kubernetes/kube_http.h"

#include <curl/curl.h>

#include <mutex>

#include <cctype>

namespace paiplan::kube {
namespace {

constexpr size_t kMaxIdleHandles = 8;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

void SetBlob(CURL* curl, CURLoption option, const std::string& bytes) {
  curl_blob blob{const_cast<char*>(bytes.data()), bytes.size(), CURL_BLOB_COPY};
  curl_easy_setopt(curl, option, &blob);
}

std::string Seconds(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string TimeoutMessage(const std::string& url, const std::string& why, const KubeConfig& config,
                           const HttpOptions& options) {
  std::string out = "request to " + url + " (context \"" + config.context_name +
                    "\") timed out after " + Seconds(options.request_timeout) + " (" + why +
                    ") — is the API server overloaded or hung? (kubectl --context " +
                    config.context_name + " get --raw /healthz)";
  if (!options.timeout_hint.empty()) {
    out += "; if it is only slow, " + options.timeout_hint + " (now " +
           Seconds(options.request_timeout) + ")";
  }
  return out;
}

// Turns a transport-level failure into an operator-facing Status.
Status CurlError(CURLcode code, const char* detail, const KubeConfig& config,
                 const HttpOptions& options) {
  const std::string url = config.server;
  const std::string why = detail[0] ? detail : curl_easy_strerror(code);
  const std::string where = "check `server` of cluster \"" + config.cluster_name +
                            "\" in the kubeconfig (context \"" + config.context_name + "\")";
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return Status::Unavailable("cannot reach " + url + ": connection refused (" + why +
                                 ") — is the API server running? " + where);
    case CURLE_COULDNT_RESOLVE_HOST:
      return Status::Unavailable("cannot reach " + url + ": host not found (" + why + ") — " +
                                 where);
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Timeout(TimeoutMessage(url, why, config, options));
    case CURLE_PEER_FAILED_VERIFICATION:
#if CURLE_SSL_CACERT != CURLE_PEER_FAILED_VERIFICATION
    case CURLE_SSL_CACERT:
#endif
    case CURLE_SSL_CACERT_BADFILE:
      return Status::PermissionDenied(
          "TLS: cannot verify the certificate of " + url + " (" + why + ") against " +
          config.ca_source + " — is it the right CA for this cluster?");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
      return Status::PermissionDenied("TLS handshake with " + url + " failed (" + why +
                                      "); credential: " + config.credential_source +
                                      "; CA: " + config.ca_source);
    default:
      return Status::Unavailable("request to " + url + " failed: " + why);
  }
}

}  // namespace

CurlHttp::CurlHttp(KubeConfig config, HttpOptions options)
    : config_(std::move(config)), options_(options) {
  GlobalInitOnce();
}

CurlHttp::~CurlHttp() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlHttp::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlHttp::Release(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdleHandles) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

Result<HttpResponse> CurlHttp::Send(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return Err(Status::Internal("curl_easy_init failed"));
  curl_easy_reset(curl);  // keeps the connection cache, drops the previous options
  HttpResponse response;
  char errbuf[CURL_ERROR_SIZE] = {0};
  const std::string url = config_.server + request.path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "paiplan");
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }
  if (request.method == "GET") curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());

  if (config_.insecure_skip_tls_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!config_.ca_pem.empty()) {
    SetBlob(curl, CURLOPT_CAINFO_BLOB, config_.ca_pem);
  }
  if (!config_.client_cert_pem.empty()) {
    SetBlob(curl, CURLOPT_SSLCERT_BLOB, config_.client_cert_pem);
    SetBlob(curl, CURLOPT_SSLKEY_BLOB, config_.client_key_pem);
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  }
  struct curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!request.content_type.empty()) {
    headers = curl_slist_append(headers, ("Content-Type: " + request.content_type).c_str());
  }
  if (!config_.token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + config_.token).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  // Credentials must not linger in a pooled handle's option memory longer than needed.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK) {
    Status s = CurlError(code, errbuf, config_, options_);
    curl_easy_cleanup(curl);  // a failed connection is not worth pooling
    return Err(s);
  }
  Release(curl);
  return response;
}

std::string UrlEscape(const std::string& s) {
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

}  // namespace paiplan::kube
