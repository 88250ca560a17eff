// node.<hostname>: bootstrap a machine with its role package over its
// transport, and observe it through the marker file the bootstrap leaves.
#include <algorithm>
#include <chrono>

#include "engine/base/duration.h"
#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/plan/handlers.h"
#include "engine/plan/join_credentials.h"
#include "engine/plan/node_drain.h"
#include "engine/plan/node_health.h"
#include "engine/plan/node_lifecycle.h"
#include "engine/plan/rolling.h"
#include "engine/plan/role_package.h"
#include "engine/plan/service_script.h"

namespace paiplan::plan {
namespace {

class NodeHandler : public ResourceHandler {
 public:
  explicit NodeHandler(const Env& env) : env_(env), packager_(*env.ws, &diags_), joins_(env) {}
  graph::Kind kind() const override { return graph::Kind::kNode; }

  void Observe(const std::vector<ObserveItem>& items, std::map<std::string, Observation>* out) override {
    std::vector<Observation> obs(items.size());
    ParallelFor(items.size(), env_.ws->settings.ssh_parallelism, [&](size_t i) {
      obs[i] = ObserveOne(items[i]);
    });
    ObserveNodes(items, &obs, &delete_steps_);
    for (size_t i = 0; i < items.size(); ++i) (*out)[items[i].address] = std::move(obs[i]);
  }

  std::vector<std::string> DeleteSteps(const std::string& address) const override {
    auto it = delete_steps_.find(address);
    return it == delete_steps_.end() ? std::vector<std::string>() : it->second;
  }

  // A NotReady Node past nodes.repair-after is re-bootstrapped and re-joined
  // (not the first master: that would create a new cluster).
  void PlanRepair(const Observation& obs, Action* a) const override {
    if (NotReadyReason(NodeFacts(obs), env_.ws->settings.repair_after).empty() || IsFirstMaster(a->after)) return;
    a->script = kRepairScript;
    for (auto& s : RepairSteps(*env_.ws, a->before)) a->notes.push_back(std::move(s));
  }

  std::vector<Difference> Differences(const state::ResourceRecord& rec, const Observation& obs) const override {
    const ojson& want = rec["attributes"];
    if (!obs.exists) return {{"marker", "bootstrap marker missing on the node (" + MarkerPath(want) + ")"}};
    if (!obs.attributes.is_object()) {
      return {{"marker", "bootstrap marker on the node is not valid JSON (" + MarkerPath(want) + ")"}};
    }
    std::string diffs;
    auto differs = [&](const char* key, const std::string& name, size_t width) {
      std::string seen = obs.attributes.value(key, std::string());
      std::string recorded = want.is_object() ? want.value(key, std::string()) : std::string();
      if (seen == recorded) return;
      auto shown = [&](const std::string& v) { return v.empty() ? std::string("none") : v.substr(0, width); };
      diffs += (diffs.empty() ? "" : ", ") + name + " " + shown(seen) + " (state: " + shown(recorded) + ")";
    };
    differs("role", "role", std::string::npos);
    differs("package_hash", "package hash", 12);
    std::string not_ready = NotReadyReason(NodeFacts(obs), env_.ws->settings.repair_after);
    if (diffs.empty() && !not_ready.empty() && !IsFirstMaster(want)) return {{"ready", not_ready}};
    // `state mv` keeps the marker written under the old name and records its
    // hash as marker_hash: that marker is the same machine's (docs/state-mv.md).
    if (diffs.empty() && obs.hash != rec.value("hash", "") && obs.hash != rec.value("marker_hash", ""))
      diffs = "hash " + obs.hash.substr(0, 12);
    if (diffs.empty()) return {};
    return {{"marker", "bootstrap marker on the node differs from the state: " + diffs}};
  }

  std::string DescribeDrift(const state::ResourceRecord& rec, const Observation& obs) const override {
    return DescribeDifferences(rec, Differences(rec, obs));
  }

  std::string DescribeChange(const ojson& before_in, const ojson& after) const override {
    ojson before = before_in;
    for (const char* k : kConnectionKeys) if (before.is_object() && !after.contains(k)) before.erase(k);
    if (before.is_object() && after.is_object() && before.value("role", "") == after.value("role", "") &&
        before.value("package_hash", "") != after.value("package_hash", "")) {
      return "role package for " + after.value("role", std::string()) + " changed";
    }
    return SummarizeChange(before, after);
  }

