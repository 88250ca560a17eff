// `paiplan validate`: parse + schema + semantic + graph checks; no network,
// nothing written.
#include <nlohmann/json.hpp>

#include "engine/cli/commands.h"
#include "engine/graph/resource_graph.h"

namespace paiplan::cli {

int CmdValidate(const GlobalOptions& g) {
  Diagnostics diags;
  auto ws = LoadWorkspaceOrReport(g, &diags);
  if (!ws) return kExitError;
  std::string why;
  bool kube = KubernetesConfigured(*ws, &why);
  Diagnostics gdiags;
  auto graph = graph::ResourceGraph::Build(*ws, kube, &gdiags);
  if (!kube) {
    gdiags.Warning({}, why,
                   ws->settings.kube_enabled
                       ? "to manage them, set kubernetes.kubeconfig in paiplan.yaml (or KUBECONFIG)"
                       : "node labels and the cluster ConfigMap are not managed; remove kubernetes.enabled: false "
                         "from paiplan.yaml to manage them");
  }
  PrintDiagnostics(g, &gdiags);
  if (!graph) {
    std::cerr << gdiags.ErrorCount() << " error(s); nothing was changed.\n";
    return kExitError;
  }
  if (g.json) {
    nlohmann::ordered_json out = {{"valid", true},
                                  {"machines", ws->machines.size()},
                                  {"services", ws->services.size()},
                                  {"resources", graph->size()},
                                  {"edges", graph->edge_count()},
                                  {"kubernetes", kube},
                                  {"warnings", diags.WarningCount() + gdiags.WarningCount()}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "The workspace is valid: " << ws->machines.size() << " machines, " << ws->services.size()
              << " services, " << graph->size() << " resources, " << graph->edge_count() << " edges.\n";
  }
  return kExitOk;
}

int CmdGraph(const GlobalOptions& g, const std::string& plan_file) {
  Diagnostics diags;
  auto ws = LoadWorkspaceOrReport(g, &diags);
  if (!ws) return kExitError;
  std::string why;
  bool kube = KubernetesConfigured(*ws, &why);
  Diagnostics gdiags;
  auto graph = graph::ResourceGraph::Build(*ws, kube, &gdiags);
  PrintDiagnostics(g, &gdiags);
  if (!graph) return kExitError;
  std::cout << graph->ToDot();
  return kExitOk;
}

}  // namespace paiplan::cli
