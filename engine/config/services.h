// Service definitions: discovery on the service paths, service.yaml and
// config defaults loading, and the checks of each definition.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "engine/config/load_context.h"
#include "engine/config/workspace.h"

namespace paiplan::config {

// Every service defined on `paths` (first path wins), by name → its root dir.
std::map<std::string, std::string> DiscoverServices(const std::vector<std::string>& paths);

// Loads <root>/deploy/service.yaml and <root>/config/<name>.yaml, checks them
// (schema, scripts and templates exist, upgraded-script warning).
std::optional<ServiceDef> LoadService(const std::string& name, const std::string& root,
                                      LoadContext* ctx);

// The shared script library of `svc`'s service path: <path>/_lib when it is
// a directory (paiplan copies it into the service's working copy as _lib/,
// docs/kubernetes-objects.md), else "". Never fails.
std::string ServiceLibDir(const ServiceDef& svc);

// Checks that need every service and machine: deploy-rule labels carried by
// some machine (only when `layout_loaded`: without machines every rule would
// look unselected), prerequisites defined and enabled.
void CheckServiceGraphInputs(Workspace* ws, const std::map<std::string, std::string>& defined,
                             bool allow_missing, bool layout_loaded, LoadContext* ctx);

// Reports the first prerequisite cycle among the loaded services (the whole
// cycle, prerequisite → dependent, with the service.yaml files, at the entry
// that closes it) and returns true; false when there is none. Called by the
// loader, so a cycle is reported with the workspace's other errors, and by
// the graph builder for workspaces built in code.
bool ReportPrerequisiteCycle(const Workspace& ws, Diagnostics* diags);

}  // namespace paiplan::config
