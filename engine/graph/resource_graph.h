// The resource DAG of a workspace (docs/workspace.md, "Resources"): one vertex per resource
// address, one edge per "must happen first" relation.
//
//   node.H → label.H                        (the node exists before it is labelled)
//   label.H → service.S                     for every host H that S's deploy-rules select
//   node.H → service.S                      instead, when no Kubernetes cluster is configured
//   config.cluster → service.*              (services read the cluster configuration)
//   render.S/F → service.S
//   service.P → service.S                   for each prerequisite P of S
//
// Built on Boost.Graph; vertices are kept sorted by address so every walk and
// every printout is deterministic.
//
// Thread-safety: immutable after Build; safe to read from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostics.h"
#include "engine/config/workspace.h"

namespace paiplan::graph {

// kObject (object.<service>/<Kind>/[<ns>/]<name>) resources come from
// rendered manifests, so they are not vertices of this graph: the desired
// state adds them with their edges (engine/plan/object_desired.cc).
enum class Kind { kNode, kLabel, kConfig, kRender, kService, kObject };
const char* KindName(Kind k);
// Kind of an address by its prefix; nullopt for a malformed address.
std::optional<Kind> KindOfAddress(const std::string& address);

struct Resource {
  std::string address;  // node.H, label.H, config.cluster, render.S/F, service.S
  Kind kind = Kind::kNode;
  std::string machine;  // hostname for node.* and label.*
  std::string service;  // for render.* and service.*
  std::string file;     // for render.*
};

class ResourceGraph {
 public:
  // Builds the graph; reports a prerequisite cycle (the whole cycle, with the
  // service.yaml files) into `diags` and returns nullopt.
  static std::optional<ResourceGraph> Build(const config::Workspace& ws, bool with_kubernetes,
                                            Diagnostics* diags);

  size_t size() const { return resources_.size(); }
  size_t edge_count() const;
  const std::vector<Resource>& resources() const { return resources_; }
  const Resource& at(size_t i) const { return resources_[i]; }
  // Index of `address`, or -1.
  int Find(const std::string& address) const;
  // Direct prerequisites / dependents of vertex i, sorted by index.
  const std::vector<int>& deps(size_t i) const { return deps_[i]; }
  const std::vector<int>& dependents(size_t i) const { return dependents_[i]; }
  // A topological order (prerequisites first), ties broken by address.
  std::vector<int> TopologicalOrder() const;
  // Graphviz DOT, byte-identical for the same workspace.
  std::string ToDot() const;

 private:
  static void AddJoinOrder(const config::Workspace& ws, ResourceGraph* g);
  void AddEdge(int from, int to);
  void Finish();

  std::vector<Resource> resources_;
  std::map<std::string, int> index_;
  std::vector<std::vector<int>> deps_;
  std::vector<std::vector<int>> dependents_;
};

// Hosts (indices into ws.machines) selected by `svc`'s deploy-rules: machines
// carrying every `in` label and none of the `notin` labels. A service with no
// rules selects no host.
std::vector<size_t> SelectedHosts(const config::Workspace& ws, const config::ServiceDef& svc);

}  // namespace paiplan::graph
