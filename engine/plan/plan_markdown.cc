#include "engine/plan/plan_markdown.h"

#include <algorithm>
#include <numeric>

#include "engine/base/check.h"
#include "engine/plan/plan_review.h"

namespace paiplan::plan {
namespace {

// Text inside HTML elements (<summary>) and Markdown paragraphs: HTML
// special characters as entities, Markdown emphasis and links neutralised.
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '*': case '_': case '[': case ']': case '`': case '|': case '~': case '\\':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

// An address as inline code (addresses hold no backticks, but be safe).
std::string Code(const std::string& s) {
  std::string t = s;
  std::replace(t.begin(), t.end(), '`', '\'');
  return "<code>" + t + "</code>";
}

std::string Fence(const std::string& body) {
  size_t run = 0, best = 0;
  for (char c : body) {
    run = c == '`' ? run + 1 : 0;
    best = std::max(best, run);
  }
  return std::string(std::max<size_t>(3, best + 1), '`');
}

std::string Header(const Plan& plan, const Review& r) {
  std::string o = "### paiplan plan";
  if (plan.operation != "apply") o += " (" + plan.operation + ")";
  o += "\n\n**" + r.summary_line + "**\n\n";
  if (r.items.empty()) return o + "No changes. The cluster matches the workspace and the recorded state.\n";
  o += "| Kind | Add | Change | Destroy |\n|:--|--:|--:|--:|\n";
  for (const auto& [kind, c] : r.kinds)
    o += "| " + kind + " | " + std::to_string(c.add) + " | " + std::to_string(c.change) + " | " +
         std::to_string(c.destroy) + " |\n";
  o += "| **total** | **" + std::to_string(r.total.add) + "** | **" + std::to_string(r.total.change) + "** | **" +
       std::to_string(r.total.destroy) + "** |\n";
  for (const auto& e : r.errors) o += "\n> **Error:** " + Escape(e) + "\n";
  for (const auto& w : r.warnings) o += "\n> **Warning:** " + Escape(w) + "\n";
  return o;
}

std::string SectionHead(const ReviewItem& it) {
  std::string o = "<details><summary>" + Code(it.symbol + " " + it.address) + " " + it.action;
  if (!it.reason.empty()) o += ": " + Escape(it.reason);
  o += "</summary>\n\n";
  for (const auto& n : it.notes) o += "Note: " + Escape(n) + "\n\n";
  if (!it.depends_on.empty()) {
    o += "After:";
    for (size_t i = 0; i < it.depends_on.size(); ++i) o += (i ? ", " : " ") + Code(it.depends_on[i]);
    o += "\n\n";
  }
  return o;
}

std::string DiffBlock(const std::string& diff) {
  if (diff.empty()) return "";
  std::string f = Fence(diff);
  return f + "diff\n" + diff + (diff.ends_with('\n') ? "" : "\n") + f + "\n\n";
}

std::string Omitted(const std::string& diff, const std::string& see) {
  return "*Diff left out (" + std::to_string(diff.size()) + " characters) to keep this comment under the size limit; see " +
         see + ".*\n\n";
}

constexpr size_t kListedDropped = 20;

// The note naming what was left out; "" when nothing was.
std::string DroppedNote(const Review& r, const std::vector<size_t>& dropped, size_t sections_left_out,
                        const std::string& see) {
  if (dropped.empty() && sections_left_out == 0) return "";
  std::string o = "\n> **Too large for one comment:** ";
  if (!dropped.empty()) {
    o += std::to_string(dropped.size()) + " diff(s) left out, largest first:";
    for (size_t i = 0; i < dropped.size() && i < kListedDropped; ++i) o += (i ? ", " : " ") + Code(r.items[dropped[i]].address);
    if (dropped.size() > kListedDropped) o += " and " + std::to_string(dropped.size() - kListedDropped) + " more";
    o += ".";
  }
  if (sections_left_out) o += " The last " + std::to_string(sections_left_out) + " action(s) are not listed.";
  return o + " See everything with " + see + ".\n";
}

}  // namespace

std::string PlanToMarkdown(const Plan& plan, const MarkdownOptions& opt) {
  PP_CHECK(opt.max_chars >= 2000);
  Review r = MakeReview(plan, opt.secrets);
  std::string header = Header(plan, r);
  if (r.items.empty()) return header;
  const std::string kEnd = "</details>\n\n";
  std::vector<std::string> heads, diffs;
  size_t total = header.size() + 1;
  for (const auto& it : r.items) {
    heads.push_back(SectionHead(it));
    diffs.push_back(DiffBlock(it.diff));
    total += heads.back().size() + diffs.back().size() + kEnd.size();
  }
  // Largest diffs first; ties by address order, so the choice is stable.
  std::vector<size_t> order(r.items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return diffs[a].size() > diffs[b].size(); });
  std::vector<size_t> dropped;
  size_t shown = r.items.size();
  auto size_now = [&] { return total + DroppedNote(r, dropped, r.items.size() - shown, opt.see_hint).size(); };
  for (size_t k = 0; k < order.size() && size_now() > opt.max_chars; ++k) {
    size_t i = order[k];
    std::string repl = Omitted(r.items[i].diff, opt.see_hint);
    if (diffs[i].size() <= repl.size()) break;  // the rest are smaller still: leaving them out saves nothing
    total = total - diffs[i].size() + repl.size();
    diffs[i] = std::move(repl);
    dropped.push_back(i);
  }
  while (shown > 0 && size_now() > opt.max_chars) {
    --shown;
    total -= heads[shown].size() + diffs[shown].size() + kEnd.size();
  }
  // Name only the diffs left out of sections still listed (the note can only shrink).
  std::erase_if(dropped, [&](size_t i) { return i >= shown; });
  std::string out = header + DroppedNote(r, dropped, r.items.size() - shown, opt.see_hint) + "\n";
  for (size_t i = 0; i < shown; ++i) out += heads[i] + diffs[i] + kEnd;
  return out;
}

}  // namespace paiplan::plan