  ApplyResult Apply(const Action& a, ApplyContext& ctx) override {
    ApplyResult r;
    std::optional<OutputValues> published;
    if (a.type == ActionType::kReplace && a.script == kRepairScript) r.status = Repair(a, ctx);
    if (!r.status.ok()) return r;
    r.status = a.type == ActionType::kDelete ? Clean(a, ctx) : Bootstrap(a, ctx, &published);
    if (!r.status.ok()) return r;
    if (a.type == ActionType::kDelete) {
      r.batch.deletes.push_back(a.address);
      if (env_.outputs) env_.outputs->Erase(a.address);
      return r;
    }
    // A run that wrote no outputs file keeps what was published before.
    OutputValues values = published ? *published : OutputValues{};
    if (!published && env_.outputs) values = env_.outputs->Get(a.address).value_or(OutputValues{});
    auto rec = MakeRecord(a, env_.now());
    if (!values.empty()) rec["outputs"] = values;
    if (env_.outputs) env_.outputs->Set(a.address, std::move(values));
    r.batch.puts.emplace_back(a.address, std::move(rec));
    return r;
  }

 private:
  // Connection details kept in the attributes but outside the hash (see desired.cc).
  static constexpr const char* kConnectionKeys[] = {"keyfile_path", "proxy_jump", "nodename"};

  static const ojson& NodeFacts(const Observation& obs) {
    static const ojson kNone;
    return obs.attributes.is_object() && obs.attributes.contains(kNodeObserved) ? obs.attributes[kNodeObserved] : kNone;
  }

  bool IsFirstMaster(const ojson& attrs) const {
    const config::Machine* first = FirstMaster(*env_.ws);
    return first && attrs.is_object() && attrs.value("hostname", std::string()) == first->hostname;
  }

  // Whether paiplan drives the Nodes of these machines: the role packages
  // form a kubeadm cluster and Kubernetes is managed.
  bool Lifecycle() const { return IsJoinedCluster(*env_.ws) && (env_.kube || !env_.kube_error.empty()); }

  // What the API says of each machine's Node (one LIST), for repairs and the
  // steps of removals; nothing when these machines' Nodes are not paiplan's.
  void ObserveNodes(const std::vector<ObserveItem>& items, std::vector<Observation>* obs,
                    std::map<std::string, std::vector<std::string>>* steps) const {
    if (!Lifecycle() || items.empty()) return;
    Result<std::map<std::string, NodeReadiness>> nodes =
        env_.kube ? env_.kube->ListNodeReadiness() : Err(Status::Unavailable(env_.kube_error));
    double now = ParseRfc3339(env_.now()).value_or(0);
    for (size_t i = 0; i < items.size(); ++i) {
      const ObserveItem& it = items[i];
      Observation& o = (*obs)[i];
      const ojson& attrs = it.desired ? it.desired->attributes : (*it.recorded)["attributes"];
      ojson facts = nodes ? NodeObservation(NodeNameOf(attrs), *nodes, now) : ojson();
      if (o.attributes.is_object() && !facts.is_null()) o.attributes[kNodeObserved] = facts;
      if (!it.desired && it.recorded) {
        (*steps)[it.address] = RemovalSteps(*env_.ws, attrs, facts, nodes ? "" : nodes.error().message());
      }
    }
  }

  std::string MarkerPath(const ojson& attrs) const {
    std::string dir = attrs.is_object() ? attrs.value("state_dir", env_.ws->settings.node_state_dir)
                                        : env_.ws->settings.node_state_dir;
    return fs::Join(dir, "node.json");
  }

  // The machine entry; for a machine removed from layout.yaml, rebuilt from
  // the attributes recorded when it was bootstrapped.
  config::Machine MachineFor(const std::string& hostname, const ojson& recorded) const {
    if (const auto* m = env_.ws->FindMachine(hostname)) return *m;
    config::Machine m;
    m.hostname = hostname;
    if (recorded.is_object()) {
      m.hostip = recorded.value("hostip", "");
      m.role = recorded.value("role", "worker");
      m.sshport = recorded.value("sshport", 22);
      m.username = recorded.value("username", "");
      m.keyfile_path = recorded.value("keyfile_path", "");
      m.proxy_jump = recorded.value("proxy_jump", "");
      m.local = recorded.value("transport", "ssh") == "local";
    }
    return m;
  }

