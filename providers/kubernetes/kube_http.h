// The HTTP seam of the Kubernetes client: one request in, one response out.
//
// CurlHttp is the real implementation (libcurl, TLS verification on unless the
// kubeconfig says insecure-skip-tls-verify). Tests of code above KubeClient
// may substitute their own HttpSender; the client's own tests use the real
// API test server (tests/kube/serve).
//
// Thread-safety: Send may be called from any thread concurrently. CurlHttp
// keeps a small pool of idle easy handles so that connections (and TLS
// sessions) are reused across calls.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "providers/kubernetes/kubeconfig.h"

namespace paiplan::kube {

struct HttpRequest {
  std::string method;        // GET, POST, PUT, PATCH, DELETE
  std::string path;          // e.g. /api/v1/nodes?limit=500 (appended to the server URL)
  std::string content_type;  // for bodies
  std::string body;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

class HttpSender {
 public:
  virtual ~HttpSender() = default;
  // Any HTTP status is a successful HttpResponse. Fails only when no HTTP
  // response arrived: Unavailable (connection refused/reset, DNS), Timeout,
  // PermissionDenied (TLS verification or handshake failed; names the CA source).
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{60000};
  // Appended to timeout errors: how the user raises request_timeout.
  std::string timeout_hint;
};

class CurlHttp : public HttpSender {
 public:
  CurlHttp(KubeConfig config, HttpOptions options);
  ~CurlHttp() override;
  CurlHttp(const CurlHttp&) = delete;
  CurlHttp& operator=(const CurlHttp&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  void* Acquire();            // a CURL* (void* keeps curl.h out of this header)
  void Release(void* handle);

  const KubeConfig config_;
  const HttpOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;   // guarded by mu_
};

// Percent-encodes `s` for one URL path segment or query value (RFC 3986:
// unreserved characters stay). Names from workspace files reach API paths
// only through it.
std::string UrlEscape(const std::string& s);

}  // namespace paiplan::kube
