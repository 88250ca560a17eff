#include "engine/cli/common.h"

#include "engine/plan/join_credentials.h"

#include <unistd.h>

#include <cstdlib>

#include "engine/base/fs.h"

namespace paiplan::cli {

bool UseColor(const GlobalOptions& g, int fd) {
  if (g.no_color) return false;
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return ::isatty(fd) != 0;
}

void PrintDiagnostics(const GlobalOptions& g, Diagnostics* diags) {
  diags->Sort();
  diags->Print(std::cerr, UseColor(g, 2));
}

void PrintError(const GlobalOptions& g, const std::string& message) {
  bool c = UseColor(g, 2);
  std::cerr << (c ? "\033[1;31merror\033[0m: " : "error: ") << message << "\n";
}

void PrintWarning(const GlobalOptions& g, const std::string& message) {
  bool c = UseColor(g, 2);
  std::cerr << (c ? "\033[1;33mwarning\033[0m: " : "warning: ") << message << "\n";
}

std::optional<config::Workspace> LoadWorkspaceOrReport(const GlobalOptions& g, Diagnostics* diags) {
  config::LoadOptions opts;
  opts.allow_missing = g.allow_missing;
  opts.untrusted = g.untrusted;
  auto ws = config::LoadWorkspace(g.dir, opts, diags);
  if (ws && g.strict_templates) ws->settings.strict_templates = true;
  PrintDiagnostics(g, diags);
  if (!ws) {
    size_t n = diags->ErrorCount();
    std::cerr << n << (n == 1 ? " error" : " errors") << " in the workspace " << fs::Absolute(g.dir)
              << "; nothing was changed.\n";
  }
  return ws;
}

bool KubernetesConfigured(const config::Workspace& ws, std::string* why) {
  if (!ws.settings.kube_enabled) {
    why->clear();  // disabled on purpose: nothing to warn about
    return false;
  }
  if (!ws.settings.kubeconfig.empty()) return true;
  const char* kc = std::getenv("KUBECONFIG");
  if (kc && *kc) return true;
  const char* home = std::getenv("HOME");
  if (home && fs::Exists(fs::Join(home, ".kube/config"))) return true;
  // The role packages create the cluster and hand its admin kubeconfig over
  // during the apply (docs/bootstrap.md); not in their dry mode.
  auto mode = ws.settings.node_env.find("PAIPLAN_BOOTSTRAP_MODE");
  bool dry = mode != ws.settings.node_env.end() && mode->second == "dry";
  if (plan::IsJoinedCluster(ws) && !dry) return true;
  *why = "no Kubernetes cluster is configured (paiplan.yaml kubernetes:, KUBECONFIG or ~/.kube/config): "
         "node labels and the cluster ConfigMap are not managed";
  return false;
}

}  // namespace paiplan::cli
