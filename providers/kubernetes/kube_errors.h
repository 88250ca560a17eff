// Operator-facing errors of the Kubernetes client: every non-2xx answer
// becomes a Status that names the server URL, the kubeconfig context, what
// paiplan asked for and what the user can do about it.
//
// Kept apart from KubeClient so that the wording lives in one place and the
// client's call paths stay short. Pure functions; thread-safe.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "providers/kubernetes/kube_http.h"
#include "providers/kubernetes/kubeconfig.h"

namespace paiplan::kube {

// What a call was about, for its error message.
struct CallContext {
  std::string what;        // "patching labels of node \"x\"", "writing ConfigMap ns/name"
  std::string namespace_;  // set for namespaced objects: named in 404 fixes
  std::string invalid_fix; // what to change when the API answers 400/422 (may be empty)
};

// Maps an HTTP error answer to a Status (see kube_client.h for the codes).
// `request` is what paiplan sent; bodies are summarised (ConfigMap data
// values are replaced by their sizes), never copied whole.
Status HttpErrorStatus(const KubeConfig& config, const HttpRequest& request,
                       const HttpResponse& response, const CallContext& call);

// What paiplan sent, short: "PATCH /api/v1/nodes/x {...}" with ConfigMap
// data values replaced by "<N bytes>"; at most ~300 characters.
std::string SummarizeRequest(const HttpRequest& request);

}  // namespace paiplan::kube
