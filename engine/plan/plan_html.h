// The plan as one self-contained HTML page for reviewers: the summary (per
// kind), warnings and errors, the DAG as inline SVG (from LayoutSvg) whose
// nodes link to their action, and every changing action as a <details>
// section with its reason, dependencies and diff (additions and removals
// highlighted). Filters by kind, action and service need JavaScript; the page
// reads fully without it. It loads nothing: styles and script are inline and
// a Content-Security-Policy forbids every fetch. Secrets are masked as in
// MakeReview. Byte-stable for the same plan and SVG.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "engine/plan/model.h"

namespace paiplan::plan {

struct HtmlOptions {
  std::vector<std::string> secrets;
  std::string svg;         // the laid-out graph (LayoutSvg); empty: no graph
  std::string graph_note;  // shown instead of the graph when svg is empty
  std::string title = "paiplan plan";
};

std::string PlanToHtml(const Plan& plan, const HtmlOptions& opt);

}  // namespace paiplan::plan
