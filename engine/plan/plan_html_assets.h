// The style sheet and script embedded in the plan's HTML page (PlanToHtml).
// Kept apart so the page builder reads as structure.
#pragma once

namespace paiplan::plan {

extern const char* const kPlanPageCss;
// Unhides the filters; filters sections by kind/action/service (also from
// the query string ?kind=&action=&service=); opens the section a graph node
// or a link points to.
extern const char* const kPlanPageJs;

}  // namespace paiplan::plan
