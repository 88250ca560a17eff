#include "engine/plan/replace.h"

#include <map>
#include <set>

namespace paiplan::plan {

void ApplyReplacements(Plan* plan, const std::vector<std::string>& addresses, Diagnostics* diags) {
  if (addresses.empty()) return;
  std::map<std::string, Action*> by;
  for (auto& a : plan->actions) by[a.address] = &a;
  std::set<std::string> replaced;
  for (const auto& addr : addresses) {
    auto it = by.find(addr);
    if (it == by.end()) {
      diags->Error({}, "--replace " + addr + ": no such resource in the workspace or the state",
                   "list the addresses with: paiplan graph (the workspace) or paiplan state list (the state)");
      continue;
    }
    Action& a = *it->second;
    if (a.type == ActionType::kDelete || a.after.is_null()) {
      diags->Error({}, "--replace " + addr + ": " + addr +
                           " is no longer in the workspace, so the plan destroys it; there is nothing to replace it with",
                   "drop --replace " + addr + ", or add the resource back to the workspace first");
      continue;
    }
    if (a.type == ActionType::kCreate) {
      a.notes.push_back("--replace: not created yet, so it is simply created");
      continue;
    }
    std::string why = a.type == ActionType::kNoOp ? std::string() : "; also: " + a.reason;
    a.type = ActionType::kReplace;
    a.reason = kReplacementRequested + why;
    a.script.clear();  // a replacement runs the whole cycle, never a repair script
    replaced.insert(addr);
  }
  for (auto& a : plan->actions) {
    if (a.type != ActionType::kNoOp || a.after.is_null()) continue;
    for (const auto& d : a.resource_deps) {
      if (!replaced.count(d)) continue;
      a.type = ActionType::kUpdate;
      a.reason = "follows the replacement of " + d;
      break;
    }
  }
}

}  // namespace paiplan::plan
