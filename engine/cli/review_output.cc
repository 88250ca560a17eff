#include "engine/cli/review_output.h"

#include "engine/cli/commands.h"
#include "engine/plan/attr_diff.h"
#include "engine/plan/plan_html.h"
#include "engine/plan/plan_io.h"
#include "engine/plan/plan_markdown.h"
#include "engine/plan/plan_review.h"
#include "engine/plan/plan_svg.h"

namespace paiplan::cli {
namespace {

// Above this many actions the graph is unreadable and slow to lay out.
constexpr size_t kMaxGraphNodes = 2000;

}  // namespace

bool IsReviewFormat(const std::string& format) { return format == "markdown" || format == "html"; }

int PrintReview(const GlobalOptions& g, const plan::Plan& p, const std::vector<std::string>& secrets,
                const std::string& format, const std::string& see_hint) {
  for (const auto& e : p.errors) PrintError(g, plan::MaskSecrets(e, secrets));
  if (format == "markdown") {
    plan::MarkdownOptions m;
    m.secrets = secrets;
    m.see_hint = see_hint;
    std::cout << plan::PlanToMarkdown(p, m);
    return kExitOk;
  }
  plan::HtmlOptions h;
  h.secrets = secrets;
  plan::Review r = plan::MakeReview(p, secrets);
  if (r.items.size() > kMaxGraphNodes) {
    h.graph_note = "The graph is left out: " + std::to_string(r.items.size()) + " actions are too many to draw (at most " +
                   std::to_string(kMaxGraphNodes) + "). `paiplan graph --plan FILE` prints it as DOT.";
  } else if (!r.items.empty()) {
    auto svg = plan::LayoutSvg(plan::PlanDot(r));
    if (svg) {
      h.svg = std::move(*svg);
    } else if (svg.error().code() == Code::kNotFound) {
      PrintWarning(g, svg.error().message());
      h.graph_note = svg.error().message() + ".";
    } else {
      PrintError(g, svg.error().message());
      return kExitError;
    }
  }
  std::cout << plan::PlanToHtml(p, h);
  return kExitOk;
}

int CmdShowFormat(const GlobalOptions& g, const std::string& file, const std::string& format) {
  if (!IsReviewFormat(format)) {
    GlobalOptions j = g;
    j.json = j.json || format == "json";
    return CmdShow(j, file);
  }
  if (file.empty()) {
    PrintError(g, "show --format " + format + " needs a saved plan file: paiplan plan -o FILE, then paiplan show FILE --format " + format);
    return kExitError;
  }
  auto p = plan::LoadPlanFile(file);
  if (!p) {
    PrintError(g, p.error().message());
    return kExitError;
  }
  // The file keeps exact values: mask every value under a sensitive key.
  return PrintReview(g, *p, plan::PlanSecrets(*p), format, "`paiplan show " + file + "` or the HTML page of this plan");
}

}  // namespace paiplan::cli
