// What resource handlers work with: the environment they observe and change
// (behind narrow interfaces), and the handler interface itself.
//
// One ResourceHandler per resource kind (node, label, config, render,
// service). The planner asks it to observe resources in batches and to
// explain changes; the executor asks it to apply one action.
//
// Thread-safety: Observe is called from the planner's thread only; Apply may
// be called concurrently for different actions, so handlers keep no mutable
// state outside what their interfaces synchronise.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"
#include "engine/config/workspace.h"
#include "engine/plan/model.h"
#include "engine/plan/outputs.h"
#include "providers/transport.h"
#include "state/state_store.h"

namespace paiplan::plan {

// What paiplan puts on the objects it creates, and looks for before it
// overwrites one (docs/workspace.md: objects paiplan did not create are left alone
// unless imported).
inline constexpr char kManagedByLabel[] = "app.kubernetes.io/managed-by";
inline constexpr char kManagedByValue[] = "paiplan";

struct KubeConfigMap {
  std::map<std::string, std::string> data;
  std::map<std::string, std::string> labels;
  bool ManagedByPaiplan() const {
    auto it = labels.find(kManagedByLabel);
    return it != labels.end() && it->second == kManagedByValue;
  }
};

// A field another manager owns that a server-side apply would change.
struct ObjectConflict {
  std::string manager;  // "kubectl"
  std::string field;    // ".spec.replicas"
};

struct ObjectApplyResult {
  nlohmann::json object;                 // the object as the API answered (empty on conflicts)
  std::vector<ObjectConflict> conflicts;  // non-empty: nothing was applied
};

// A Node's Ready condition (node.* repairs).
struct NodeReadiness {
  bool ready = false;
  std::string since;  // the condition's lastTransitionTime, RFC 3339 ("" when unknown)
};

// The part of the Kubernetes API paiplan uses (implemented over libcurl in
// providers/kubernetes, and by fakes in unit tests).
class KubeApi {
 public:
  virtual ~KubeApi() = default;
  virtual std::string server() const = 0;
  // node name → labels, for every node (one paginated LIST).
  virtual Result<std::map<std::string, std::map<std::string, std::string>>> ListNodeLabels() = 0;
  // Labels of one node; nullopt when the node does not exist.
  virtual Result<std::optional<std::map<std::string, std::string>>> GetNodeLabels(const std::string& node) = 0;
  // nullopt value: remove the label.
  virtual Status PatchNodeLabels(const std::string& node,
                                 const std::map<std::string, std::optional<std::string>>& changes) = 0;
  // nullopt when the ConfigMap does not exist.
  virtual Result<std::optional<KubeConfigMap>> GetConfigMap(const std::string& ns, const std::string& name) = 0;
  // Creates or replaces the ConfigMap with exactly `cm`'s data and labels.
  virtual Status PutConfigMap(const std::string& ns, const std::string& name, const KubeConfigMap& cm) = 0;
  virtual Status DeleteConfigMap(const std::string& ns, const std::string& name) = 0;

  // The Ready condition of a node (rolling replacement's health gate):
  // nullopt when the node does not exist. The default fails InvalidArgument.
  virtual Result<std::optional<NodeReadiness>> GetNodeReadiness(const std::string& node);

  // ---- any object (object.* resources). The defaults fail Unimplemented,
  // so fakes that do not deal with objects need not implement them.
  // Objects of `kind` in `ns` ("" = cluster-scoped) matching `label_selector`.
  virtual Result<std::vector<nlohmann::json>> ListObjects(const std::string& api_version, const std::string& kind,
                                                          const std::string& ns, const std::string& label_selector);
  // nullopt when it does not exist.
  virtual Result<std::optional<nlohmann::json>> GetObject(const std::string& api_version, const std::string& kind,
                                                          const std::string& ns, const std::string& name);
  // Server-side apply with fieldManager paiplan.
  virtual Result<ObjectApplyResult> ApplyObject(const nlohmann::json& object, bool force, bool dry_run);
  // A missing object is OK.
  virtual Status DeleteObject(const std::string& api_version, const std::string& kind, const std::string& ns,
                              const std::string& name);