  Observation ObserveOne(const ObserveItem& it) const {
    Observation o;
    const ojson& attrs = it.desired ? it.desired->attributes
                                    : (it.recorded ? (*it.recorded)["attributes"] : ojson());
    config::Machine m = MachineFor(it.address.substr(5), attrs);
    auto t = env_.transport(m);
    if (!t) {
      o.error = t.error().message();
      return o;
    }
    auto marker = (*t)->ReadFile(MarkerPath(attrs));
    if (!marker) {
      o.error = marker.error().message();
      return o;
    }
    o.observed = true;
    if (!marker->has_value()) return o;
    o.exists = true;
    o.attributes = ojson::parse(**marker, nullptr, false);
    if (o.attributes.is_object()) o.hash = o.attributes.value("hash", "");
    return o;
  }

  // `timeout_s`: nodes.bootstrap-timeout for bootstrap.sh, ssh.command-timeout
  // for every other remote command (clean.sh).
  Status Run(providers::Transport* t, const std::string& cmd, const std::string& cwd,
             const config::Machine& m, ApplyContext& ctx, const char* what, double timeout_s,
             const std::map<std::string, std::string>& extra = {}) {
    providers::ExecRequest req;
    req.command = cmd;
    req.cwd = cwd;
    req.env = env_.ws->settings.node_env;
    for (const auto& [k, v] : extra) req.env[k] = v;
    req.env["PAIPLAN_HOSTNAME"] = m.hostname;
    req.env["PAIPLAN_ROLE"] = m.role;
    req.env["PAIPLAN_HOSTIP"] = m.hostip;
    if (const config::Machine* first = FirstMaster(*env_.ws)) req.env["PAIPLAN_FIRST_MASTER"] = first->hostname;
    req.timeout = std::chrono::milliseconds(int64_t(timeout_s * 1000));
    req.on_output = [&](std::string_view chunk, bool) { ctx.log(chunk); };
    ctx.log("$ " + cmd + "  (on " + t->Describe() + ", in " + cwd + ")\n");
    auto res = t->Exec(req);
    if (!res && res.error().code() == Code::kDeadlineExceeded) {
      return Status::DeadlineExceeded(std::string(what) + ": " + res.error().message() + "\nfull log: " + ctx.log_path);
    }
    if (!res) return res.error();
    if (res->exit_status != 0) {
      std::string tail = res->stderr_tail.empty() ? res->stdout_tail : res->stderr_tail;
      return Status::FailedPrecondition(std::string(what) + " exited with status " +
                                        std::to_string(res->exit_status) + " on " + t->Describe() +
                                        LastOutputText(tail) + "\nfull log: " + ctx.log_path);
    }
    return Status::Ok();
  }

