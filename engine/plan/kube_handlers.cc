// label.<hostname> and config.cluster: the Kubernetes side, through KubeApi.
// Labels: paiplan owns the label keys it set (recorded in the state) and
// never removes any other. Observed with one LIST of all nodes per plan.
#include <algorithm>
#include <set>

#include "engine/base/sha256.h"
#include "engine/plan/desired.h"
#include "engine/plan/handlers.h"

namespace paiplan::plan {
namespace {

std::set<std::string> LabelKeys(const ojson& attrs) {
  std::set<std::string> out;
  if (attrs.is_object() && attrs.contains("labels")) {
    for (auto it = attrs["labels"].begin(); it != attrs["labels"].end(); ++it) out.insert(it.key());
  }
  return out;
}

// Recorded with a label.* resource: desired labels that were on the node
// before paiplan (not set by it, so never removed by it).
constexpr char kUnownedLabels[] = "unowned_labels";

// The labels paiplan set, from recorded attributes: every recorded label but
// the unowned ones.
std::set<std::string> OwnedLabels(const ojson& attrs) {
  std::set<std::string> out = LabelKeys(attrs);
  if (attrs.is_object() && attrs.contains(kUnownedLabels) && attrs[kUnownedLabels].is_array()) {
    for (const auto& k : attrs[kUnownedLabels]) if (k.is_string()) out.erase(k.get<std::string>());
  }
  return out;
}

// attrs[key] when attrs is an object that has it (a failed create records
// null attributes), else `def`.
std::string Field(const ojson& attrs, const char* key, const char* def) {
  return attrs.is_object() ? attrs.value(key, std::string(def)) : std::string(def);
}

std::string NodeName(const ObserveItem& it) {
  const ojson& a = it.desired ? it.desired->attributes : (*it.recorded)["attributes"];
  return a.is_object() ? a.value("nodename", "") : "";
}

class LabelHandler : public ResourceHandler {
 public:
  explicit LabelHandler(const Env& env) : env_(env) {}
  graph::Kind kind() const override { return graph::Kind::kLabel; }

  void Observe(const std::vector<ObserveItem>& items, std::map<std::string, Observation>* out) override {
    if (items.empty()) return;
    Result<std::map<std::string, std::map<std::string, std::string>>> nodes =
        env_.kube ? env_.kube->ListNodeLabels() : Err(Status::Unavailable(env_.kube_error));
    for (const auto& it : items) {
      Observation o;
      if (!nodes) {
        o.error = nodes.error().message();
        (*out)[it.address] = o;
        continue;
      }
      auto n = nodes->find(NodeName(it));
      if (n == nodes->end() && !it.recorded) {
        // A new machine whose node has not joined yet: its labels cannot be
        // observed; the plan notes why and the label waits for the bootstrap.
        o.error = "node " + NodeName(it) + " is not registered in Kubernetes yet; its labels are applied after " +
                  "node." + it.address.substr(6) + " bootstraps and the node joins";
        (*out)[it.address] = o;
        continue;
      }
      o.observed = true;
      o.exists = n != nodes->end();
      ojson labels = ojson::object();
      if (o.exists) {
        std::set<std::string> keys = LabelKeys(it.desired ? it.desired->attributes : ojson());
        if (it.recorded) for (const auto& k : LabelKeys((*it.recorded)["attributes"])) keys.insert(k);
        for (const auto& k : keys) {
          auto l = n->second.find(k);
          if (l != n->second.end()) labels[k] = l->second;
        }
      }
      o.attributes = {{"nodename", NodeName(it)}, {"labels", labels}};
      (*out)[it.address] = o;
    }
  }

  std::vector<Difference> Differences(const state::ResourceRecord& rec, const Observation& obs) const override {
    const ojson& attrs = rec["attributes"];
    if (!obs.exists) {
      return {{"node", "node " + attrs.value("nodename", std::string("?")) + " is not registered in Kubernetes"}};
    }
    std::vector<Difference> out;
    const ojson& seen = obs.attributes["labels"];
    for (const auto& k : LabelKeys(attrs)) {
      if (!seen.contains(k)) out.push_back({"labels." + k, k + " removed outside paiplan"});
      else if (seen[k] != "true") out.push_back({"labels." + k, k + " changed to " + seen[k].get<std::string>() + " outside paiplan"});
    }
    return out;
  }

