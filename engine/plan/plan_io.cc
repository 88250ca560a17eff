#include "engine/plan/plan_io.h"

#include <cctype>
#include <map>

#include "engine/base/fs.h"
#include "engine/base/json_errors.h"
#include "engine/plan/attr_diff.h"
#include "engine/plan/desired.h"
#include "engine/plan/left_out.h"
#include "engine/plan/rolling.h"

namespace paiplan::plan {
namespace {

struct Style {
  bool color;
  std::string c(const char* code, const std::string& s) const {
    return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  }
};

const char* ColorOf(ActionType t) {
  switch (t) {
    case ActionType::kCreate: return "32";
    case ActionType::kUpdate: return "33";
    case ActionType::kReplace: return "35";
    case ActionType::kDelete: return "31";
    default: return "0";
  }
}

const char* Verb(ActionType t) {
  switch (t) {
    case ActionType::kCreate: return "will be created";
    case ActionType::kUpdate: return "will be updated in-place";
    case ActionType::kReplace: return "must be replaced";
    case ActionType::kDelete: return "will be destroyed";
    default: return "";
  }
}

// Per-file hashes of a service (deploy_files.*, renders.*) are noise when the
// whole service is created or destroyed: counted instead of listed.
bool Collapsed(const Action& a, const std::string& path, std::map<std::string, int>* counts) {
  if (a.type != ActionType::kCreate && a.type != ActionType::kDelete) return false;
  for (const char* group : {"deploy_files", "renders"}) {
    std::string g(group);
    if (path.size() > g.size() && path.starts_with(g) && path[g.size()] == '.') {
      ++(*counts)[g];
      return true;
    }
  }
  return false;
}

// A machine with `transport: local` is never reached over SSH: its SSH
// settings (kept in the record for the hash) would only mislead.
bool SshDetailOfLocalNode(const Action& a, const std::string& path) {
  if (a.kind != graph::Kind::kNode || (path != "sshport" && path != "username")) return false;
  const ojson& attrs = a.after.is_object() ? a.after : a.before;
  return attrs.is_object() && attrs.value("transport", "") == "local";
}

// Continuation lines of a multi-line text start under its first line.
std::string Indented(const std::string& text, size_t indent) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out.append(indent, ' ');
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

void PrintAttributes(const Action& a, const Style& st, const std::vector<std::string>& secrets, std::ostream& out) {
  std::map<std::string, int> collapsed;
  auto changes = DiffAttributes(a.before, a.after);
  for (const auto& ch : changes) Collapsed(a, ch.path, &collapsed);
  std::map<std::string, int> printed;
  for (const auto& ch : changes) {
    if (ch.path == "content" || SshDetailOfLocalNode(a, ch.path)) continue;
    if ((ch.path == "renders" || ch.path == "deploy_files") && (ch.after == "{}" || ch.before == "{}") &&
        (a.type == ActionType::kCreate || a.type == ActionType::kDelete)) {
      const char* sign = a.type == ActionType::kCreate ? "+" : "-";
      out << "      " << st.c(a.type == ActionType::kCreate ? "32" : "31", sign) << " " << ch.path << " = (no files)\n";
      continue;
    }
    if (Collapsed(a, ch.path, &printed)) {
      std::string g = ch.path.substr(0, ch.path.find('.'));
      if (printed[g] != 1) continue;
      int n = collapsed[g];
      const char* sign = a.type == ActionType::kCreate ? "+" : "-";
      out << "      " << st.c(a.type == ActionType::kCreate ? "32" : "31", sign) << " " << g << " = (" << n
          << (n == 1 ? " file" : " files") << ")\n";
      continue;
    }
    // A Secret's values are recorded as hashes; shown as (sensitive) all the same.
    bool secret_value = a.kind == graph::Kind::kObject &&
                        (ch.path.starts_with("manifest.data.") || ch.path.starts_with("manifest.stringData.")) &&
                        ((a.after.is_object() && a.after.value("kind", "") == "Secret") ||
                         (a.before.is_object() && a.before.value("kind", "") == "Secret"));
    auto show = [&](const std::string& v) {
      return ch.sensitive || secret_value ? std::string("(sensitive)") : Abbreviate(MaskSecrets(ShortHash(v), secrets));
    };
    if (ch.before.empty()) out << "      " << st.c("32", "+") << " " << ch.path << " = " << show(ch.after) << "\n";
    else if (ch.after.empty()) out << "      " << st.c("31", "-") << " " << ch.path << " = " << show(ch.before) << "\n";
    else out << "      " << st.c("33", "~") << " " << ch.path << " = " << show(ch.before) << " -> " << show(ch.after) << "\n";
  }
}

}  // namespace

const char* ActionSymbol(ActionType t) {
  switch (t) {
    case ActionType::kCreate: return "+";
    case ActionType::kUpdate: return "~";
    case ActionType::kReplace: return "-/+";
    case ActionType::kDelete: return "-";
    default: return " ";
  }
}

std::string ShortHash(const std::string& v) {
  if (v.size() != 66 || v.front() != '"' || v.back() != '"') return v;
  for (size_t i = 1; i < 65; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(v[i]))) return v;
  return v.substr(0, 13) + "…\"";
}

