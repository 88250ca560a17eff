#include "engine/plan/plan_svg.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "engine/base/fs.h"
#include "providers/script/process.h"

namespace paiplan::plan {
namespace {

// A DOT double-quoted string.
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

}  // namespace

const char* ActionColor(const std::string& action) {
  if (action == "create") return "#c8f0c8";
  if (action == "update") return "#fbeeb8";
  if (action == "replace") return "#e8c8f0";
  if (action == "delete") return "#f8c8c8";
  return "#eeeeee";
}

std::string PlanDot(const Review& review) {
  std::string o = "digraph paiplan_plan {\n  rankdir=LR;\n"
                  "  node [shape=box, style=\"filled,rounded\", fontname=\"monospace\", fontsize=11];\n";
  for (const auto& it : review.items) {
    o += "  " + Quoted(it.address) + " [id=" + Quoted("n-" + it.anchor) + ", class=" + Quoted(it.action) +
         ", URL=" + Quoted("#" + it.anchor) + ", tooltip=" + Quoted(it.action + " " + it.address) +
         ", fillcolor=" + Quoted(ActionColor(it.action)) + ", label=" + Quoted(it.symbol + " " + it.address) + "];\n";
  }
  for (const auto& it : review.items)
    for (const auto& d : it.depends_on) o += "  " + Quoted(d) + " -> " + Quoted(it.address) + ";\n";
  return o + "}\n";
}

Result<std::string> LayoutSvg(const std::string& dot_text) {
  std::error_code ec;
  auto dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  static std::atomic<int> seq{0};
  std::string path =
      (dir / ("paiplan-plan-" + std::to_string(::getpid()) + "-" + std::to_string(seq++) + ".dot")).string();
  PP_RETURN_IF_ERROR_R(fs::WriteFileAtomic(path, dot_text, 0600));
  std::string out, err;
  script::ProcessRequest req;
  req.argv = {"dot", "-Tsvg", path};
  req.timeout = std::chrono::seconds(120);
  req.on_output = [&](std::string_view chunk, bool is_stderr) { (is_stderr ? err : out).append(chunk); };
  auto r = script::RunProcess(req);
  std::filesystem::remove(path, ec);
  if (!r) {
    if (r.error().code() == Code::kNotFound)
      return Err(Status::NotFound("Graphviz `dot` was not found on PATH, so the page has no graph; install Graphviz "
                                  "(Debian: apt-get install graphviz) to get it"));
    return Err(r.error());
  }
  if (r->exit_status != 0 || r->timed_out)
    return Err(Status::IOError("dot -Tsvg failed (exit " + std::to_string(r->exit_status) + "): " + err));
  auto start = out.find("<svg");
  if (start == std::string::npos) return Err(Status::IOError("dot -Tsvg printed no <svg> element"));
  return out.substr(start);
}

}  // namespace paiplan::plan