  std::string DescribeDifferences(const state::ResourceRecord&, const std::vector<Difference>& diffs) const override {
    if (diffs.empty()) return "";
    if (diffs.size() == 1 && diffs[0].attribute == "node") return diffs[0].message;
    return "labels drifted: " + JoinMessages(diffs, ", ");
  }

  std::string DescribeDrift(const state::ResourceRecord& rec, const Observation& obs) const override {
    return DescribeDifferences(rec, Differences(rec, obs));
  }

  std::string DescribeChange(const ojson& before, const ojson& after) const override {
    auto b = LabelKeys(before), a = LabelKeys(after);
    std::string out;
    for (const auto& k : a) if (!b.count(k)) out += (out.empty() ? "" : ", ") + std::string("add ") + k;
    for (const auto& k : b) if (!a.count(k)) out += (out.empty() ? "" : ", ") + std::string("remove ") + k;
    if (before.value("nodename", "") != after.value("nodename", "")) out += (out.empty() ? "" : ", ") + std::string("node name changed");
    // Not "changed in layout.yaml": after `apply --refresh-only` accepted a
    // removal, the layout is unchanged and the state is what moved.
    return out.empty() ? SummarizeChange(before, after) : "layout.yaml labels differ from the state: " + out;
  }

  ApplyResult Apply(const Action& a, ApplyContext& ctx) override {
    ApplyResult r;
    if (!env_.kube) {
      r.status = Status::Unavailable(env_.kube_error);
      return r;
    }
    bool del = a.type == ActionType::kDelete;
    std::string node = Field(del ? a.before : a.after, "nodename", "");
    std::set<std::string> owned = OwnedLabels(a.before), unowned;
    std::map<std::string, std::optional<std::string>> changes;
    if (!del) {
      r.status = FindUnowned(node, LabelKeys(a.after), owned, &unowned);
      if (!r.status.ok()) return r;
      for (const auto& k : LabelKeys(a.after)) if (!unowned.count(k)) changes[k] = "true";
    }
    for (const auto& k : owned) if (del || !LabelKeys(a.after).count(k)) changes[k] = std::nullopt;
    std::string line = "PATCH node " + node + " labels:";
    for (const auto& [k, v] : changes) line += " " + k + (v ? "=" + *v : "-");
    for (const auto& k : unowned) line += " (" + k + "=true already set, not by paiplan: left as is, not owned)";
    ctx.log(line + " (" + env_.kube->server() + ")\n");
    r.status = env_.kube->PatchNodeLabels(node, changes);
    if (del && r.status.code() == Code::kNotFound) r.status = Status::Ok();  // node already gone
    if (!r.status.ok() && r.status.code() == Code::kNotFound) r.status = NotRegistered(node, r.status);
    if (!r.status.ok()) return r;
    if (del) r.batch.deletes.push_back(a.address);
    else r.batch.puts.emplace_back(a.address, Record(a, unowned));
    return r;
  }

 private:
  static Status NotRegistered(const std::string& node, const Status& why) {
    return Status::Unavailable("node " + node + " is not registered in Kubernetes yet (" + why.message() + ")");
  }

