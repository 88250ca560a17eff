// `paiplan validate`: parse + schema + semantic + graph checks; no network,
// nothing written.
#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/cli/commands.h"
#include "engine/cli/runtime.h"
#include "engine/graph/resource_graph.h"
#include "engine/plan/attr_diff.h"
#include "engine/plan/desired.h"
#include "engine/plan/plan_io.h"
#include "providers/template/jinja.h"

namespace paiplan::cli {
namespace {

// With a key: the key file must load. Without one: one warning when the
// workspace has sensitive values, which the state would then hold in clear.
void CheckStateEncryption(const config::Workspace& ws, Diagnostics* diags) {
  auto key = LoadStateKey(ws.settings);
  if (!key) {
    diags->Error({}, key.error().message(),
                 "check state.encryption.key-file in paiplan.yaml (or PAIPLAN_STATE_KEY_FILE)");
    return;
  }
  if (key->has_value()) return;
  // Only the enabled services' configuration is recorded (machine passwords never are).
  std::vector<std::string> secrets;
  for (const auto& [name, svc] : ws.services) plan::CollectSecrets(ws.ServiceConfig(name), &secrets);
  if (secrets.empty()) return;
  diags->Warning({}, "the workspace has sensitive values (keys ending in password, token, secret or key); "
                     "without a state key they are stored in the state in clear",
                 "set state: {encryption: {key-file: PATH}} in paiplan.yaml (or PAIPLAN_STATE_KEY_FILE), with a "
                 "key made by: openssl rand -hex 32 > PATH (docs/state-encryption.md)");
}

}  // namespace

namespace {

// Parses (does not render) every service and role template, so validate
// reports what plan would: syntax errors and the expression-depth budget.
void CheckTemplates(const config::Workspace& ws, Diagnostics* diags) {
  auto parse = [&](const std::string& path, const std::string& name) {
    auto text = fs::ReadFile(path);
    if (!text) return;  // a missing template is reported by the loader
    auto t = tmpl::Template::Parse(*text, name);
    if (!t) diags->Error({path, 0, 0}, t.error().message(), "fix the template");
  };
  for (const auto& [name, svc] : ws.services) {
    for (const auto& f : svc.templates) parse(fs::Join(svc.deploy_dir, f + ".template"), name + "/deploy/" + f + ".template");
  }
  auto roles = fs::ListFilesRecursive(ws.roles_dir);
  if (!roles) {
    if (roles.error().code() != Code::kPermissionDenied) return;  // no role package: reported by plan
    diags->Error({ws.roles_dir, 0, 0}, roles.error().message(), "copy the file into the role package instead of linking it");
    return;
  }
  for (const auto& f : *roles) {
    if (f.ends_with(".template")) parse(fs::Join(ws.roles_dir, f), fs::Join(ws.roles_dir, f));
  }
}

}  // namespace

int CmdValidate(const GlobalOptions& g) {
  Diagnostics diags;
  auto ws = LoadWorkspaceOrReport(g, &diags);
  if (!ws) return kExitError;
  std::string why;
  bool kube = KubernetesConfigured(*ws, &why);
  Diagnostics gdiags;
  auto graph = graph::ResourceGraph::Build(*ws, kube, &gdiags);
  CheckTemplates(*ws, &gdiags);
  if (gdiags.HasErrors()) graph.reset();
  if (!kube && !why.empty()) {
    gdiags.Warning({}, why,
                   "to manage them, set kubernetes.kubeconfig in paiplan.yaml (or KUBECONFIG); "
                   "kubernetes: {enabled: false} in paiplan.yaml says you do not want to (and silences this)");
  }
  for (const auto& w : KubeConfigWarnings(*ws)) gdiags.Warning({}, w);
  // Render every template and role package (no network): what plan would
  // render, so a template error or an undefined value is found here first.
  if (graph) plan::ComputeDesired(*ws, *graph, ws->settings.kube_namespace, &gdiags);
  CheckStateEncryption(*ws, &gdiags);
  PrintDiagnostics(g, &gdiags);
  if (!graph || gdiags.HasErrors()) {
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

// The actions of a saved plan as DOT: one vertex per changing action, labelled
// with its symbol, edges from what it waits for.
int PlanGraph(const GlobalOptions& g, const std::string& plan_file) {
  auto p = plan::LoadPlanFile(plan_file);
  if (!p) {
    PrintError(g, p.error().message());
    return kExitError;
  }
  std::cout << "digraph paiplan_plan {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
  for (const auto& a : p->actions) {
    if (a.type == plan::ActionType::kNoOp) continue;
    std::cout << "  \"" << a.address << "\" [label=\"" << plan::ActionName(a.type) << " " << a.address << "\"];\n";
  }
  for (const auto& a : p->actions) {
    for (const auto& d : a.depends_on) std::cout << "  \"" << d << "\" -> \"" << a.address << "\";\n";
  }
  std::cout << "}\n";
  return kExitOk;
}

int CmdGraph(const GlobalOptions& g, const std::string& plan_file) {
  if (!plan_file.empty()) return PlanGraph(g, plan_file);
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
