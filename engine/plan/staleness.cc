#include "engine/plan/staleness.h"

#include "engine/base/sha256.h"
#include "state/store_util.h"

namespace paiplan::plan {

std::string RecordVersion(const state::ResourceRecord* record) {
  if (record == nullptr) return "";
  state::ResourceRecord r = *record;
  if (r.is_object()) {
    r.erase("pending");
    r.erase("applied_plan");
  }
  return Sha256Hex(r.dump()).substr(0, 16);
}

void StampForSaving(Plan* plan, const state::Snapshot& snapshot) {
  plan->id = state::RandomHex(8);
  for (auto& a : plan->actions) {
    auto it = snapshot.resources.find(a.address);
    a.recorded = RecordVersion(it == snapshot.resources.end() ? nullptr : &it->second);
  }
}

SavedPlanCheck CheckSavedPlan(Plan* plan, const state::Snapshot& now, const std::map<std::string, Desired>& desired,
                              bool workspace_changed) {
  SavedPlanCheck out;
  for (auto& a : plan->actions) {
    if (a.type == ActionType::kNoOp) continue;
    auto it = now.resources.find(a.address);
    const state::ResourceRecord* rec = it == now.resources.end() ? nullptr : &it->second;
    if (rec && rec->value("applied_plan", "") == plan->id) {
      if (rec->value("last_outcome", "success") != "success") continue;  // failed or interrupted: again
      a.notes.push_back(std::string("done by an earlier run of this plan: ") + ActionName(a.type));
      a.type = ActionType::kNoOp;
      ++out.done;
      continue;
    }
    if (a.type == ActionType::kDelete && !rec && !a.recorded.empty()) {
      a.notes.push_back("already deleted");
      a.type = ActionType::kNoOp;
      ++out.done;
      continue;
    }
    if (RecordVersion(rec) != a.recorded) {
      out.stale = a.address + " changed since the plan (serial " + std::to_string(plan->serial) + " \u2192 " +
                  std::to_string(now.serial) + ")";
      return out;
    }
    if (!workspace_changed) continue;
    auto d = desired.find(a.address);
    if (a.type == ActionType::kDelete) {
      if (d == desired.end()) continue;
      out.stale = "the workspace files changed since the plan was made: " + a.address + " is wanted again";
      return out;
    }
    if (d == desired.end() || d->second.hash != a.hash) {
      out.stale = "the workspace files changed since the plan was made: " + a.address +
                  (d == desired.end() ? " is no longer in it" : " now has other inputs");
      return out;
    }
  }
  return out;
}

}  // namespace paiplan::plan
