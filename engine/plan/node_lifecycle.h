// The Kubernetes side of a machine's lifecycle when the role packages form a
// kubeadm cluster (master/join-credentials.sh present; docs/bootstrap.md):
//   remove  cordon + drain the Node (node_drain.h), clean.sh, a removed master
//           leaves etcd (master/leave-etcd.sh on a remaining master), the
//           Node object deleted — one node.* delete whose plan lines name
//           each step;
//   repair  a Node NotReady longer than nodes.repair-after is cleaned
//           (kubeadm reset), leaves etcd (a master), its Node object is
//           deleted, and it is bootstrapped and joined again with fresh
//           credentials — one node.* replace.
//
// Thread-safety: pure functions, but LeaveEtcd (one call per machine).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/plan/env.h"

namespace paiplan::plan {

// Observation attribute of node.* holding what the API says of the Node:
// {name, ready, since, not_ready_seconds}; absent when not observed.
inline constexpr char kNodeObserved[] = "kubernetes_node";
// Action::script of a node.* replace that repairs a NotReady node.
inline constexpr char kRepairScript[] = "repair";

// The Node name of a node.* resource: its `nodename`, else its `hostip`.
std::string NodeNameOf(const ojson& attrs);

// Whether removed machines of `role` leave etcd: masters of a set of role
// packages whose master package ships leave-etcd.sh.
bool LeavesEtcd(const config::Workspace& ws, const std::string& role);

// What the API says of Node `name`: the kNodeObserved value, or null when
// no Node has that name. `now`: seconds since the epoch.
ojson NodeObservation(const std::string& name, const std::map<std::string, NodeReadiness>& nodes, double now);

// "" when `node` (a kNodeObserved value, or null) needs no repair; else why:
// its Ready condition not True longer than `repair_after` seconds (0: never).
std::string NotReadyReason(const ojson& node, double repair_after);

// The plan lines of a removal, one per step. `node`: the kNodeObserved
// value (null: no such Node); `observe_error`: why the API was not asked.
std::vector<std::string> RemovalSteps(const config::Workspace& ws, const ojson& recorded, const ojson& node,
                                      const std::string& observe_error);
// The plan lines of a repair of machine `recorded`.
std::vector<std::string> RepairSteps(const config::Workspace& ws, const ojson& recorded);

// Makes Node `nodename` (machine `removed`, a master just cleaned) leave
// etcd: runs master/leave-etcd.sh on a remaining master (layout.yaml order;
// the next one when it fails) with PAIPLAN_LEAVE_FOR=nodename; OK at once
// when layout.yaml has no other master (the cluster goes). Fails
// FailedPrecondition naming each master's failure.
Status LeaveEtcd(const Env& env, const std::string& removed, const std::string& nodename, ApplyContext& ctx);

}  // namespace paiplan::plan