  // Desired labels the node already carries with the desired value although
  // paiplan does not own them (set by someone else before paiplan): they are
  // left as they are and never removed by paiplan. One it carries with
  // another value is someone else's setting: paiplan does not overwrite it
  // (FailedPrecondition, not retried) until it is removed or imported.
  Status FindUnowned(const std::string& node, const std::set<std::string>& desired,
                     const std::set<std::string>& owned, std::set<std::string>* unowned) {
    if (std::includes(owned.begin(), owned.end(), desired.begin(), desired.end())) return Status::Ok();
    auto current = env_.kube->GetNodeLabels(node);
    if (!current) return current.error();
    if (!current->has_value()) return NotRegistered(node, Status::NotFound("no such node"));
    std::string conflicts;
    for (const auto& k : desired) {
      auto l = (*current)->find(k);
      if (owned.count(k) || l == (*current)->end()) continue;
      if (l->second == "true") unowned->insert(k);
      else conflicts += (conflicts.empty() ? "" : ", ") + k + "=" + l->second;
    }
    if (conflicts.empty()) return Status::Ok();
    return Status::FailedPrecondition(
        "node " + node + " already has " + conflicts + ", not set by paiplan, and layout.yaml wants \"true\"; "
        "paiplan does not overwrite labels it did not set, so nothing was changed on this node. Remove the label "
        "(kubectl label node " + node + " KEY-), or let paiplan take it over with `paiplan import label.<hostname>`");
  }

  state::ResourceRecord Record(const Action& a, const std::set<std::string>& unowned) const {
    auto rec = MakeRecord(a, env_.now());
    std::vector<std::string> owned;
    for (const auto& k : LabelKeys(a.after)) if (!unowned.count(k)) owned.push_back(k);
    rec["owned_labels"] = owned;
    if (!unowned.empty()) rec["attributes"][kUnownedLabels] = std::vector<std::string>(unowned.begin(), unowned.end());
    return rec;
  }

  const Env& env_;
};

class ConfigHandler : public ResourceHandler {
 public:
  explicit ConfigHandler(const Env& env) : env_(env) {}
  graph::Kind kind() const override { return graph::Kind::kConfig; }

  void Observe(const std::vector<ObserveItem>& items, std::map<std::string, Observation>* out) override {
    for (const auto& it : items) {
      Observation o;
      const ojson& attrs = it.desired ? it.desired->attributes : (*it.recorded)["attributes"];
      if (!env_.kube) {
        o.error = env_.kube_error;
        (*out)[it.address] = o;
        continue;
      }
      auto cm = env_.kube->GetConfigMap(Field(attrs, "namespace", "default"), Field(attrs, "name", "pai-configuration"));
      if (!cm) {
        o.error = cm.error().message();
      } else {
        o.observed = true;
        o.exists = cm->has_value();
        if (o.exists && !Applied(it.recorded) && !(*cm)->ManagedByPaiplan()) o.note = NotOurs(attrs) + "; applying it will fail";
        if (o.exists) {
          ojson files = ojson::object();
          for (const auto& [k, v] : (*cm)->data) files[k] = Sha256Hex(v);
          o.attributes = {{"namespace", Field(attrs, "namespace", "default")},
                          {"name", Field(attrs, "name", "pai-configuration")}, {"files", files}};
          o.hash = Sha256Hex(o.attributes.dump());
        }
      }
      (*out)[it.address] = o;
    }
  }

  std::vector<Difference> Differences(const state::ResourceRecord& rec, const Observation& obs) const override {
    std::string name = rec["attributes"].value("name", std::string("pai-configuration"));
    if (!obs.exists) return {{"configmap", "ConfigMap " + name + " was deleted outside paiplan"}};
    if (obs.hash == rec.value("hash", "")) return {};
    std::vector<Difference> out;
    for (const auto& k : DiffAttrs(rec["attributes"], obs.attributes)) out.push_back({"data." + k, k});
    if (out.empty()) out.push_back({"configmap", ""});  // edited, but no key differs (namespace, name)
    return out;
  }

  std::string DescribeDifferences(const state::ResourceRecord& rec, const std::vector<Difference>& diffs) const override {
    if (diffs.empty()) return "";
    if (diffs[0].attribute == "configmap" && !diffs[0].message.empty()) return diffs[0].message;
    std::string name = rec["attributes"].value("name", std::string("pai-configuration"));
    std::string what = JoinMessages(diffs, ", ");
    return "ConfigMap " + name + " edited outside paiplan" + (what.empty() ? "" : ": " + what + " differs");
  }

