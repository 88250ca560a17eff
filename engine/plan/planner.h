// The planner: desired + recorded + observed → Plan. The only side effects
// are the observations made through the handlers (and only with refresh on).
//
// Thread-safety: one MakePlan at a time per Env.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/diagnostics.h"
#include "engine/graph/resource_graph.h"
#include "engine/plan/env.h"
#include "engine/plan/model.h"
#include "engine/plan/rolling.h"
#include "state/state_store.h"

namespace paiplan::plan {

using Handlers = std::map<graph::Kind, std::unique_ptr<ResourceHandler>>;

struct PlanOptions {
  std::string operation = "apply";  // apply | destroy | refresh-only
  bool refresh = true;              // observe nodes, the API and files
  bool purge = false;               // destroy: delete-scripts instead of stop-scripts; with
                                    // targets, only theirs (dependents that must go first are stopped)
  std::vector<std::string> targets;   // only these (and what they need)
  std::vector<std::string> excludes;  // not these (nor what needs them)
  std::vector<std::string> replace;   // --replace: replaced although unchanged (engine/plan/replace.h)
  // true: a resource that cannot be observed is an error (plan.errors) that
  // stops the plan; false: it is left out with its dependents (left_out.h).
  bool require_all = false;
  // Node replacements roll in batches of at most this many machines of a role (rolling.h).
  MaxUnavailable max_unavailable;
};

// Builds the plan. Unknown --target/--exclude addresses go to `diags` as
// errors; resources that could not be observed go to plan.left_out (with
// --require-all, to plan.errors).
// `observed_out`, when given, receives every observation (for drift reports).
Plan MakePlan(const std::map<std::string, Desired>& desired, const state::Snapshot& snapshot,
              Handlers& handlers, const PlanOptions& options, Diagnostics* diags,
              std::map<std::string, Observation>* observed_out = nullptr);

// Recomputes every action's depends_on from the resources' dependencies,
// through no-op resources, so an action waits for the nearest changing
// prerequisites (creates/updates) or dependents (deletes).
void LinkActions(Plan* plan);

}  // namespace paiplan::plan
