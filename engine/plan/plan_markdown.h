// The plan as Markdown for a pull-request comment (GitHub, GitLab): a title,
// the summary line, a table of adds/changes/destroys per resource kind, then
// one collapsible <details> section per changing action with its reason,
// what it waits for and its diff in a fenced block. Secrets are masked (see
// MakeReview). The order is the plan's (by address), so the bytes are stable.
//
// Size: the text stays under `max_chars` bytes (GitHub refuses comments over
// 65,536 characters; a byte count is never below the character count). When
// it would not, the largest diffs are left out first, each replaced by a line
// saying so, and a note at the top names them and how to see them
// (`see_hint`); if leaving every diff out is still not enough, the last
// sections are left out too and counted.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "engine/plan/model.h"

namespace paiplan::plan {

struct MarkdownOptions {
  std::vector<std::string> secrets;  // values masked wherever they appear
  size_t max_chars = 65000;
  // How a reader sees what was left out, as Markdown, e.g.
  // "`paiplan show plan.out` or the HTML page of this plan".
  std::string see_hint = "`paiplan show` of the saved plan";
};

// REQUIRES: max_chars >= 2000 (room for the title, the table and the note).
std::string PlanToMarkdown(const Plan& plan, const MarkdownOptions& opt);

}  // namespace paiplan::plan
