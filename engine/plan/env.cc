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

std::map<std::string, std::string> OutputEnvironment(const Env& env, const std::vector<std::string>& producers) {
  std::map<std::string, std::string> out;
  if (!env.outputs) return out;
  for (const auto& p : producers) {
    auto values = env.outputs->Get(p);
    if (!values) continue;
    for (const auto& [k, v] : *values) out[OutputEnvName(p, k)] = v;
  }
  return out;
}

}  // namespace paiplan::plan