  Status Bootstrap(const Action& a, ApplyContext& ctx, std::optional<OutputValues>* published) {
    config::Machine m = MachineFor(a.address.substr(5), a.after);
    auto pkg = packager_.Build(m);
    if (!pkg) return pkg.error();
    PP_ASSIGN_OR_RETURN(auto* t, env_.transport(m));
    std::string dir = a.after.value("state_dir", env_.ws->settings.node_state_dir);
    std::string staging = fs::Join(dir, "staging");
    for (const auto& [name, content] : pkg->files) {
      int mode = name.ends_with(".sh") ? 0755 : 0644;
      PP_RETURN_IF_ERROR(t->Upload(fs::Join(staging, name), content, mode));
    }
    ctx.log("uploaded " + std::to_string(pkg->files.size()) + " files to " + staging + "\n");
    std::string outputs_file = fs::Join(staging, "outputs.env");
    PP_RETURN_IF_ERROR(t->RemoveFile(outputs_file));
    std::map<std::string, std::string> extra = OutputEnvironment(env_, a.resource_deps);
    extra["PAIPLAN_OUTPUTS"] = outputs_file;
    if (joins_.NeedsCredentials(m)) {
      PP_ASSIGN_OR_RETURN(auto creds, joins_.Mint(m, ctx));
      for (const auto& [k, v] : creds) extra[JoinEnvName(k)] = v;
    }
    PP_RETURN_IF_ERROR(Run(t, "bash ./bootstrap.sh", staging, m, ctx, "bootstrap.sh",
                                env_.ws->settings.bootstrap_timeout, extra));
    PP_ASSIGN_OR_RETURN(auto text, t->ReadFile(outputs_file));
    if (text.has_value()) {
      PP_ASSIGN_OR_RETURN(OutputValues values, ParseOutputs(*text, "$PAIPLAN_OUTPUTS of node." + m.hostname));
      PP_RETURN_IF_ERROR(t->RemoveFile(outputs_file));
      ctx.log("published " + std::to_string(values.size()) + " output(s)\n");
      *published = std::move(values);
    }
    PP_RETURN_IF_ERROR(FetchKubeconfig(t, staging, ctx));
    ojson marker = {{"hostname", m.hostname}, {"role", m.role}, {"hash", a.hash},
                    {"package_hash", pkg->hash}, {"paiplan_version", PAIPLAN_VERSION},
                    {"applied_at", env_.now()}};
    PP_RETURN_IF_ERROR(t->Upload(MarkerPath(a.after), marker.dump(2) + "\n", 0644));
    if (a.batch < 0) return Status::Ok();
    bool script = std::any_of(pkg->files.begin(), pkg->files.end(), [](const auto& f) { return f.first == kHealthScript; });
    return WaitHealthy(Gate(t, m, staging, script, ctx), ctx);
  }

  // The health gate of a machine whose replacement rolls (node_health.h).
  HealthGate Gate(providers::Transport* t, const config::Machine& m, const std::string& staging, bool script,
                  ApplyContext& ctx) {
    HealthGate g;
    g.machine = m.hostname;
    g.kube = env_.kube;
    g.kube_error = env_.kube ? "" : env_.kube_error;
    g.node_name = m.nodename.empty() ? m.hostip : m.nodename;
    g.timeout_s = env_.ws->settings.health_timeout;
    if (script && !g.kube && g.kube_error.empty()) {
      g.run_script = [this, t, m, staging, &ctx](double timeout_s) {
        return Run(t, std::string("bash ./") + kHealthScript, staging, m, ctx, kHealthScript, timeout_s);
      };
    }
    return g;
  }

  // A bootstrap that leaves `kubeconfig` in its staging directory (the
  // built-in first master: the cluster's admin kubeconfig) hands it to
  // paiplan: written to .paiplan/kubeconfig (0600), removed from the node.
  Status FetchKubeconfig(providers::Transport* t, const std::string& staging, ApplyContext& ctx) {
    std::string remote = fs::Join(staging, "kubeconfig");
    PP_ASSIGN_OR_RETURN(auto text, t->ReadFile(remote));
    if (!text.has_value()) return Status::Ok();
    std::string local = fs::Join(env_.paiplan_dir, "kubeconfig");
    PP_RETURN_IF_ERROR(fs::WritePaiplanFile(local, *text, 0600));
    ctx.log("fetched the admin kubeconfig to " + local + " (mode 0600)\n");
    return t->RemoveFile(remote);
  }

  // clean.sh and the plain files of roles/common/ (the shell it sources).
  Status UploadClean(providers::Transport* t, const std::string& staging, const std::string& clean) {
    PP_RETURN_IF_ERROR(t->Upload(fs::Join(staging, "clean.sh"), clean, 0755));
    std::string common = fs::Join(env_.ws->roles_dir, kCommonRoleDir);
    if (!fs::IsDirectory(common)) return Status::Ok();
    PP_ASSIGN_OR_RETURN(auto files, fs::ListFilesRecursive(common));
    for (const auto& f : files) {
      if (f.ends_with(".template")) continue;
      PP_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(fs::Join(common, f)));
      PP_RETURN_IF_ERROR(t->Upload(fs::Join(staging, f), text, f.ends_with(".sh") ? 0755 : 0644));
    }
    return Status::Ok();
  }

