#include "engine/plan/env.h"

namespace paiplan::plan {

state::ResourceRecord MakeRecord(const Action& action, const std::string& now) {
  state::ResourceRecord r = {{"kind", graph::KindName(action.kind)},
                             {"attributes", action.after},
                             {"hash", action.hash},
                             {"depends_on", action.resource_deps},
                             {"last_action", ActionName(action.type)},
                             {"last_outcome", "success"},
                             {"updated_at", now}};
  if (!action.machine.empty()) r["machine"] = action.machine;
  return r;
}

}  // namespace paiplan::plan
