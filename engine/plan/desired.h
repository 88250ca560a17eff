// Desired state: what the workspace wants for every resource of the graph,
// with a content hash per resource. Pure: reads the workspace (and the files
// it names), renders templates, touches nothing.
#pragma once

#include <map>
#include <string>

#include "engine/base/diagnostics.h"
#include "engine/config/workspace.h"
#include "engine/graph/resource_graph.h"
#include "engine/plan/env.h"
#include "engine/plan/outputs.h"
#include "providers/template/jinja.h"

namespace paiplan::plan {

// Every resource of `g`, by address. Template and role-package render errors
// go to `diags` (with the template's file:line:column).
// `recorded`: the outputs recorded in the state, which templates read as
// outputs["ADDR"]["KEY"]; null before the state is read (every output a
// template reads is then (known after apply)).
std::map<std::string, Desired> ComputeDesired(const config::Workspace& ws, const graph::ResourceGraph& g,
                                              const std::string& kube_namespace, Diagnostics* diags,
                                              const RecordedOutputs* recorded = nullptr);

// Renders deploy/<file>.template of `svc` with `ctx` ({cluster_cfg}) plus
// `outputs` (bound as ctx["outputs"] while rendering, when not empty), and
// injects the deploy-rules into manifests. Fails with the template's
// file:line:column, or when the rendered manifest is not valid YAML.
Result<std::string> RenderServiceFile(const config::Workspace& ws, const config::ServiceDef& svc,
                                      const std::string& file, nlohmann::ordered_json& ctx,
                                      const nlohmann::ordered_json& outputs,
                                      std::vector<tmpl::UndefinedOutput>* undefined = nullptr);

// A node's hash: over its attributes without the connection details kept
// outside it (keyfile_path, proxy_jump). `state mv` re-hashes a moved node.
std::string NodeHash(const ojson& attributes);

// Hash identifying the whole workspace (every input file, path and content):
// a saved plan records it, and apply refuses the plan when it changed.
std::string WorkspaceHash(const config::Workspace& ws);

// Where render.<service>/<file> is written: <paiplan_dir>/rendered/<service>/<file>.
std::string RenderPath(const std::string& paiplan_dir, const std::string& service, const std::string& file);
// The same for an address taken from the state or a saved plan
// ("render.<service>/<file>"): InvalidArgument unless the service is one
// plain name and the file a plain relative name (engine/base/path_policy.h).
Result<std::string> RenderPathOf(const std::string& paiplan_dir, const std::string& address);
// The names an address gives paths (render.<service>/<file>, service.<name>,
// node.<hostname>, ...) pass the path policy: for addresses from `state push`
// and saved plans. InvalidArgument naming the address otherwise.
Status CheckAddressNames(const std::string& address);

// The cluster ConfigMap's data: input file name → content, with every
// sensitive value replaced by "(sensitive)" (config::MaskSensitiveYaml).
std::map<std::string, std::string> ClusterConfigData(const config::Workspace& ws);

}  // namespace paiplan::plan
