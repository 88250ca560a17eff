#include "engine/apply/roll.h"

namespace paiplan::apply {
namespace {

std::string Join(const std::vector<std::string>& v, size_t max_shown = 8) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < max_shown; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > max_shown) s += " and " + std::to_string(v.size() - max_shown) + " more";
  return s;
}

std::string Machines(size_t n) { return std::to_string(n) + (n == 1 ? " machine" : " machines"); }

}  // namespace

std::vector<std::string> Roll::Advance(Scheduler& s, const std::function<std::string(int)>& address_of) {
  std::vector<std::string> lines;
  const int count = s.batch_count();
  while (!halted_ && s.open_batch() < count) {
    const int b = s.open_batch();
    if (s.BatchUnsettled(b) > 0) break;
    const auto& members = s.BatchMembers(b);
    std::string which = "Rolling batch " + std::to_string(b + 1) + " of " + std::to_string(count);
    std::vector<std::string> bad;
    for (int i : members)
      if (s.state(i) == TaskState::kFailed || s.state(i) == TaskState::kSkipped) bad.push_back(address_of(i));
    if (bad.empty()) {
      if (!members.empty()) lines.push_back(which + " passed its health gate (" + Machines(members.size()) + ").");
      s.OpenNextBatch();
      continue;
    }
    ++failed_;
    lines.push_back(which + " failed: " + std::to_string(bad.size()) + " of " + Machines(members.size()) +
                    " failed or did not become healthy (" + Join(bad) + ").");
    if (failed_ < max_failed_) {
      s.OpenNextBatch();
      continue;
    }
    halted_ = true;
    halt_reason_ = "halted after " + std::to_string(failed_) + " failed batch" +
                   (failed_ == 1 ? "" : "es") + " (batch " + std::to_string(b + 1) + " of " + std::to_string(count) + ")";
    std::vector<std::string> rest;
    for (int later = b + 1; later < count; ++later)
      for (int i : s.BatchMembers(later)) {
        not_started_.push_back(i);
        rest.push_back(address_of(i));
      }
    if (!rest.empty())
      lines.push_back("Rolling replacement halted: " +
                      (b + 2 == count ? "batch " + std::to_string(count)
                                      : "batches " + std::to_string(b + 2) + "-" + std::to_string(count)) +
                      " not started (" + Machines(rest.size()) + ": " + Join(rest) + ").");
    else
      lines.push_back("Rolling replacement halted after its last batch.");
  }
  return lines;
}

}  // namespace paiplan::apply
