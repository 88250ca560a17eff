#include "engine/plan/plan_html.h"

#include <set>

#include "engine/plan/plan_html_assets.h"
#include "engine/plan/plan_review.h"

namespace paiplan::plan {
namespace {

std::string Esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// One <span> per line, classed by its first characters.
std::string DiffHtml(const std::string& diff) {
  std::string out = "<pre class=\"diff\"><code>";
  for (size_t p = 0; p < diff.size();) {
    size_t q = diff.find('\n', p);
    if (q == std::string::npos) q = diff.size();
    std::string line = diff.substr(p, q - p);
    const char* cls = line.starts_with("+++") || line.starts_with("---") ? "hdr"
                      : line.starts_with("@@")                           ? "hunk"
                      : line.starts_with("+")                            ? "add"
                      : line.starts_with("-")                            ? "del"
                                                                         : "ctx";
    out += "<span class=\"" + std::string(cls) + "\">" + Esc(line) + "</span>";
    p = q + 1;
  }
  return out + "</code></pre>\n";
}

std::string Summary(const Review& r) {
  std::string o = "<section id=\"summary\">\n<p id=\"summary-line\"><strong>" + Esc(r.summary_line) + "</strong></p>\n";
  if (r.items.empty()) return o + "<p>No changes. The cluster matches the workspace and the recorded state.</p>\n</section>\n";
  auto row = [](const std::string& attrs, const std::string& head, const KindCounts& c) {
    return "<tr" + attrs + "><th>" + head + "</th><td class=\"add\">" + std::to_string(c.add) +
           "</td><td class=\"change\">" + std::to_string(c.change) + "</td><td class=\"destroy\">" +
           std::to_string(c.destroy) + "</td></tr>\n";
  };
  o += "<table class=\"summary\" id=\"summary-table\">\n<thead><tr><th>Kind</th><th>Add</th><th>Change</th>"
       "<th>Destroy</th></tr></thead>\n<tbody>\n";
  for (const auto& [kind, c] : r.kinds) o += row(" data-kind=\"" + Esc(kind) + "\"", Esc(kind), c);
  o += "</tbody>\n<tfoot>\n" + row(" id=\"summary-total\"", "total", r.total) + "</tfoot>\n</table>\n";
  for (const auto& e : r.errors) o += "<p class=\"note error\">Error: " + Esc(e) + "</p>\n";
  for (const auto& w : r.warnings) o += "<p class=\"note\">Warning: " + Esc(w) + "</p>\n";
  return o + "</section>\n";
}

std::string Options(const std::string& field, const std::set<std::string>& values) {
  std::string o = "<label>" + field + " <select id=\"filter-" + field + "\"><option value=\"\">all</option>";
  for (const auto& v : values) o += "<option value=\"" + Esc(v) + "\">" + (v.empty() ? "(none)" : Esc(v)) + "</option>";
  return o + "</select></label>\n";
}

std::string Filters(const Review& r) {
  std::set<std::string> kinds, actions, services;
  for (const auto& it : r.items) {
    kinds.insert(it.kind);
    actions.insert(it.action);
    services.insert(it.service);
  }
  return "<form id=\"filters\" hidden>\n" + Options("kind", kinds) + Options("action", actions) +
         Options("service", services) + "<span id=\"shown-count\"></span>\n</form>\n"
         "<noscript><p class=\"note\">Filtering needs JavaScript; every action is listed below.</p></noscript>\n";
}

std::string Section(const ReviewItem& it) {
  std::string o = "<details class=\"action\" id=\"" + it.anchor + "\" data-kind=\"" + Esc(it.kind) +
                  "\" data-action=\"" + Esc(it.action) + "\" data-service=\"" + Esc(it.service) + "\">\n";
  o += "<summary><span class=\"badge " + Esc(it.action) + "\">" + Esc(it.symbol + " " + it.action) + "</span> <code>" +
       Esc(it.address) + "</code>";
  if (!it.reason.empty()) o += " — <span class=\"reason\">" + Esc(it.reason) + "</span>";
  o += "</summary>\n";
  for (const auto& n : it.notes) o += "<p class=\"note\">" + Esc(n) + "</p>\n";
  if (!it.depends_on.empty()) {
    o += "<p class=\"after\">After:";
    for (size_t i = 0; i < it.depends_on.size(); ++i)
      o += std::string(i ? ", " : " ") + "<a href=\"#" + AnchorOf(it.depends_on[i]) + "\"><code>" +
           Esc(it.depends_on[i]) + "</code></a>";
    o += "</p>\n";
  }
  if (!it.diff.empty()) o += DiffHtml(it.diff);
  return o + "</details>\n";
}

}  // namespace

std::string PlanToHtml(const Plan& plan, const HtmlOptions& opt) {
  Review r = MakeReview(plan, opt.secrets);
  std::string title = opt.title + (plan.operation != "apply" ? " (" + plan.operation + ")" : "");
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "script-src 'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>" + Esc(title + ": " + r.summary_line) + "</title>\n<style>" + kPlanPageCss + "</style>\n</head>\n<body>\n"
      "<h1>" + Esc(title) + "</h1>\n";
  o += Summary(r);
  if (!r.items.empty()) {
    o += "<section id=\"graph\">\n<h2>Order</h2>\n";
    if (!opt.svg.empty()) o += opt.svg + (opt.svg.ends_with('\n') ? "" : "\n");
    else o += "<p class=\"note\" id=\"no-graph\">" + Esc(opt.graph_note) + "</p>\n";
    o += "</section>\n<section id=\"actions\">\n<h2>Actions</h2>\n" + Filters(r);
    for (const auto& it : r.items) o += Section(it);
    o += "</section>\n";
  }
  return o + "<script>" + kPlanPageJs + "</script>\n</body>\n</html>\n";
}

}  // namespace paiplan::plan
