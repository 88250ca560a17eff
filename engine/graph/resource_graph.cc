#include "engine/graph/resource_graph.h"

#include "engine/base/fs.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <functional>
#include <queue>
#include <sstream>

#include "engine/config/services.h"

namespace paiplan::graph {

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kNode: return "node";
    case Kind::kLabel: return "label";
    case Kind::kConfig: return "config";
    case Kind::kRender: return "render";
    case Kind::kService: return "service";
    case Kind::kObject: return "object";
  }
  return "?";
}

std::optional<Kind> KindOfAddress(const std::string& a) {
  auto dot = a.find('.');
  if (dot == std::string::npos || dot + 1 >= a.size()) return std::nullopt;
  std::string p = a.substr(0, dot);
  if (p == "node") return Kind::kNode;
  if (p == "label") return Kind::kLabel;
  if (p == "config") return Kind::kConfig;
  if (p == "render") return a.find('/', dot) != std::string::npos ? std::optional(Kind::kRender) : std::nullopt;
  if (p == "service") return Kind::kService;
  if (p == "object") return a.find('/', dot) != std::string::npos ? std::optional(Kind::kObject) : std::nullopt;
  return std::nullopt;
}

std::vector<size_t> SelectedHosts(const config::Workspace& ws, const config::ServiceDef& svc) {
  std::vector<size_t> out;
  if (svc.deploy_rules.empty()) return out;
  for (const auto& m : ws.machines) {
    bool ok = true;
    for (const auto& r : svc.deploy_rules) {
      bool has = std::binary_search(m.labels.begin(), m.labels.end(), r.label);
      if (has != r.in) { ok = false; break; }
    }
    if (ok) out.push_back(m.index);
  }
  return out;
}


void ResourceGraph::AddEdge(int from, int to) {
  deps_[to].push_back(from);
  dependents_[from].push_back(to);
}

void ResourceGraph::Finish() {
  for (auto* lists : {&deps_, &dependents_}) {
    for (auto& v : *lists) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    }
  }
}

// A joined cluster (the master role package ships join-credentials.sh, see
// engine/plan/join_credentials.h) comes up in kubeadm's order: every proxy,
// then the first master, then the other masters, then the workers.
void ResourceGraph::AddJoinOrder(const config::Workspace& ws, ResourceGraph* g) {
  if (!fs::Exists(fs::Join(fs::Join(ws.roles_dir, "master"), "join-credentials.sh"))) return;
  std::vector<int> proxies, masters, workers;
  for (const auto& m : ws.machines) {
    int v = g->Find("node." + m.hostname);
    (m.role == "proxy" ? proxies : m.role == "master" ? masters : workers).push_back(v);
  }
  if (masters.empty()) return;
  for (int p : proxies) g->AddEdge(p, masters[0]);
  for (size_t i = 1; i < masters.size(); ++i) g->AddEdge(masters[0], masters[i]);
  for (int w : workers) {
    for (int m : masters) g->AddEdge(m, w);
  }
  // The cluster's ConfigMap needs the cluster (and, on a new one, the admin
  // kubeconfig the first master's bootstrap fetches).
  if (int config = g->Find("config.cluster"); config >= 0) g->AddEdge(masters[0], config);
}

std::optional<ResourceGraph> ResourceGraph::Build(const config::Workspace& ws, bool with_kube,
                                                  Diagnostics* diags) {
  if (config::ReportPrerequisiteCycle(ws, diags)) return std::nullopt;
  ResourceGraph g;
  auto& rs = g.resources_;
  for (const auto& m : ws.machines) {
    rs.push_back({"node." + m.hostname, Kind::kNode, m.hostname, "", ""});
    if (with_kube) rs.push_back({"label." + m.hostname, Kind::kLabel, m.hostname, "", ""});
  }
  if (with_kube) rs.push_back({"config.cluster", Kind::kConfig, "", "", ""});
  for (const auto& [name, def] : ws.services) {
    rs.push_back({"service." + name, Kind::kService, "", name, ""});
    for (const auto& t : def.templates) rs.push_back({"render." + name + "/" + t, Kind::kRender, "", name, t});
  }
  std::sort(rs.begin(), rs.end(), [](const Resource& a, const Resource& b) { return a.address < b.address; });
  for (size_t i = 0; i < rs.size(); ++i) g.index_.emplace(rs[i].address, int(i));
  g.deps_.resize(rs.size());
  g.dependents_.resize(rs.size());
  // The vertex a service waits for on each host, looked up once per host
  // rather than once per (service, host) edge.
  std::vector<int> host_vertex(ws.machines.size());
  for (const auto& m : ws.machines) {
    int node = g.Find("node." + m.hostname);
    host_vertex[m.index] = node;
    if (!with_kube) continue;
    host_vertex[m.index] = g.Find("label." + m.hostname);
    g.AddEdge(node, host_vertex[m.index]);
  }
  AddJoinOrder(ws, &g);
  int config = with_kube ? g.Find("config.cluster") : -1;
  for (const auto& [name, def] : ws.services) {
    int s = g.Find("service." + name);
    for (size_t h : SelectedHosts(ws, def)) g.AddEdge(host_vertex[h], s);
    if (config >= 0) g.AddEdge(config, s);
    for (const auto& t : def.templates) g.AddEdge(g.Find("render." + name + "/" + t), s);
    for (const auto& p : def.prerequisites) {
      int pi = g.Find("service." + p);
      if (pi >= 0) g.AddEdge(pi, s);
    }
  }
  g.Finish();
  return g;
}

int ResourceGraph::Find(const std::string& address) const {
  auto it = index_.find(address);
  return it == index_.end() ? -1 : it->second;
}

size_t ResourceGraph::edge_count() const {
  size_t n = 0;
  for (const auto& d : deps_) n += d.size();
  return n;
}

std::vector<int> ResourceGraph::TopologicalOrder() const {
  using G = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  G bg(resources_.size());
  // boost::topological_sort emits reverse order; add edges from dependents to
  // prerequisites, highest index first, so the result is prerequisites first
  // with ties in a fixed order.
  for (size_t i = resources_.size(); i-- > 0;) {
    for (int d : deps_[i]) boost::add_edge(i, size_t(d), bg);
  }
  std::vector<size_t> out;
  boost::topological_sort(bg, std::back_inserter(out));
  return std::vector<int>(out.begin(), out.end());
}

std::string ResourceGraph::ToDot() const {
  std::ostringstream o;
  o << "digraph paiplan {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
  for (const auto& r : resources_) {
    o << "  \"" << r.address << "\" [group=\"" << KindName(r.kind) << "\"];\n";
  }
  for (size_t i = 0; i < resources_.size(); ++i) {
    for (int d : dependents_[i]) o << "  \"" << resources_[i].address << "\" -> \"" << resources_[d].address << "\";\n";
  }
  o << "}\n";
  return o.str();
}

}  // namespace paiplan::graph
