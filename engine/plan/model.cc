#include "engine/plan/model.h"

namespace paiplan::plan {

const char* ActionName(ActionType t) {
  switch (t) {
    case ActionType::kNoOp: return "no-op";
    case ActionType::kCreate: return "create";
    case ActionType::kUpdate: return "update";
    case ActionType::kReplace: return "replace";
    case ActionType::kDelete: return "delete";
  }
  return "?";
}

std::optional<ActionType> ParseActionName(const std::string& s) {
  for (auto t : {ActionType::kNoOp, ActionType::kCreate, ActionType::kUpdate, ActionType::kReplace,
                 ActionType::kDelete}) {
    if (s == ActionName(t)) return t;
  }
  return std::nullopt;
}

int Plan::Count(ActionType t) const {
  int n = 0;
  for (const auto& a : actions) n += a.type == t;
  return n;
}

bool Plan::HasChanges() const {
  for (const auto& a : actions) {
    if (a.type != ActionType::kNoOp) return true;
  }
  return false;
}

}  // namespace paiplan::plan
