// The object.* resources of the workspace: one per Kubernetes object in the
// rendered manifests of each native service (a service.yaml without
// start-script), with its edges:
//   render.S/F → object.S/...           (the file that defines it)
//   service.P → object.S/...            (a prerequisite service P: all of its
//                                       objects, applied and ready, come first)
//   object.S/<earlier kind> → object.S/<later kind>   (Helm's install order)
//   object.S/... → service.S
// and, unless paiplan.yaml's ignore-scripted-objects names it, one per object a scripted
// service's manifests define (attribute mode "scripted"; Jobs and objects
// annotated paiplan.io/observe: "false" left out), observed only:
//   render.S/F → object.S/...,  service.S → object.S/...  (its scripts apply it)
// Pure: reads the render contents already in `out`.
#pragma once

#include <map>
#include <string>

#include "engine/base/diagnostics.h"
#include "engine/config/workspace.h"
#include "engine/plan/env.h"

namespace paiplan::plan {

// Whether paiplan applies `svc`'s objects itself (no start-script).
bool IsNativeService(const config::ServiceDef& svc);

// Adds the objects of every native service of `ws` to `out` (which holds the
// render.* and service.* resources already). A manifest that does not parse,
// or two documents naming the same object, are errors in `diags` naming the
// rendered file.
void AddObjects(const config::Workspace& ws, Diagnostics* diags, std::map<std::string, Desired>* out);

}  // namespace paiplan::plan
