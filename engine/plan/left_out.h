// Leaving out what cannot be observed (docs/failure-semantics.md): at 1,000
// machines some are always down, so a resource that cannot be observed does
// not stop the plan; it is left out together with every change that needs
// it, and listed under "Not observed (left out)". The rest is planned and
// applied; the run ends with exit status 1 as partial.
//
// Thread-safety: pure functions over values.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "engine/plan/model.h"

namespace paiplan::plan {

// `unobserved`: address -> why it could not be observed. Turns the actions
// of those resources and of their dependents into no-ops (with a note) and
// fills plan->left_out: each root with its error, then each dependent whose
// action was a change, with the root it needs. A left-out create/update
// takes what depends on it along; a left-out delete keeps the resource, so
// the deletes of what it needs wait too. Deterministic (roots in address
// order; a dependent names the first root that reached it).
void LeaveOutUnobserved(Plan* plan, const std::map<std::string, std::string>& unobserved);

// The section of the plan text, nothing when nothing was left out:
//   Not observed (left out):
//     node.m4 — connection refused; also left out: label.m4, service.x (needs node.m4)
// Errors are masked with `secrets`.
void PrintLeftOut(const Plan& plan, const std::vector<std::string>& secrets, std::ostream& out);

// "2 resources were not observed and left out with 3 changes that need them"
std::string LeftOutSummary(const Plan& plan);

}  // namespace paiplan::plan
