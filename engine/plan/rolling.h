// Rolling replacement (docs/failure-semantics.md, "Rolling replacement"): a
// change that re-bootstraps many machines (a role package change replaces
// every node of the role) rolls in batches of at most `max-unavailable`
// machines of a role at a time. The executor starts a batch only when the
// previous one succeeded, health gate included (the node handler waits for
// the Node's Ready condition, or runs the role's health.sh), and halts the
// roll after `max-failed-batches` failed batches.
//
// Thread-safety: pure functions over values.
#pragma once

#include <ostream>
#include <string>

#include "engine/base/status.h"
#include "engine/plan/model.h"

namespace paiplan::plan {

// The role package's optional health script (run in the staging folder
// after bootstrap.sh when the machine's replacement rolls and Kubernetes is
// not managed).
inline constexpr char kHealthScript[] = "health.sh";

// `max-unavailable`: a count of machines, or a percentage of the role's machines.
struct MaxUnavailable {
  int count = 0;     // > 0: this many machines
  int percent = 25;  // used when count == 0
  std::string text() const;  // "5", "25%"
};

// Parses "5" or "25%". Fails InvalidArgument (naming `what`, e.g. the flag or
// the paiplan.yaml key) for anything else, 0, or a percentage over 100.
Result<MaxUnavailable> ParseMaxUnavailable(const std::string& text, const std::string& what);

// Machines per batch for a role of `role_machines`: the count, or the
// percentage rounded down; never below 1.
int BatchSize(const MaxUnavailable& m, int role_machines);

// Numbers the node.* replacements of the plan into batches: per role (in role
// name order), machines in address order, BatchSize() of the role's machines
// in the workspace per batch; each batch gets a note. Only node replacements
// roll (creates have nothing to keep available; left-out and
// --target/--exclude'd machines are no-ops by now). REQUIRES: after
// targets and left-out resources were applied.
void AssignBatches(Plan* plan, const MaxUnavailable& m);

// Batches in the plan (the highest batch + 1; 0 when nothing rolls).
int BatchCount(const Plan& plan);

// The plan text's section, nothing when nothing rolls (`max_failed_batches`
// 0: the halting rule is not said):
//   Rolling replacement: 17 machines in 4 batches; halts after 1 failed batch
//     batch 1: node.n01, node.n02, ...
void PrintBatches(const Plan& plan, int max_failed_batches, std::ostream& out);

}  // namespace paiplan::plan