std::string SummaryLine(const Plan& plan) {
  int add = plan.Count(ActionType::kCreate) + plan.Count(ActionType::kReplace);
  int change = plan.Count(ActionType::kUpdate);
  int destroy = plan.Count(ActionType::kDelete) + plan.Count(ActionType::kReplace);
  return "Plan: " + std::to_string(add) + " to add, " + std::to_string(change) + " to change, " +
         std::to_string(destroy) + " to destroy.";
}

void PrintPlanText(const Plan& plan, const TextOptions& opt, std::ostream& out) {
  Style st{opt.color};
  if (!plan.HasChanges()) {
    if (plan.left_out.empty()) {
      out << st.c("1;32", "No changes.") << " The cluster matches the workspace and the recorded state.\n";
    } else {
      out << st.c("1", "No changes in what could be observed.") << "\n";
      PrintLeftOut(plan, opt.secrets, out);
    }
    return;
  }
  out << "paiplan will perform the following actions:\n\n";
  for (const auto& a : plan.actions) {
    if (a.type == ActionType::kNoOp) continue;
    out << st.c("1", "  # " + a.address + " " + Verb(a.type)) << "\n";
    out << "  " << st.c(ColorOf(a.type), ActionSymbol(a.type)) << " " << a.address << "\n";
    out << "      reason: " << Indented(MaskSecrets(a.reason, opt.secrets), 14) << "\n";
    for (const auto& n : a.notes) out << "      note: " << Indented(n, 12) << "\n";
    if (!a.depends_on.empty()) {
      out << "      after: ";
      size_t shown = std::min<size_t>(a.depends_on.size(), 4);
      for (size_t i = 0; i < shown; ++i) out << (i ? ", " : "") << a.depends_on[i];
      if (a.depends_on.size() > shown) out << " and " << a.depends_on.size() - shown << " more";
      out << "\n";
    }
    if (a.kind == graph::Kind::kRender && !a.diff.empty()) {
      for (size_t p = 0, q; p < a.diff.size(); p = q + 1) {
        q = a.diff.find('\n', p);
        if (q == std::string::npos) q = a.diff.size();
        std::string line = a.diff.substr(p, q - p);
        const char* col = line.starts_with("+") ? "32" : line.starts_with("-") ? "31" : "0";
        out << "      " << st.c(col, Abbreviate(MaskSecrets(line, opt.secrets))) << "\n";  // huge lines shortened
      }
    } else if (a.kind != graph::Kind::kRender) {
      PrintAttributes(a, st, opt.secrets, out);
    }
    out << "\n";
  }
  out << st.c("1", SummaryLine(plan)) << "\n";
  PrintBatches(plan, opt.max_failed_batches, out);
  PrintLeftOut(plan, opt.secrets, out);
}

nlohmann::ordered_json PlanToJson(const Plan& plan, bool with_content, const std::vector<std::string>& secrets) {
  using oj = nlohmann::ordered_json;
  oj doc = oj::object();
  doc["format_version"] = Plan::kFormatVersion;
  doc["operation"] = plan.operation;
  doc["lineage"] = plan.lineage;
  doc["serial"] = plan.serial;
  doc["workspace_hash"] = plan.workspace_hash;
  doc["kubernetes"] = plan.kubernetes;
  doc["created_at"] = plan.created_at;
  if (with_content && !plan.id.empty()) doc["id"] = plan.id;
  oj actions = oj::array();
  auto mask = [&](const nlohmann::json& v) {
    if (with_content || v.is_null()) return oj(v);  // plan files keep exact values (mode 0600)
    nlohmann::json masked = v;
    MaskJson(&masked, secrets);  // by key whatever the value's type, then known values in strings
    return oj(masked);
  };
  for (const auto& a : plan.actions) {
    oj x = oj::object();
    x["address"] = a.address;
    x["kind"] = graph::KindName(a.kind);
    x["action"] = ActionName(a.type);
    x["reason"] = MaskSecrets(a.reason, secrets);
    x["depends_on"] = a.depends_on;
    x["before"] = mask(a.before);
    x["after"] = mask(a.after);
    if (!a.notes.empty()) x["notes"] = a.notes;
    if (!a.diff.empty()) x["diff"] = MaskSecrets(a.diff, secrets);
    if (a.batch >= 0) x["batch"] = a.batch + 1;  // 1-based, as the plan text shows it
    if (with_content) {
      x["hash"] = a.hash;
      x["machine"] = a.machine;
      x["purge"] = a.purge;
      if (!a.script.empty()) x["script"] = a.script;
      x["resource_deps"] = a.resource_deps;
      if (!plan.id.empty()) x["recorded"] = a.recorded;
      // What apply FILE writes: a render's file, an object's manifest.
      if (a.kind == graph::Kind::kRender || a.kind == graph::Kind::kObject) x["content"] = a.content;
    }
    actions.push_back(std::move(x));
  }
  doc["actions"] = std::move(actions);
  doc["summary"] = {{"add", plan.Count(ActionType::kCreate) + plan.Count(ActionType::kReplace)},
                    {"change", plan.Count(ActionType::kUpdate)},
                    {"destroy", plan.Count(ActionType::kDelete) + plan.Count(ActionType::kReplace)}};
  doc["warnings"] = plan.warnings;
  doc["errors"] = plan.errors;
  if (!plan.left_out.empty()) {
    oj left = oj::array();
    for (const auto& l : plan.left_out) {
      oj x = {{"address", l.address}};
      if (!l.error.empty()) x["error"] = MaskSecrets(l.error, secrets);
      if (!l.needs.empty()) x["needs"] = l.needs;
      left.push_back(std::move(x));
    }
    doc["left_out"] = std::move(left);
  }
  return doc;
}

