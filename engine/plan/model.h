// The plan: what paiplan will do, action by action, and why.
//
// A Plan is a value: the planner builds it from desired, recorded and
// observed state; it is printed, saved to a file, loaded again and handed to
// the executor, which walks only what it names (Terraform's rule).
//
// Thread-safety: values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/graph/resource_graph.h"

namespace paiplan::plan {

using ojson = nlohmann::json;  // sorted keys: attribute output and hashes are order-independent

enum class ActionType { kNoOp, kCreate, kUpdate, kReplace, kDelete };
const char* ActionName(ActionType t);  // "no-op", "create", "update", "replace", "delete"
std::optional<ActionType> ParseActionName(const std::string& s);

// Action::script of a node.* delete of a whole `destroy`: the machine is
// cleaned without draining its Node or leaving etcd first.
inline constexpr char kWholeClusterGoes[] = "destroy";

struct Action {
  std::string address;
  graph::Kind kind = graph::Kind::kNode;
  ActionType type = ActionType::kNoOp;
  std::string reason;                   // why, in words (empty for no-op)
  std::vector<std::string> depends_on;  // addresses of non-no-op actions this one waits for
  ojson before;                         // recorded attributes (null: none)
  ojson after;                          // desired attributes (null: delete)
  std::string hash;                     // desired hash (empty for delete)
  std::string machine;                  // hostname whose machine this action touches (node.*), else ""
  bool purge = false;                   // service delete runs the delete-script
  std::string script;                   // service update: run this script instead of the refresh-script
                                        // ("start": the repair of a failed status probe); "" = default;
                                        // node.*: "repair" (a NotReady node), kWholeClusterGoes (a delete)
  std::string content;                  // render.*: the text to write
  std::string diff;                     // render.*: unified diff, sensitive values masked
  std::vector<std::string> notes;       // extra lines shown under the action (e.g. pending on bootstrap)
  std::vector<std::string> resource_deps;  // all graph prerequisites (recorded for reverse-order deletes)
  // Saved plans: the version of the resource's record when the plan was made
  // ("" = none recorded); see staleness.h.
  std::string recorded;
  // node.* replacements that roll (rolling.h): the batch, from 0; -1 = none.
  int batch = -1;
};

// A resource left out of the plan because it could not be observed (`error`
// set), or because it needs one that could not (`needs` names it).
struct LeftOut {
  std::string address;
  std::string error;
  std::string needs;
};

struct Plan {
  static constexpr int kFormatVersion = 1;
  std::string operation = "apply";  // apply | destroy | refresh-only
  std::string lineage;
  uint64_t serial = 0;
  std::string workspace_hash;
  bool kubernetes = false;
  std::string created_at;
  // Random, fixed when the plan is made; records written by applying it carry
  // it (`applied_plan`), so re-applying the same saved plan resumes it.
  std::string id;
  std::vector<Action> actions;  // every resource, sorted by address (no-ops included)
  std::vector<std::string> warnings;
  std::vector<std::string> errors;  // problems observing that stop the plan (--require-all)
  // Unobserved resources and the changes that needed them, left out so the
  // rest can be applied (docs/failure-semantics.md): sorted by address, roots first.
  std::vector<LeftOut> left_out;

  int Count(ActionType t) const;
  bool HasChanges() const;
};

}  // namespace paiplan::plan
