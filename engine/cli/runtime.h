// The composition root: builds the real providers (SSH pool, local
// transports, the Kubernetes client, the state store) for a loaded workspace.
// Nothing else in paiplan constructs concrete providers.
//
// Thread-safety: the transport factory and the KubeApi adapter are safe to
// use from the executor's workers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/cli/common.h"
#include "engine/graph/resource_graph.h"
#include "engine/plan/env.h"
#include "engine/plan/planner.h"
#include "state/crypto/state_key.h"
#include "state/state_store.h"

namespace paiplan::cli {

class Runtime {
 public:
  // REQUIRES: `ws` outlives the Runtime.
  Runtime(const GlobalOptions& g, const config::Workspace& ws);
  ~Runtime();

  // Connects the Kubernetes client when a cluster is configured. Returns
  // false (with `why`) when Kubernetes is not managed at all.
  bool kubernetes() const { return kube_managed_; }
  const std::string& kube_note() const { return kube_note_; }
  // What the kubeconfig in use asks the operator to see (e.g.
  // insecure-skip-tls-verify is on); empty when Kubernetes is not managed.
  const std::vector<std::string>& kube_warnings() const { return kube_warnings_; }
  plan::Env& env() { return env_; }
  // Values of sensitive config keys and machine passwords: masked in output.
  const std::vector<std::string>& secrets() const { return secrets_; }
  // Adds the secrets recorded in the state's service records (their config
  // as last applied): a secret changed since is still in the plan's "before"
  // side and in the rendered files on disk.
  void AddRecordedSecrets(const state::Snapshot& snapshot);

  // Loads the script outputs recorded in `snapshot` (for scripts and
  // templates) and, when templates read outputs, computes the desired state
  // again with them; errors go to `diags`. False on error.
  bool BindRecordedOutputs(const state::Snapshot& snapshot, Diagnostics* diags);

  // Opens the state backend (creating .paiplan/state on first use).
  Result<std::unique_ptr<state::StateStore>> OpenState(bool create);

  // Graph + desired state; errors printed. nullopt on error.
  bool Prepare(Diagnostics* diags);
  const graph::ResourceGraph& graph() const { return *graph_; }
  const std::map<std::string, plan::Desired>& desired() const { return desired_; }

 private:
  void DeferToFetchedKubeconfig(const GlobalOptions& g);
  struct Impl;
  const GlobalOptions& g_;
  const config::Workspace& ws_;
  std::unique_ptr<Impl> impl_;
  plan::Env env_;
  bool kube_managed_ = false;
  std::string kube_note_;
  std::vector<std::string> kube_warnings_;
  std::vector<std::string> secrets_;
  std::optional<graph::ResourceGraph> graph_;
  std::map<std::string, plan::Desired> desired_;
  std::unique_ptr<plan::OutputRegistry> outputs_;
};

// Opens the configured state backend: LMDB at settings.state_path, or etcd at
// state.endpoints[0] under state.prefix. With `create` false, a missing LMDB
// store is NotFound (plans must not create it). The backend is wrapped in
// state::EncryptedStore with the state key (StateKeyFile) when one is set;
// `masked_reads` lets read-only commands show sealed values as "(sensitive)"
// without the key. Fails also when the key file is unreadable or malformed.
Result<std::unique_ptr<state::StateStore>> OpenStateStore(const config::Settings& s, bool create,
                                                          bool masked_reads = false);

// The state key file: $PAIPLAN_STATE_KEY_FILE, else paiplan.yaml
// state.encryption.key-file, else "" (no encryption).
std::string StateKeyFile(const config::Settings& s);
// The key of StateKeyFile(s); nullopt when none is configured. Fails when the
// file cannot be read or is not a key (the message says how to make one).
Result<std::optional<state::StateKey>> LoadStateKey(const config::Settings& s);

// The warnings of the kubeconfig the workspace would use (files only, no
// network); empty when Kubernetes is not configured or the kubeconfig does
// not load (plan and apply report that failure).
std::vector<std::string> KubeConfigWarnings(const config::Workspace& ws);

// Now as RFC 3339 UTC ("2026-11-25T12:00:00Z").
std::string NowRfc3339();

}  // namespace paiplan::cli
