// The plan's DAG as a picture: DOT text for the changing actions (one vertex
// per action, coloured by action, linking to the action's section `#anchor`,
// edges from what it waits for), laid out as SVG by Graphviz `dot`.
//
// Thread-safety: PlanDot is pure; LayoutSvg runs a process and may be called
// from several threads at once.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "engine/plan/plan_review.h"

namespace paiplan::plan {

// Each vertex has id "n-" + anchor, class = the action name ("create", ...)
// and URL "#" + anchor. Byte-stable for the same review.
std::string PlanDot(const Review& review);

// Fill colour of an action's vertex and of its badge on the page.
const char* ActionColor(const std::string& action);

// Runs `dot -Tsvg` (found on PATH) on `dot_text` and returns the <svg>
// element alone (no XML prolog, doctype or comment before it).
// Fails: NotFound when `dot` is not on PATH (Graphviz not installed),
// IOError when it cannot run or it fails (its message included).
Result<std::string> LayoutSvg(const std::string& dot_text);

}  // namespace paiplan::plan