  std::string DescribeDrift(const state::ResourceRecord& rec, const Observation& obs) const override {
    return DescribeDifferences(rec, Differences(rec, obs));
  }

  std::string DescribeChange(const ojson& before, const ojson& after) const override {
    std::string what;
    for (const auto& c : DiffAttrs(before, after)) what += (what.empty() ? "" : ", ") + c;
    return what.empty() ? SummarizeChange(before, after) : "cluster configuration changed: " + what;
  }

  ApplyResult Apply(const Action& a, ApplyContext& ctx) override {
    ApplyResult r;
    if (!env_.kube) {
      r.status = Status::Unavailable(env_.kube_error);
      return r;
    }
    bool del = a.type == ActionType::kDelete;
    const ojson& attrs = del ? a.before : a.after;
    std::string ns = Field(attrs, "namespace", "default"), name = Field(attrs, "name", "pai-configuration");
    if (del && !attrs.is_object()) {
      // Only a failed create was recorded: nothing of ours to delete (the
      // object there, if any, is someone else's).
      r.batch.deletes.push_back(a.address);
      return r;
    }
    if (a.type == ActionType::kCreate) {
      r.status = CheckNotForeign(attrs);
      if (!r.status.ok()) return r;
    }
    ctx.log(std::string(del ? "DELETE" : "PUT") + " configmap " + ns + "/" + name + " (" + env_.kube->server() + ")\n");
    KubeConfigMap cm{del ? std::map<std::string, std::string>() : ClusterConfigData(*env_.ws),
                     {{kManagedByLabel, kManagedByValue}}};
    r.status = del ? env_.kube->DeleteConfigMap(ns, name) : env_.kube->PutConfigMap(ns, name, cm);
    if (r.status.ok()) {
      if (del) r.batch.deletes.push_back(a.address);
      else r.batch.puts.emplace_back(a.address, MakeRecord(a, env_.now()));
    }
    return r;
  }

 private:
  // Whether the record says paiplan created (or imported) the ConfigMap; a
  // failed create records no attributes.
  static bool Applied(const state::ResourceRecord* rec) {
    return rec && rec->contains("attributes") && (*rec)["attributes"].is_object();
  }

  static std::string NotOurs(const ojson& attrs) {
    std::string where = Field(attrs, "namespace", "default") + "/" + Field(attrs, "name", "pai-configuration");
    return "ConfigMap " + where + " already exists and was not created by paiplan (no label " + kManagedByLabel +
           "=" + kManagedByValue + "): paiplan will not overwrite it; to manage it, adopt it with: paiplan import " +
           "config.cluster";
  }

  // A create must not overwrite a ConfigMap someone else made (the plan
  // may be older than the object). Recorded ones (created or imported) are ours.
  Status CheckNotForeign(const ojson& attrs) {
    auto cm = env_.kube->GetConfigMap(Field(attrs, "namespace", "default"), Field(attrs, "name", "pai-configuration"));
    if (!cm) return cm.error();
    if (cm->has_value() && !(*cm)->ManagedByPaiplan()) return Status::FailedPrecondition(NotOurs(attrs));
    return Status::Ok();
  }

  static std::vector<std::string> DiffAttrs(const ojson& a, const ojson& b) {
    std::vector<std::string> out;
    std::set<std::string> keys;
    for (const auto* x : {&a, &b})
      if (x->is_object() && x->contains("files"))
        for (auto it = (*x)["files"].begin(); it != (*x)["files"].end(); ++it) keys.insert(it.key());
    for (const auto& k : keys) {
      auto get = [&](const ojson& x) { return x.contains("files") && x["files"].contains(k) ? x["files"][k].dump() : ""; };
      if (get(a) != get(b)) out.push_back(k);
    }
    return out;
  }
  const Env& env_;
};

}  // namespace

std::unique_ptr<ResourceHandler> MakeLabelHandler(const Env& env) { return std::make_unique<LabelHandler>(env); }
std::unique_ptr<ResourceHandler> MakeConfigHandler(const Env& env) { return std::make_unique<ConfigHandler>(env); }

}  // namespace paiplan::plan
