// KubeClient: the few Kubernetes API calls paiplan makes (node labels and one
// ConfigMap), over HTTPS with the credentials of a KubeConfig.
//
// Every error names the server URL and what to do:
//   Unavailable  cannot connect / server error 5xx / 429 (retryable)
//   Timeout      the request did not finish in time (retryable)
//   PermissionDenied  401/403 or TLS verification failed; names the credential
//                     used ("token from kubeconfig user X", "client certificate ...")
//                     or the CA source, never the secret itself
//   NotFound     404 (except where noted: a missing object can be a value);
//                names the context, cluster and (for ConfigMaps) the namespace
//   Conflict     409 that survived the retries; says what to look for
//   InvalidArgument  400/415/422, with the API's message, its causes (field:
//                message) and a summary of what paiplan sent
//   Timeout also names the timeout and HttpOptions::timeout_hint
//   Corruption   the server's answer is not the JSON expected
//
// Thread-safety: all methods may be called concurrently from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"
#include "providers/kubernetes/kube_errors.h"
#include "providers/kubernetes/kube_http.h"
#include "providers/kubernetes/kubeconfig.h"

namespace paiplan::kube {

struct NodeInfo {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string resource_version;
  bool ready = false;            // status.conditions[type=Ready].status == "True"
  std::string ready_transition;  // that condition's lastTransitionTime ("" when absent)
};

struct ConfigMap {
  std::string namespace_name;
  std::string name;
  std::map<std::string, std::string> data;
  std::map<std::string, std::string> labels;
  std::string resource_version;
};

// One field another manager owns with a value a server-side apply would change.
struct FieldConflict {
  std::string manager;  // "kubectl", "hpa-controller"
  std::string field;    // ".spec.replicas"
};

// What a server-side apply returned: the object, or the conflicts that
// stopped it (409 with FieldManagerConflict causes).
struct ApplyOutcome {
  nlohmann::json object;
  std::vector<FieldConflict> conflicts;
};

struct KubeClientOptions {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{60000};
  int list_page_size = 500;   // `limit` of each LIST page
  int conflict_retries = 5;   // extra attempts of CreateOrReplaceConfigMap after a 409
  // How to raise request_timeout, named in timeout errors.
  std::string timeout_hint = "raise `kubernetes.timeout` (seconds) in paiplan.yaml";
};

class KubeClient {
 public:
  // Real HTTPS client for `config`.
  explicit KubeClient(KubeConfig config, KubeClientOptions options = {});
  // For tests of code above the client: `sender` replaces libcurl.
  KubeClient(KubeConfig config, KubeClientOptions options, std::shared_ptr<HttpSender> sender);

  const std::string& server() const { return config_.server; }
  const KubeConfig& config() const { return config_; }

  // All nodes, sorted by name: one logical LIST, paginated with `limit` and
  // `continue`. If the continue token expires (410) the LIST restarts once.
  Result<std::vector<NodeInfo>> ListNodes();

  // One node, or nullopt if it does not exist.
  Result<std::optional<NodeInfo>> GetNode(const std::string& name);

  // Applies label changes to one node with a JSON merge patch: a value sets
  // or changes the label, nullopt removes it; labels not named are untouched.
  // Empty `changes` is a no-op. Fails NotFound if the node does not exist,
  // InvalidArgument (422) for an invalid label key or value.
  Status PatchNodeLabels(const std::string& name,
                         const std::map<std::string, std::optional<std::string>>& changes);

  // The ConfigMap, or nullopt if it does not exist.
  Result<std::optional<ConfigMap>> GetConfigMap(const std::string& ns, const std::string& name);

  // Makes the ConfigMap hold exactly `data` (and `labels`): GET, then POST if
  // absent or PUT with the resourceVersion read. On 409 (a concurrent writer,
  // or a concurrent create) it re-reads and tries again, up to
  // options.conflict_retries times, then fails Conflict.
  Status CreateOrReplaceConfigMap(const std::string& ns, const std::string& name,
                                  const std::map<std::string, std::string>& data,
                                  const std::map<std::string, std::string>& labels = {});

  // Deletes the ConfigMap; a missing one is OK.
  Status DeleteConfigMap(const std::string& ns, const std::string& name);

  // ---- any object, by REST path (kube_objects.cc; paths from manifest.h ObjectPath)

  // Every object of the collection at `collection_path` whose labels match
  // `label_selector` ("" = all): one logical LIST, paginated, restarted once
  // after an expired continue token. Items carry no kind/apiVersion.
  Result<std::vector<nlohmann::json>> ListObjects(const std::string& collection_path,
                                                  const std::string& label_selector);
  // The object, or nullopt when it does not exist (404).
  Result<std::optional<nlohmann::json>> GetObject(const std::string& path);
  // Server-side apply (PATCH application/apply-patch+yaml) of `object` at
  // `path` with `field_manager`; `force` takes fields from other managers,
  // `dry_run` stores nothing (dryRun=All). A 409 field-manager conflict is
  // not an error: it comes back in ApplyOutcome::conflicts.
  Result<ApplyOutcome> ApplyObject(const std::string& path, const nlohmann::json& object,
                                   const std::string& field_manager, bool force, bool dry_run);
  // Deletes the object (propagationPolicy Background); a missing one is OK.
  Status DeleteObject(const std::string& path);

  // ---- draining a node (kube_drain.cc)

  // Marks the node unschedulable (merge patch of spec.unschedulable). NotFound
  // when the node does not exist.
  Status CordonNode(const std::string& name);
  // Every pod bound to `node`, all namespaces: one logical LIST with
  // fieldSelector spec.nodeName=NODE.
  Result<std::vector<nlohmann::json>> ListPodsOnNode(const std::string& node);
  // POSTs a policy/v1 Eviction for the pod. nullopt: evicted, or already
  // gone (404). A value: the API refused it for now (429, a
  // PodDisruptionBudget): its message and causes, to retry later.
  Result<std::optional<std::string>> EvictPod(const std::string& ns, const std::string& name);

 private:
  // Sends; fails only when no answer arrived (error prefixed with call.what).
  Result<HttpResponse> Send(const HttpRequest& request, const CallContext& call);
  // Sends and maps non-2xx statuses to Status (see the table above).
  Result<HttpResponse> Call(const HttpRequest& request, const CallContext& call);
  Result<std::vector<NodeInfo>> ListNodesOnce(bool* expired);
  Result<std::vector<nlohmann::json>> ListObjectsOnce(const std::string& collection_path,
                                                      const std::string& label_selector, bool* expired,
                                                      const std::string& field_selector = "");

  const KubeConfig config_;
  const KubeClientOptions options_;
  std::shared_ptr<HttpSender> http_;
};

}  // namespace paiplan::kube
