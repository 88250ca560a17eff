#include "engine/plan/planner.h"

#include <algorithm>
#include <functional>
#include <set>

#include "engine/plan/replace.h"
#include "engine/plan/object_model.h"
#include "engine/plan/left_out.h"
#include "engine/plan/scripted_refresh.h"

namespace paiplan::plan {
namespace {

std::string Subject(const std::string& address) {
  auto dot = address.find('.');
  return dot == std::string::npos ? address : address.substr(dot + 1);
}

std::string CreateReason(graph::Kind k, const std::string& address) {
  std::string s = Subject(address);
  switch (k) {
    case graph::Kind::kNode: return "machine " + s + " is in layout.yaml but not bootstrapped";
    case graph::Kind::kLabel: return "labels of machine " + s + " not yet applied";
    case graph::Kind::kConfig: return "cluster configuration not yet published";
    case graph::Kind::kRender: return "template " + s + " not yet rendered";
    case graph::Kind::kService: return "service " + s + " is enabled but not started";
    case graph::Kind::kObject: return "object " + s + " not yet applied";
  }
  return "";
}

std::string DeleteReason(graph::Kind k, const std::string& address, const std::string& operation) {
  if (operation == "destroy") return "destroy requested";
  std::string s = Subject(address);
  switch (k) {
    case graph::Kind::kNode: return "machine " + s + " removed from layout.yaml";
    case graph::Kind::kLabel: return "machine " + s + " removed from layout.yaml";
    case graph::Kind::kConfig: return "Kubernetes is no longer managed";
    case graph::Kind::kRender: return "template " + s + " no longer in the service's template-list";
    case graph::Kind::kService: return "service " + s + " is no longer enabled";
    case graph::Kind::kObject: return "object " + s + " is no longer rendered";
  }
  return "";
}

// Why a recorded object goes: its service went away, or its template stopped rendering it.
std::string ObjectKeepNote(const state::ResourceRecord& r, bool purge) {
  std::string kind = r.contains("attributes") && r["attributes"].is_object() ? r["attributes"].value("kind", "") : "";
  if (purge || !KeptWithoutPurge(kind)) return "";
  return "; the " + kind + " itself is kept (its data): only `destroy --purge` deletes it";
}

std::string ObjectDeleteReason(const std::string& address, const state::ResourceRecord& r,
                               const std::map<std::string, Desired>& desired, bool purge) {
  const ojson attrs = r.contains("attributes") && r["attributes"].is_object() ? r["attributes"] : ojson::object();
  std::string svc = attrs.value("service", "");
  std::string why = desired.count("service." + svc) ? "no longer rendered by " + attrs.value("file", "its template")
                                                    : "service " + svc + " is no longer enabled";
  return why + ObjectKeepNote(r, purge);
}

bool RecordSucceeded(const state::ResourceRecord& r) {
  return r.value("last_outcome", "success") != "failed" && r.contains("attributes") && !r["attributes"].is_null();
}

// The refreshes a service still owes (recorded with each render change it
// has not yet been refreshed for), "; "-joined; empty when none.
std::string PendingRefreshes(const state::ResourceRecord& r) {
  std::string p;
  if (!r.contains("pending") || !r["pending"].is_array()) return p;
  for (const auto& x : r["pending"])
    if (x.is_string()) p += (p.empty() ? "" : "; ") + x.get<std::string>();
  return p;
}

Action Decide(const std::string& address, graph::Kind kind, const Desired* des,
              const state::ResourceRecord* rec, const Observation* obs, ResourceHandler& h,
              const PlanOptions& opt) {
  Action a;
  a.address = address;
  a.kind = kind;
  if (rec && rec->contains("attributes")) a.before = (*rec)["attributes"];
  if (des) {
    a.after = des->attributes;
    a.hash = des->hash;
    a.machine = des->machine;
    a.content = des->content;
    a.resource_deps = des->resource_deps;
  } else if (rec) {
    a.machine = rec->value("machine", "");
    if (rec->contains("depends_on")) a.resource_deps = (*rec)["depends_on"].get<std::vector<std::string>>();
  }
  bool replace_kind = kind == graph::Kind::kNode;
  if (!des) {
    a.type = ActionType::kDelete;
    a.reason = DeleteReason(kind, address, opt.operation);
    a.purge = opt.purge && (kind == graph::Kind::kService || kind == graph::Kind::kObject);
    if (a.purge) a.reason += "; --purge: the delete-script destroys the service's data";
    return a;
  }
  if (!rec) {
    a.type = ActionType::kCreate;
    a.reason = CreateReason(kind, address);
    return a;
  }
  ActionType change = replace_kind ? ActionType::kReplace : ActionType::kUpdate;
  if (!RecordSucceeded(*rec)) {
    // A failed update/replace leaves the last applied attributes recorded:
    // retry the same kind of change (a service's refresh-script, not its
    // start-script). Without them (failed create, or failed delete of a
    // resource wanted again) it is created.
    std::string last = rec->value("last_action", std::string("apply"));
    bool had = rec->contains("attributes") && !(*rec)["attributes"].is_null();
    a.type = had && (last == "update" || last == "replace") ? change : ActionType::kCreate;
    // Name the refresh still owed first: the error below is a long log tail.
    std::string owed = a.type == change ? PendingRefreshes(*rec) : "";
    a.reason = (owed.empty() ? "" : "refresh still owed: " + owed + "; ") + "previous " + last +
               " failed: " + rec->value("error", std::string("see the apply log"));
    return a;
  }
  if (des->hash != rec->value("hash", "")) {
    a.type = change;
    a.reason = h.DescribeChange(a.before, a.after);
    return a;
  }
  if (obs && obs->observed) {
    std::string drift = h.DescribeDrift(*rec, *obs);
    if (!drift.empty()) {
      a.type = change;
      a.reason = drift;
      h.PlanRepair(*obs, &a);
      return a;
    }
  }
  if (std::string p = PendingRefreshes(*rec); !p.empty()) {
    a.type = ActionType::kUpdate;
    a.reason = "refresh still owed: " + p;
    return a;
  }
  a.type = ActionType::kNoOp;
  return a;
}

// Marks as no-op everything --target/--exclude leave out; returns what they left out.
std::set<std::string> ApplyTargets(Plan* plan, const PlanOptions& opt, Diagnostics* diags) {
  std::set<std::string> out;
  if (opt.targets.empty() && opt.excludes.empty()) return out;
  std::map<std::string, Action*> by;
  for (auto& a : plan->actions) by[a.address] = &a;
  std::map<std::string, std::vector<std::string>> dependents;
  for (auto& a : plan->actions)
    for (const auto& d : a.resource_deps) dependents[d].push_back(a.address);
  auto check = [&](const std::string& addr, const char* flag) {
    if (by.count(addr)) return true;
    diags->Error({}, std::string(flag) + " " + addr + ": no such resource in the workspace or the state",
                 "list resources with: paiplan state list, or paiplan graph");
    return false;
  };
  std::set<std::string> keep;
  std::function<void(const std::string&, bool)> walk = [&](const std::string& addr, bool up) {
    if (!keep.insert(addr).second || !by.count(addr)) return;
    const Action* a = by[addr];
    bool deleting = a->type == ActionType::kDelete;
    // A create/update needs its prerequisites; a delete needs its dependents gone first.
    if (up != deleting) for (const auto& d : a->resource_deps) walk(d, up);
    else for (const auto& d : dependents[addr]) walk(d, up);
  };
  if (!opt.targets.empty()) {
    for (const auto& t : opt.targets) if (check(t, "--target")) walk(t, true);
  } else {
    for (const auto& a : plan->actions) keep.insert(a.address);
  }
  std::set<std::string> drop;
  // Leaving out a create/update leaves out what needs it; leaving out a
  // delete keeps the resource, so the deletes of what it needs go too.
  std::function<void(const std::string&)> down = [&](const std::string& addr) {
    if (!drop.insert(addr).second) return;
    auto it = by.find(addr);
    if (it == by.end() || it->second->type != ActionType::kDelete) {
      for (const auto& d : dependents[addr]) down(d);
      return;
    }
    for (const auto& d : it->second->resource_deps) {
      auto p = by.find(d);
      if (p != by.end() && p->second->type == ActionType::kDelete) down(d);
    }
  };
  for (const auto& e : opt.excludes) if (check(e, "--exclude")) down(e);
  for (auto& a : plan->actions) {
    if (keep.count(a.address) && !drop.count(a.address)) continue;
    if (a.type != ActionType::kNoOp) a.notes.push_back("left out by --target/--exclude: " + std::string(ActionName(a.type)));
    a.type = ActionType::kNoOp;
    out.insert(a.address);
  }
  return out;
}

// destroy --purge --target ADDR: ADDR's delete-script runs; the dependents
// that must be destroyed before it are stopped, not purged (their data is
// kept: the operator named only ADDR).
void LimitPurgeToTargets(Plan* plan, const PlanOptions& opt) {
  if (!opt.purge || opt.targets.empty()) return;
  std::set<std::string> named(opt.targets.begin(), opt.targets.end());
  for (auto& a : plan->actions) {
    if (!a.purge || named.count(a.address)) continue;
    a.purge = false;
    a.reason = DeleteReason(a.kind, a.address, opt.operation) +
               "; stopped, not purged: --purge applies to the --target resources only";
  }
}

// A resource that stops depending on something being deleted changes first
// (Terraform's rule): a service moves off a removed machine before that
// machine is cleaned. The old edges are only in the record's depends_on.
void OrderDeletesAfterFormerDependents(Plan* plan, const state::Snapshot& snap) {
  std::map<std::string, Action*> deletes;
  for (auto& a : plan->actions)
    if (a.type == ActionType::kDelete) deletes[a.address] = &a;
  if (deletes.empty()) return;
  for (const auto& a : plan->actions) {
    if (a.type == ActionType::kNoOp || a.type == ActionType::kDelete) continue;
    auto r = snap.resources.find(a.address);
    if (r == snap.resources.end() || !r->second.contains("depends_on") || !r->second["depends_on"].is_array()) continue;
    for (const auto& d : r->second["depends_on"]) {
      auto it = d.is_string() ? deletes.find(d.get<std::string>()) : deletes.end();
      if (it == deletes.end()) continue;
      auto& deps = it->second->depends_on;
      if (std::find(deps.begin(), deps.end(), a.address) != deps.end()) continue;
      deps.push_back(a.address);
      std::sort(deps.begin(), deps.end());
    }
  }
}

// A machine added to layout.yaml refreshes the services whose deploy-rules
// select it (their prerequisites include its node.* or label.*), with a
// reason naming it; a service created by this plan is simply started.
void RefreshServicesOnAddedMachines(Plan* plan) {
  std::set<std::string> added;
  for (const auto& a : plan->actions)
    if (a.kind == graph::Kind::kNode && a.type == ActionType::kCreate) added.insert(Subject(a.address));
  if (added.empty()) return;
  for (auto& a : plan->actions) {
    if (a.kind != graph::Kind::kService || (a.type != ActionType::kNoOp && a.type != ActionType::kUpdate)) continue;
    std::set<std::string> hosts;
    for (const auto& d : a.resource_deps) {
      bool host_dep = d.starts_with("node.") || d.starts_with("label.");
      if (host_dep && added.count(Subject(d))) hosts.insert(Subject(d));
    }
    if (hosts.empty()) continue;
    std::string names;
    for (const auto& h : hosts) names += (names.empty() ? "" : ", ") + h;
    std::string why = (hosts.size() == 1 ? "machine " : "machines ") + names + " added: the deploy-rules select " +
                      (hosts.size() == 1 ? "it" : "them");
    std::string rest = a.type == ActionType::kNoOp ? "" : a.reason;
    if (rest == "hosts changed") rest.clear();
    if (rest.ends_with("; hosts changed")) rest.resize(rest.size() - std::string("; hosts changed").size());
    a.type = ActionType::kUpdate;
    a.reason = why + (rest.empty() ? "" : "; " + rest);
  }
}

// A replaced machine joins again (a NotReady repair deletes its Node object
// first): its labels are applied again after it, whatever the plan observed
// on the Node it had before.
void ReapplyLabelsOfReplacedMachines(Plan* plan) {
  std::set<std::string> replaced;
  for (const auto& a : plan->actions)
    if (a.kind == graph::Kind::kNode && a.type == ActionType::kReplace) replaced.insert(Subject(a.address));
  if (replaced.empty()) return;
  for (auto& a : plan->actions) {
    if (a.kind != graph::Kind::kLabel || a.type != ActionType::kNoOp || !replaced.count(Subject(a.address))) continue;
    a.type = ActionType::kUpdate;
    a.reason = "node." + Subject(a.address) + " is replaced: its labels are applied again to the Node it registers";
  }
}

}  // namespace

void LinkActions(Plan* plan) {
  std::map<std::string, size_t> idx;
  for (size_t i = 0; i < plan->actions.size(); ++i) idx[plan->actions[i].address] = i;
  std::map<std::string, std::vector<std::string>> dependents;
  for (const auto& a : plan->actions)
    for (const auto& d : a.resource_deps) dependents[d].push_back(a.address);
  for (auto& a : plan->actions) {
    a.depends_on.clear();
    if (a.type == ActionType::kNoOp) continue;
    bool del = a.type == ActionType::kDelete;
    std::set<std::string> seen, found;
    std::vector<std::string> stack = del ? dependents[a.address] : a.resource_deps;
    while (!stack.empty()) {
      std::string cur = stack.back();
      stack.pop_back();
      if (!seen.insert(cur).second) continue;
      auto it = idx.find(cur);
      if (it == idx.end()) continue;
      const Action& other = plan->actions[it->second];
      bool other_del = other.type == ActionType::kDelete;
      if (other.type != ActionType::kNoOp && other_del == del) {
        found.insert(cur);
        continue;
      }
      const auto& next = del ? dependents[cur] : other.resource_deps;
      stack.insert(stack.end(), next.begin(), next.end());
    }
    a.depends_on.assign(found.begin(), found.end());
  }
}

Plan MakePlan(const std::map<std::string, Desired>& desired_in, const state::Snapshot& snap,
              Handlers& handlers, const PlanOptions& opt, Diagnostics* diags,
              std::map<std::string, Observation>* observed_out) {
  Plan plan;
  plan.operation = opt.operation;
  plan.lineage = snap.lineage;
  plan.serial = snap.serial;
  static const std::map<std::string, Desired> kNone;
  const auto& desired = opt.operation == "destroy" ? kNone : desired_in;
  std::set<std::string> addresses;
  for (const auto& [a, _] : desired) addresses.insert(a);
  for (const auto& [a, _] : snap.resources) addresses.insert(a);

  std::map<graph::Kind, std::vector<ObserveItem>> batches;
  for (const auto& addr : addresses) {
    auto kind = graph::KindOfAddress(addr);
    if (!kind) continue;
    auto d = desired.find(addr);
    auto r = snap.resources.find(addr);
    batches[*kind].push_back({addr, d == desired.end() ? nullptr : &d->second,
                              r == snap.resources.end() ? nullptr : &r->second});
  }
  std::map<std::string, Observation> observed;
  std::map<std::string, std::string> unobserved;  // left out unless require_all
  if (opt.refresh) {
    for (auto& [kind, items] : batches) handlers.at(kind)->Observe(items, &observed);
  }
  for (auto& [kind, items] : batches) {
    for (const auto& it : items) {
      auto o = observed.find(it.address);
      const Observation* obs = o == observed.end() ? nullptr : &o->second;
      Action a = Decide(it.address, kind, it.desired, it.recorded, obs, *handlers.at(kind), opt);
      if (a.type == ActionType::kDelete && kind == graph::Kind::kRender && opt.operation != "destroy") {
        // The template may still be listed: the whole service went away.
        std::string svc = Subject(it.address);
        svc = svc.substr(0, svc.find('/'));
        if (!desired.count("service." + svc)) a.reason = "service " + svc + " is no longer enabled";
      }
      if (a.type == ActionType::kDelete && kind == graph::Kind::kObject && opt.operation != "destroy") {
        a.reason = ObjectDeleteReason(it.address, *it.recorded, desired, opt.purge);
      } else if (a.type == ActionType::kDelete && kind == graph::Kind::kObject) {
        a.reason += ObjectKeepNote(*it.recorded, opt.purge);
      }
      if (obs && !obs->observed && !obs->error.empty()) {
        if (a.type == ActionType::kNoOp || a.type == ActionType::kDelete || it.recorded) unobserved[it.address] = obs->error;
        a.notes.push_back("not observed: " + obs->error);
      }
      if (obs && !obs->note.empty() && a.type != ActionType::kNoOp) a.notes.push_back(obs->note);
      if (a.type == ActionType::kDelete && kind == graph::Kind::kNode && opt.operation == "destroy" &&
          opt.targets.empty()) {
        a.script = kWholeClusterGoes;  // no drain, no etcd leave: every machine goes
      } else if (a.type == ActionType::kDelete) {
        for (auto& s : handlers.at(kind)->DeleteSteps(it.address)) a.notes.push_back(std::move(s));
      }
      plan.actions.push_back(std::move(a));
    }
  }
  PlanScriptedRefreshes(batches[graph::Kind::kObject], observed, &plan.actions);
  std::sort(plan.actions.begin(), plan.actions.end(),
            [](const Action& x, const Action& y) { return x.address < y.address; });
  ApplyReplacements(&plan, opt.replace, diags);
  RefreshServicesOnAddedMachines(&plan);
  ReapplyLabelsOfReplacedMachines(&plan);
  // What --target/--exclude leave out is not reported as unobserved either.
  for (const auto& addr : ApplyTargets(&plan, opt, diags)) unobserved.erase(addr);
  if (opt.require_all) {
    for (const auto& [addr, error] : unobserved) plan.errors.push_back("could not observe " + addr + ": " + error);
  } else {
    LeaveOutUnobserved(&plan, unobserved);
  }
  LimitPurgeToTargets(&plan, opt);
  AssignBatches(&plan, opt.max_unavailable);
  LinkActions(&plan);
  OrderDeletesAfterFormerDependents(&plan, snap);
  if (observed_out) *observed_out = std::move(observed);
  return plan;
}

}  // namespace paiplan::plan
