#include "engine/plan/left_out.h"

#include <functional>
#include <set>
#include <vector>

#include "engine/plan/attr_diff.h"

namespace paiplan::plan {

void LeaveOutUnobserved(Plan* plan, const std::map<std::string, std::string>& unobserved) {
  if (unobserved.empty()) return;
  std::map<std::string, Action*> by;
  std::map<std::string, std::vector<std::string>> dependents;
  for (auto& a : plan->actions) {
    by[a.address] = &a;
    for (const auto& d : a.resource_deps) dependents[d].push_back(a.address);
  }
  std::map<std::string, std::string> needs;  // dependent -> its root
  std::function<void(const std::string&, const std::string&)> down = [&](const std::string& addr,
                                                                         const std::string& root) {
    if (addr != root && (unobserved.count(addr) || !needs.emplace(addr, root).second)) return;
    auto it = by.find(addr);
    if (it == by.end() || it->second->type != ActionType::kDelete) {
      for (const auto& d : dependents[addr]) down(d, root);
      return;
    }
    for (const auto& d : it->second->resource_deps) {
      auto p = by.find(d);
      if (p != by.end() && p->second->type == ActionType::kDelete) down(d, root);
    }
  };
  for (const auto& [root, _] : unobserved) down(root, root);

  std::vector<LeftOut> roots, deps;
  for (const auto& [root, error] : unobserved) {
    roots.push_back({root, error, ""});
    auto it = by.find(root);
    if (it != by.end() && it->second->type != ActionType::kNoOp) {
      it->second->notes.push_back(std::string("left out (not observed): ") + ActionName(it->second->type));
      it->second->type = ActionType::kNoOp;
    }
  }
  for (const auto& [addr, root] : needs) {
    auto it = by.find(addr);
    if (it == by.end() || it->second->type == ActionType::kNoOp) continue;
    it->second->notes.push_back(std::string("left out (needs ") + root + ", not observed): " +
                                ActionName(it->second->type));
    it->second->type = ActionType::kNoOp;
    deps.push_back({addr, "", root});
  }
  plan->left_out = std::move(roots);
  plan->left_out.insert(plan->left_out.end(), deps.begin(), deps.end());
}

void PrintLeftOut(const Plan& plan, const std::vector<std::string>& secrets, std::ostream& out) {
  if (plan.left_out.empty()) return;
  std::map<std::string, std::vector<std::string>> by_root;
  for (const auto& l : plan.left_out)
    if (!l.needs.empty()) by_root[l.needs].push_back(l.address);
  out << "\nNot observed (left out):\n";
  for (const auto& l : plan.left_out) {
    if (l.error.empty() && !l.needs.empty()) continue;
    // One line per root; a multi-line error keeps its first line.
    out << "  " << l.address << " \u2014 " << MaskSecrets(l.error.substr(0, l.error.find('\n')), secrets);
    auto it = by_root.find(l.address);
    if (it != by_root.end()) {
      out << "; also left out: ";
      for (size_t i = 0; i < it->second.size(); ++i) out << (i ? ", " : "") << it->second[i];
      out << " (needs " << l.address << ")";
    }
    out << "\n";
  }
}

std::string LeftOutSummary(const Plan& plan) {
  size_t roots = 0, deps = 0;
  for (const auto& l : plan.left_out) (l.needs.empty() ? roots : deps)++;
  std::string s = std::to_string(roots) + (roots == 1 ? " resource was" : " resources were") +
                  " not observed and left out";
  if (deps > 0) s += " with " + std::to_string(deps) + (deps == 1 ? " change" : " changes") + " that need" +
                     (deps == 1 ? "s" : "") + " them";
  return s;
}

}  // namespace paiplan::plan
