#include "engine/plan/node_lifecycle.h"

#include <algorithm>

#include "engine/base/duration.h"
#include "engine/base/fs.h"
#include "engine/plan/join_credentials.h"

namespace paiplan::plan {
namespace {

constexpr char kLeaveScript[] = "leave-etcd.sh";

std::string Role(const ojson& attrs) { return attrs.is_object() ? attrs.value("role", std::string()) : ""; }

}  // namespace

std::string NodeNameOf(const ojson& attrs) {
  if (!attrs.is_object()) return "";
  std::string name = attrs.value("nodename", std::string());
  return name.empty() ? attrs.value("hostip", std::string()) : name;
}

bool LeavesEtcd(const config::Workspace& ws, const std::string& role) {
  return role == "master" && IsJoinedCluster(ws) && fs::Exists(fs::Join(ws.RoleDir("master"), kLeaveScript));
}

ojson NodeObservation(const std::string& name, const std::map<std::string, NodeReadiness>& nodes, double now) {
  auto it = nodes.find(name);
  if (it == nodes.end()) return nullptr;
  ojson o = {{"name", name}, {"ready", it->second.ready}, {"since", it->second.since}};
  auto since = ParseRfc3339(it->second.since);
  if (!it->second.ready && since) o["not_ready_seconds"] = std::max(0.0, now - *since);
  return o;
}

std::string NotReadyReason(const ojson& node, double repair_after) {
  if (repair_after <= 0 || !node.is_object() || node.value("ready", true)) return "";
  double seconds = node.value("not_ready_seconds", -1.0);
  if (seconds < repair_after) return "";
  return "Node " + node.value("name", std::string()) + " is NotReady (its Ready condition is not True) for " +
         FormatDuration(seconds) + ", since " + node.value("since", std::string()) + ", past nodes.repair-after " +
         FormatDuration(repair_after) + ": re-bootstrapped and re-joined";
}

std::vector<std::string> RemovalSteps(const config::Workspace& ws, const ojson& recorded, const ojson& node,
                                      const std::string& observe_error) {
  std::string name = NodeNameOf(recorded);
  std::vector<std::string> steps;
  if (!observe_error.empty()) {
    steps.push_back("step 1: cordon and drain Node " + name + " if it is registered (not observed now: " +
                    observe_error + ")");
  } else if (node.is_null()) {
    steps.push_back("step 1: no Node " + name + " in Kubernetes: nothing to drain");
  } else {
    steps.push_back("step 1: cordon Node " + name + " and drain it: evict its pods but DaemonSet and mirror pods, "
                    "honouring PodDisruptionBudgets (nodes.drain-timeout " +
                    FormatDuration(ws.settings.drain_timeout) + ")");
  }
  steps.push_back("step 2: clean.sh on the machine (the built-in packages: kubeadm reset -f)");
  if (LeavesEtcd(ws, Role(recorded))) {
    steps.push_back("step 3: etcd member " + name + " removed, if still listed, from a remaining master (" +
                    kLeaveScript + ")");
  }
  steps.push_back("step " + std::to_string(steps.size() + 1) + ": delete Node " + name);
  return steps;
}

std::vector<std::string> RepairSteps(const config::Workspace& ws, const ojson& recorded) {
  std::string name = NodeNameOf(recorded);
  std::vector<std::string> steps = {"repair step 1: clean.sh on the machine (kubeadm reset -f); no drain: the "
                                    "node is not ready"};
  if (LeavesEtcd(ws, Role(recorded))) {
    steps.push_back("repair step 2: etcd member " + name + " removed, if still listed, from another master");
  }
  steps.push_back("repair step " + std::to_string(steps.size() + 1) + ": delete Node " + name);
  steps.push_back("repair step " + std::to_string(steps.size() + 1) +
                  ": bootstrap.sh joins again with credentials minted now");
  return steps;
}

Status LeaveEtcd(const Env& env, const std::string& removed, const std::string& nodename, ApplyContext& ctx) {
  PP_ASSIGN_OR_RETURN(std::string script, fs::ReadFile(fs::Join(env.ws->RoleDir("master"), kLeaveScript)));
  std::string failures;
  bool any = false;
  for (const auto& master : env.ws->machines) {
    if (master.role != "master" || master.hostname == removed) continue;
    any = true;
    ctx.log("# etcd: making sure member " + nodename + " left, from master " + master.hostname + "\n");
    Status st = [&]() -> Status {
      PP_ASSIGN_OR_RETURN(auto* t, env.transport(master));
      PP_RETURN_IF_ERROR(t->Upload(fs::Join(fs::Join(env.ws->settings.node_state_dir, "staging"), kLeaveScript),
                                   script, 0755));
      PP_ASSIGN_OR_RETURN(auto res, RunInStaging(env, t, master, kLeaveScript, {{"PAIPLAN_LEAVE_FOR", nodename}}, ctx));
      if (res.exit_status == 0) return Status::Ok();
      std::string tail = res.stderr_tail.empty() ? res.stdout_tail : res.stderr_tail;
      return Status::FailedPrecondition(std::string(kLeaveScript) + " exited with status " +
                                        std::to_string(res.exit_status) + "; last output: " + tail);
    }();
    if (st.ok()) return st;
    failures += "\n  " + master.hostname + ": " + st.message();
  }
  if (!any) {
    ctx.log("# etcd: no other master in layout.yaml: the cluster's etcd goes with " + removed + "\n");
    return Status::Ok();
  }
  return Status::FailedPrecondition("etcd member " + nodename + " of removed master " + removed +
                                    ": no remaining master could check or remove it:" + failures +
                                    "\nremove it by hand (etcdctl member remove) before adding a master of that name");
}

}  // namespace paiplan::plan