Result<Plan> PlanFromJson(const nlohmann::json& doc, const std::string& source) {
  auto bad = [&](const std::string& what) {
    return Err(Status::InvalidArgument(source + ": not a paiplan plan file: " + what +
                                       "; create one with: paiplan plan -o FILE"));
  };
  if (!doc.is_object() || !doc.contains("format_version")) return bad("no format_version");
  if (doc["format_version"] != Plan::kFormatVersion)
    return bad("format_version " + doc["format_version"].dump() + " is not supported");
  Plan p;
  try {
    p.operation = doc.at("operation").get<std::string>();
    p.lineage = doc.at("lineage").get<std::string>();
    p.serial = doc.at("serial").get<uint64_t>();
    p.workspace_hash = doc.at("workspace_hash").get<std::string>();
    p.kubernetes = doc.value("kubernetes", false);
    p.created_at = doc.value("created_at", "");
    p.id = doc.value("id", "");
    for (const auto& x : doc.at("actions")) {
      Action a;
      a.address = x.at("address").get<std::string>();
      auto kind = graph::KindOfAddress(a.address);
      auto type = ParseActionName(x.at("action").get<std::string>());
      if (!kind || !type) return bad("action " + x.dump().substr(0, 80));
      a.kind = *kind;
      a.type = *type;
      a.reason = x.value("reason", "");
      a.depends_on = x.value("depends_on", std::vector<std::string>());
      a.before = x.value("before", nlohmann::json());
      a.after = x.value("after", nlohmann::json());
      a.hash = x.value("hash", "");
      a.machine = x.value("machine", "");
      a.purge = x.value("purge", false);
      a.script = x.value("script", "");
      a.resource_deps = x.value("resource_deps", std::vector<std::string>());
      a.content = x.value("content", "");
      a.diff = x.value("diff", "");
      a.notes = x.value("notes", std::vector<std::string>());
      a.recorded = x.value("recorded", "");
      a.batch = x.value("batch", 0) - 1;
      p.actions.push_back(std::move(a));
    }
    p.warnings = doc.value("warnings", std::vector<std::string>());
    p.errors = doc.value("errors", std::vector<std::string>());
    for (const auto& x : doc.value("left_out", nlohmann::json::array()))
      p.left_out.push_back({x.at("address").get<std::string>(), x.value("error", ""), x.value("needs", "")});
  } catch (const nlohmann::json::exception& e) {
    return bad(JsonErrorText(e));
  }
  return p;
}

Status SavePlanFile(const Plan& plan, const std::string& path) {
  return fs::WriteFileAtomic(path, PlanToJson(plan, true, {}).dump(1) + "\n", 0600);
}

Result<Plan> LoadPlanFile(const std::string& path) {
  PP_ASSIGN_OR_RETURN(auto text, fs::ReadFile(path));
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Err(Status::InvalidArgument(path + ": not valid JSON; is this a plan file from paiplan plan -o?"));
  PP_ASSIGN_OR_RETURN(Plan plan, PlanFromJson(doc, path));
  for (const auto& a : plan.actions) {
    Status s = CheckAddressNames(a.address);
    if (!s.ok()) return Err(Status::InvalidArgument(path + ": " + s.message() + "; this plan file was not written by paiplan"));
  }
  return plan;
}

}  // namespace paiplan::plan
