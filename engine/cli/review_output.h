// `show FILE --format markdown|html` and `plan --format markdown|html`: the
// plan for reviewers, on stdout (engine/plan/plan_markdown.h, plan_html.h).
#pragma once

#include <string>
#include <vector>

#include "engine/cli/common.h"
#include "engine/plan/model.h"

namespace paiplan::cli {

// True for the formats PrintReview handles ("markdown", "html").
bool IsReviewFormat(const std::string& format);

// Prints `p` as Markdown or HTML to stdout, masking `secrets`. `see_hint`
// (Markdown) tells readers how to see what did not fit. For HTML, runs
// Graphviz `dot`; without it, warns on stderr and prints the page without
// the graph. Returns kExitOk, or kExitError when dot fails for another reason
// (message on stderr, nothing on stdout).
int PrintReview(const GlobalOptions& g, const plan::Plan& p, const std::vector<std::string>& secrets,
                const std::string& format, const std::string& see_hint);

// `paiplan show FILE --format F`: text and json as `show`, markdown and html
// through PrintReview. Needs FILE (the state has no review form).
int CmdShowFormat(const GlobalOptions& g, const std::string& file, const std::string& format);

}  // namespace paiplan::cli
