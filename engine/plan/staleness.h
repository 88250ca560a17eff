// Per-object staleness and resumable saved plans (docs/failure-semantics.md).
//
// A saved plan records, for every action, the version of its resource's
// record when the plan was made (Action::recorded) and the hash of its inputs
// (Action::hash), plus a random plan id. `apply FILE` then refuses only when
// an object the plan touches has changed since: unrelated parts of the state
// may move on. Records written while applying the plan carry its id
// (`applied_plan`), so after a partly failed or interrupted apply the same
// `apply FILE` runs exactly the actions not yet done; the approval covers
// those actions and never new ones.
//
// Thread-safety: pure functions over values.
#pragma once

#include <map>
#include <string>

#include "engine/plan/env.h"
#include "engine/plan/model.h"
#include "state/state_store.h"

namespace paiplan::plan {

// The version of a record: a short hash of it without the bookkeeping a
// plan's own apply adds (`pending`, `applied_plan`). "" for no record.
std::string RecordVersion(const state::ResourceRecord* record);

// Gives the plan a fresh id and stamps every action with its record's version.
void StampForSaving(Plan* plan, const state::Snapshot& snapshot);

struct SavedPlanCheck {
  std::string stale;  // why the plan is stale ("" when it is not)
  int done = 0;       // actions an earlier run of this plan finished (now no-ops)
};

// REQUIRES: plan->id is set (plans saved before ids existed use the serial
// check of the caller). Compares each changing action of the saved plan with
// the state `now` and, when `workspace_changed`, its inputs with `desired`:
//  - a record carrying this plan's id: done (success: the action becomes a
//    no-op with a note) or to run again (failed or interrupted);
//  - a delete whose record is gone: done;
//  - a record whose version moved on otherwise: stale, e.g.
//    "node.m7 changed since the plan (serial 41 → 43)";
//  - other inputs than the plan's: stale ("the workspace files changed since
//    the plan was made: ...").
SavedPlanCheck CheckSavedPlan(Plan* plan, const state::Snapshot& now, const std::map<std::string, Desired>& desired,
                              bool workspace_changed);

}  // namespace paiplan::plan