  // ---- Nodes: readiness, draining, deletion (node.* removals and repairs;
  // node_drain.h). The defaults fail Unimplemented, as above.
  // Every node's Ready condition (one paginated LIST).
  virtual Result<std::map<std::string, NodeReadiness>> ListNodeReadiness();
  // Sets spec.unschedulable; NotFound when the node does not exist.
  virtual Status CordonNode(const std::string& node);
  // Every pod bound to the node (fieldSelector spec.nodeName), all namespaces.
  virtual Result<std::vector<nlohmann::json>> ListPodsOnNode(const std::string& node);
  // nullopt: evicted or already gone; a value: refused for now (429: a
  // PodDisruptionBudget), the API's words.
  virtual Result<std::optional<std::string>> EvictPod(const std::string& ns, const std::string& name);
  // Deletes the Node object; a missing one is OK.
  virtual Status DeleteNode(const std::string& node);
};

// Reaches a machine (SSH or local directory); the returned transport is
// pooled and stays valid for the Env's lifetime.
using TransportFactory = std::function<Result<providers::Transport*>(const config::Machine&)>;

struct Env {
  const config::Workspace* ws = nullptr;
  std::string paiplan_dir;  // <workspace>/.paiplan
  TransportFactory transport;
  KubeApi* kube = nullptr;  // null: Kubernetes not managed
  std::string kube_error;   // why kube is null although configured (observation then fails)
  std::string kubeconfig_path;  // exported to scripts as KUBECONFIG
  std::function<std::string()> now;  // RFC 3339 UTC
  std::vector<std::string> secrets;  // masked in logs written outside an apply (status probes)
  bool untrusted = false;  // --untrusted-workspace: no status probe runs (docs/security.md)
  bool force_conflicts = false;      // apply --force-conflicts: take fields other managers own
  double ready_poll_seconds = 0.5;   // how often readiness is polled
  OutputRegistry* outputs = nullptr;  // script outputs known so far (null: none are kept)
};

// The environment a script gets for the outputs of `producers`:
// OutputEnvName(address, key) → value, for every output each one published.
std::map<std::string, std::string> OutputEnvironment(const Env& env, const std::vector<std::string>& producers);

// What the workspace wants for one resource.
struct Desired {
  std::string address;
  graph::Kind kind = graph::Kind::kNode;
  ojson attributes;
  std::string hash;
  std::string machine;   // node.*: hostname
  std::string content;   // render.*: rendered text
  std::vector<std::string> resource_deps;  // graph prerequisites (and producers of outputs it reads)
};

// What a provider saw.
struct Observation {
  bool observed = false;  // false: not observable, or failed (see error)
  bool exists = false;
  std::string hash;
  ojson attributes;
  std::string error;  // why it could not be observed
  std::string note;   // shown under the resource's action (e.g. why applying it will fail)
};

struct ObserveItem {
  std::string address;
  const Desired* desired = nullptr;              // null: only recorded
  const state::ResourceRecord* recorded = nullptr;  // null: not in state
};

struct ApplyContext {
  std::function<void(std::string_view)> log;  // the action's log file
  const std::atomic<bool>* cancelled = nullptr;
  std::string log_path;
};

struct ApplyResult {
  Status status;
  state::Batch batch;  // records to commit when the action finished (also on failure)
};

// One way an observation differs from the record, for reports and for the
// expected-drift rules of paiplan.yaml (drift.ignore[].attribute is a glob
// over `attribute`). Attributes per kind: node `marker`; label
// `labels.<key>`, `node`; config `data.<key>`, `configmap`; render
// `content`, `file`; service `status`. "" when a handler gives no structure.
struct Difference {
  std::string attribute;  // "labels.pai-worker"
  std::string message;    // "pai-worker removed outside paiplan"
};

class ResourceHandler {
 public:
  virtual ~ResourceHandler() = default;
  virtual graph::Kind kind() const = 0;
  // Fills out[address] for each item. Never fails as a whole: a resource that
  // cannot be observed gets observed=false with an error.
  virtual void Observe(const std::vector<ObserveItem>& items, std::map<std::string, Observation>* out) = 0;
  // "" when the observation matches the record, else what differs
  // ("bootstrap marker missing on the node", "labels drifted: pai-worker removed outside paiplan").
  virtual std::string DescribeDrift(const state::ResourceRecord& recorded, const Observation& obs) const = 0;
  // Each difference on its own; the default is DescribeDrift as one
  // unstructured difference (attribute "").
  virtual std::vector<Difference> Differences(const state::ResourceRecord& recorded, const Observation& obs) const;
  // Words for some of Differences() (all of them, or those no ignore rule
  // matched), worded as DescribeDrift words all of them; "" for none.
  virtual std::string DescribeDifferences(const state::ResourceRecord& recorded,
                                          const std::vector<Difference>& diffs) const;
  // Lets a drift repair differ from a plain update (the service handler
  // re-runs the start-script when its status probe failed). Called by the
  // planner after it turned drift into `action`.
  virtual void PlanRepair(const Observation& obs, Action* action) const {}
  // The steps a delete of `address` takes, shown under it one per line
  // (a machine's removal); known after Observe.
  virtual std::vector<std::string> DeleteSteps(const std::string& address) const { return {}; }
  // Why recorded attributes `before` must become `after` ("template grafana.yaml changed").
  virtual std::string DescribeChange(const ojson& before, const ojson& after) const = 0;
  // Carries out `action`. The batch holds what to record (the new record, or a
  // delete, or a failed-outcome record).
  virtual ApplyResult Apply(const Action& action, ApplyContext& ctx) = 0;
};

// The record written after a successful action on a desired resource.
state::ResourceRecord MakeRecord(const Action& action, const std::string& now);

}  // namespace paiplan::plan
