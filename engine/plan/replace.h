// --replace ADDR (Terraform's -replace): force a resource to be replaced
// although nothing about it changed, with the reason `replacement requested`,
// and plan what must follow it.
//
// What "replace" carries out per kind: node.* re-bootstraps the machine (its
// role package is uploaded and bootstrap.sh run again); service.* runs its
// stop-script, then its start-script; label.*, config.* and render.* are
// written again whole. What follows: every resource that depends directly on
// a replaced one and would otherwise not change is updated (labels are patched
// again after a re-bootstrap, a service is refreshed after its prerequisite
// was restarted), with the reason `follows the replacement of ADDR`.
//
// Thread-safety: pure function over the plan value.
#pragma once

#include <string>
#include <vector>

#include "engine/base/diagnostics.h"
#include "engine/plan/model.h"

namespace paiplan::plan {

inline constexpr char kReplacementRequested[] = "replacement requested";

// Turns the actions named by `addresses` into replacements and updates their
// direct dependents. REQUIRES: plan->actions sorted by address, before
// --target/--exclude are applied and before LinkActions.
// Fails (errors in `diags`, plan left as it was for that address) when an
// address is in neither the workspace nor the state, or is only in the state
// (it is being destroyed: there is nothing to replace it with).
void ApplyReplacements(Plan* plan, const std::vector<std::string>& addresses, Diagnostics* diags);

}  // namespace paiplan::plan