  // Removal: drain, clean.sh, leave etcd (a master), delete the Node, then
  // the marker (node_lifecycle.h); without Kubernetes, clean.sh only.
  Status Clean(const Action& a, ApplyContext& ctx) {
    config::Machine m = MachineFor(a.address.substr(5), a.before);
    std::string node = NodeNameOf(a.before);
    bool lifecycle = Lifecycle(), whole = a.script == kWholeClusterGoes;
    if (lifecycle && !whole && !env_.kube) return Status::Unavailable("cannot drain Node " + node + ": " + env_.kube_error);
    if (lifecycle && whole) ctx.log("# destroy: the whole cluster goes: Node " + node + " is not drained nor deleted\n");
    if (lifecycle && !whole) {
      ctx.log("# step: cordon and drain Node " + node + "\n");
      PP_RETURN_IF_ERROR(DrainNode(*env_.kube, node,
                                   {env_.ws->settings.drain_timeout, env_.ready_poll_seconds, ctx.cancelled}, ctx.log));
    }
    PP_RETURN_IF_ERROR(CleanScript(a, m, ctx));
    PP_RETURN_IF_ERROR(LeaveCluster(m, node, lifecycle && !whole, !whole, ctx));
    PP_ASSIGN_OR_RETURN(auto* t, env_.transport(m));
    return t->RemoveFile(MarkerPath(a.before));
  }

  // A removed or repaired master leaves etcd; the Node object is deleted.
  Status LeaveCluster(const config::Machine& m, const std::string& node, bool lifecycle, bool etcd, ApplyContext& ctx) {
    if (etcd && LeavesEtcd(*env_.ws, m.role)) PP_RETURN_IF_ERROR(LeaveEtcd(env_, m.hostname, node, ctx));
    if (!lifecycle) return Status::Ok();
    ctx.log("# step: delete Node " + node + " (" + env_.kube->server() + ")\n");
    return env_.kube->DeleteNode(node);
  }

  // Repair of a NotReady node, before its bootstrap: clean.sh (kubeadm
  // reset), leave etcd, delete the Node; the bootstrap then joins again.
  Status Repair(const Action& a, ApplyContext& ctx) {
    config::Machine m = MachineFor(a.address.substr(5), a.after);
    bool lifecycle = Lifecycle();
    if (lifecycle && !env_.kube) return Status::Unavailable("cannot repair " + m.hostname + ": " + env_.kube_error);
    ctx.log("# repair: " + a.reason + "\n");
    PP_RETURN_IF_ERROR(CleanScript(a, m, ctx));
    return LeaveCluster(m, NodeNameOf(a.after), lifecycle, true, ctx);
  }

  Status CleanScript(const Action& a, const config::Machine& m, ApplyContext& ctx) {
    PP_ASSIGN_OR_RETURN(auto* t, env_.transport(m));
    std::string dir = a.before.is_object() ? a.before.value("state_dir", env_.ws->settings.node_state_dir)
                                           : env_.ws->settings.node_state_dir;
    std::string clean_src = fs::Join(env_.ws->RoleDir(m.role), "clean.sh");
    auto clean = fs::ReadFile(clean_src);
    if (clean) {
      std::string staging = fs::Join(dir, "staging");
      PP_RETURN_IF_ERROR(UploadClean(t, staging, *clean));
      PP_RETURN_IF_ERROR(Run(t, "bash ./clean.sh", staging, m, ctx, "clean.sh",
                                  env_.ws->settings.ssh_command_timeout, OutputEnvironment(env_, a.resource_deps)));
      // The bootstrap files and clean.sh are not left behind on a machine paiplan no longer manages.
      PP_RETURN_IF_ERROR(Run(t, "rm -rf ./staging", dir, m, ctx, "removing the staging folder",
                             env_.ws->settings.ssh_command_timeout));
    } else {
      ctx.log("no clean.sh in " + clean_src + "; only the marker is removed\n");
    }
    return Status::Ok();
  }

  const Env& env_;
  Diagnostics diags_;  // template errors were already reported by the planner
  RolePackager packager_;
  JoinCredentials joins_;
  std::map<std::string, std::vector<std::string>> delete_steps_;  // by address; written by Observe
};

}  // namespace

std::unique_ptr<ResourceHandler> MakeNodeHandler(const Env& env) { return std::make_unique<NodeHandler>(env); }

}  // namespace paiplan::plan
