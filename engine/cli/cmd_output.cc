// `paiplan output [ADDR [KEY]] [--json] [--show-sensitive]`: the outputs
// scripts published (docs/outputs.md), as `terraform output` shows a
// configuration's outputs. Values under a sensitive key (IsSensitiveKey) and
// any known secret inside a value print as (sensitive) unless
// --show-sensitive. Read-only: no lock is taken.
#include <iostream>

#include "engine/cli/commands.h"
#include "engine/cli/runtime.h"
#include "engine/plan/attr_diff.h"
#include "engine/plan/outputs.h"

namespace paiplan::cli {
namespace {

struct Shown {
  std::string value;
  bool sensitive = false;
};

class OutputPrinter {
 public:
  OutputPrinter(std::vector<std::string> secrets, bool show) : secrets_(std::move(secrets)), show_(show) {}

  Shown Show(const std::string& key, const std::string& value) const {
    bool sensitive = config::IsSensitiveKey(key);
    if (show_) return {value, sensitive};
    if (sensitive) return {"(sensitive)", true};
    return {plan::MaskSecrets(value, secrets_), false};
  }

  nlohmann::ordered_json Json(const plan::OutputValues& values) const {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [k, v] : values) {
      Shown s = Show(k, v);
      j[k] = {{"sensitive", s.sensitive}, {"type", "string"}, {"value", s.value}};
    }
    return j;
  }

  void Text(const plan::OutputValues& values, const std::string& indent) const {
    for (const auto& [k, v] : values) {
      Shown s = Show(k, v);
      std::cout << indent << k << " = " << (s.value == "(sensitive)" && !show_ ? s.value : nlohmann::json(s.value).dump())
                << "\n";
    }
  }

 private:
  std::vector<std::string> secrets_;
  bool show_;
};

std::string Keys(const plan::OutputValues& v) {
  std::string s;
  for (const auto& [k, _] : v) s += (s.empty() ? "" : ", ") + k;
  return s;
}

}  // namespace

int CmdOutput(const GlobalOptions& g, const std::string& address, const std::string& key, bool show_sensitive) {
  Diagnostics diags;
  auto ws = LoadWorkspaceOrReport(g, &diags);
  if (!ws) return kExitError;
  auto store = OpenStateStore(ws->settings, false);
  plan::OutputMap all;
  std::vector<std::string> secrets;
  for (const auto& m : ws->machines) if (m.password) secrets.push_back(*m.password);
  plan::CollectSecrets(ws->cluster_cfg, &secrets);
  if (store) {
    auto snap = (*store)->ReadSnapshot();
    if (!snap) {
      PrintError(g, snap.error().message());
      return kExitError;
    }
    for (const auto& [a, r] : snap->resources) {
      plan::OutputValues v = plan::RecordOutputs(r);
      if (v.empty()) continue;
      for (const auto& [k, val] : v) if (config::IsSensitiveKey(k) && val.size() >= 3) secrets.push_back(val);
      all[a] = std::move(v);
    }
  } else if (store.error().code() != Code::kNotFound) {
    PrintError(g, store.error().message());
    return kExitError;
  }
  OutputPrinter printer(secrets, show_sensitive);
  if (address.empty()) {
    if (all.empty()) {
      PrintWarning(g, "No outputs found: no script has written key=value lines to $PAIPLAN_OUTPUTS yet "
                      "(see docs/outputs.md)");
      if (g.json) std::cout << "{}\n";
      return kExitOk;
    }
    if (g.json) {
      nlohmann::ordered_json j = nlohmann::ordered_json::object();
      for (const auto& [a, v] : all) j[a] = printer.Json(v);
      std::cout << j.dump(2) << "\n";
      return kExitOk;
    }
    for (const auto& [a, v] : all) {
      std::cout << a << ":\n";
      printer.Text(v, "  ");
    }
    return kExitOk;
  }
  auto it = all.find(address);
  if (it == all.end()) {
    std::string known;
    for (const auto& [a, _] : all) known += (known.empty() ? "" : ", ") + a;
    PrintError(g, "no outputs recorded for " + address +
                      (known.empty() ? std::string(" (no resource has published any)") : " (resources with outputs: " + known + ")") +
                      "; run `paiplan output` to list them");
    return kExitError;
  }
  if (key.empty()) {
    if (g.json) std::cout << printer.Json(it->second).dump(2) << "\n";
    else printer.Text(it->second, "");
    return kExitOk;
  }
  auto v = it->second.find(key);
  if (v == it->second.end()) {
    PrintError(g, address + " published no output '" + key + "' (it published: " + Keys(it->second) + ")");
    return kExitError;
  }
  Shown s = printer.Show(key, v->second);
  if (s.value == "(sensitive)" && !show_sensitive) {
    std::cerr << address << "[" << key << "] is sensitive; add --show-sensitive to print it\n";
  }
  if (g.json) std::cout << nlohmann::json(s.value).dump() << "\n";
  else std::cout << s.value << "\n";
  return kExitOk;
}

}  // namespace paiplan::cli
