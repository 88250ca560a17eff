#include "engine/plan/rolling.h"

#include <algorithm>
#include <map>
#include <vector>

namespace paiplan::plan {

std::string MaxUnavailable::text() const {
  return count > 0 ? std::to_string(count) : std::to_string(percent) + "%";
}

Result<MaxUnavailable> ParseMaxUnavailable(const std::string& text, const std::string& what) {
  auto bad = [&] {
    return Err(Status::InvalidArgument(what + ": '" + text + "' is not a machine count or a percentage; "
                                       "write a whole number of machines (5) or a percentage of the role's "
                                       "machines (25%)"));
  };
  std::string digits = text.ends_with("%") ? text.substr(0, text.size() - 1) : text;
  if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return bad();
  int n = std::stoi(digits);
  MaxUnavailable m;
  if (text.ends_with("%")) {
    if (n < 1 || n > 100) return bad();
    m.percent = n;
  } else {
    if (n < 1) return bad();
    m.count = n;
  }
  return m;
}

int BatchSize(const MaxUnavailable& m, int role_machines) {
  int n = m.count > 0 ? m.count : int(int64_t(role_machines) * m.percent / 100);
  return std::max(1, n);
}

void AssignBatches(Plan* plan, const MaxUnavailable& m) {
  std::map<std::string, int> machines;                // role -> machines of the role
  std::map<std::string, std::vector<Action*>> rolls;  // role -> its replacements, by address
  for (auto& a : plan->actions) {
    a.batch = -1;
    if (a.kind != graph::Kind::kNode || !a.after.is_object()) continue;
    std::string role = a.after.value("role", "");
    ++machines[role];
    if (a.type == ActionType::kReplace) rolls[role].push_back(&a);
  }
  int next = 0;
  std::vector<std::vector<Action*>> batches;
  for (auto& [role, members] : rolls) {
    int size = BatchSize(m, machines[role]);
    for (size_t i = 0; i < members.size(); ++i) {
      if (i % size_t(size) == 0) batches.emplace_back(), ++next;
      members[i]->batch = next - 1;
      batches.back().push_back(members[i]);
    }
  }
  for (auto& b : batches)
    for (Action* a : b)
      a->notes.push_back("rolling batch " + std::to_string(a->batch + 1) + " of " + std::to_string(batches.size()) +
                         " (max-unavailable " + m.text() + ")");
}

int BatchCount(const Plan& plan) {
  int n = 0;
  for (const auto& a : plan.actions) n = std::max(n, a.batch + 1);
  return n;
}

void PrintBatches(const Plan& plan, int max_failed_batches, std::ostream& out) {
  int count = BatchCount(plan);
  if (count == 0) return;
  std::vector<std::vector<std::string>> batches(static_cast<size_t>(count));
  size_t machines = 0;
  for (const auto& a : plan.actions) {
    if (a.batch < 0 || a.type == ActionType::kNoOp) continue;
    batches[size_t(a.batch)].push_back(a.address);
    ++machines;
  }
  out << "\nRolling replacement: " << machines << (machines == 1 ? " machine" : " machines") << " in " << count
      << (count == 1 ? " batch" : " batches");
  if (max_failed_batches > 0)
    out << "; halts after " << max_failed_batches << " failed batch" << (max_failed_batches == 1 ? "" : "es");
  out << "\n";
  for (int b = 0; b < count; ++b) {
    out << "  batch " << b + 1 << ": ";
    if (batches[size_t(b)].empty()) out << "(done)";
    for (size_t i = 0; i < batches[size_t(b)].size(); ++i) out << (i ? ", " : "") << batches[size_t(b)][i];
    out << "\n";
  }
}

}  // namespace paiplan::plan
