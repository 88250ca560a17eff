// Scripted services' objects (docs/kubernetes-objects.md "Two modes"): a
// service with scripts keeps them as its actuators, and paiplan observes the
// objects its rendered manifests define (object_desired.h, mode "scripted").
// A drifted or missing one plans the service's refresh-script (its
// start-script when the service is not recorded yet: a create already), with
// the object named in the reason:
//   refresh: object.grafana/Deployment/default/grafana drifted: spec.replicas 1 → 3
// Not-ready workloads are reported by `drift`, not planned.
//
// Thread-safety: pure functions over values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/plan/env.h"
#include "engine/plan/model.h"

namespace paiplan::plan {

// "" when the observed object matches the manifest its scripts apply; else
// "<address> missing" or "<address> drifted: <field> <wanted> → <live>, ...".
// Secret data values print as (sensitive).
std::string ScriptedObjectDrift(const std::string& address, const ojson& desired_attrs, const Observation& obs);

// Rewrites `actions` (one per address, as Decide made them): a no-op
// service.S with a drifted or missing scripted object becomes an update
// (its refresh-script) naming them; a service already being started or
// refreshed is left as it is. Scripted objects' own creates and deletes say
// that paiplan only records or forgets them. `objects` are the plan's
// object.* items.
void PlanScriptedRefreshes(const std::vector<ObserveItem>& objects, const std::map<std::string, Observation>& observed,
                           std::vector<Action>* actions);

}  // namespace paiplan::plan
