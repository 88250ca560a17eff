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

namespace paiplan::plan {

// Every resource of `g`, by address. Template and role-package render errors
// go to `diags` (with the template's file:line:column).
std::map<std::string, Desired> ComputeDesired(const config::Workspace& ws, const graph::ResourceGraph& g,
                                              const std::string& kube_namespace, Diagnostics* diags);

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
