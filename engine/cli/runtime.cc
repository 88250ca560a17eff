#include "engine/cli/runtime.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/cli/deferred_kube.h"
#include "engine/plan/join_credentials.h"
#include "engine/plan/attr_diff.h"
#include "engine/plan/desired.h"
#include "engine/plan/local_transport.h"
#include "providers/kubernetes/kube_client.h"
#include "providers/kubernetes/manifest.h"
#include "engine/plan/object_model.h"
#include "providers/kubernetes/kubeconfig.h"
#include "providers/ssh/ssh_pool.h"
#include "state/crypto/encrypted_store.h"
#include "state/etcd/etcd_store.h"
#include "state/lmdb/lmdb_store.h"

namespace paiplan::cli {

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

// KubeApi over the libcurl client of providers/kubernetes.
class KubeAdapter : public plan::KubeApi {
 public:
  KubeAdapter(kube::KubeConfig cfg, kube::KubeClientOptions options)
      : client_(std::move(cfg), std::move(options)) {}
  std::string server() const override { return client_.server(); }
  // One node LIST per plan: the node resources observe readiness first and
  // the label resources right after take the same answer (once).
  Result<std::map<std::string, std::map<std::string, std::string>>> ListNodeLabels() override {
    std::optional<std::vector<kube::NodeInfo>> listed;
    {
      std::lock_guard<std::mutex> l(mu_);
      listed.swap(last_list_);
    }
    if (!listed) {
      PP_ASSIGN_OR_RETURN(listed, client_.ListNodes());
    }
    auto& nodes = *listed;
    std::map<std::string, std::map<std::string, std::string>> out;
    for (auto& n : nodes) out[n.name] = std::move(n.labels);
    return out;
  }
  Status PatchNodeLabels(const std::string& node,
                         const std::map<std::string, std::optional<std::string>>& changes) override {
    return client_.PatchNodeLabels(node, changes);
  }
  Result<std::optional<std::map<std::string, std::string>>> GetNodeLabels(const std::string& node) override {
    PP_ASSIGN_OR_RETURN(auto n, client_.GetNode(node));
    if (!n) return std::optional<std::map<std::string, std::string>>();
    return std::optional<std::map<std::string, std::string>>(std::move(n->labels));
  }
  Result<std::optional<plan::NodeReadiness>> GetNodeReadiness(const std::string& node) override {
    PP_ASSIGN_OR_RETURN(auto n, client_.GetNode(node));
    if (!n) return std::optional<plan::NodeReadiness>();
    return std::optional<plan::NodeReadiness>(plan::NodeReadiness{n->ready, n->ready_transition});
  }
  Result<std::optional<plan::KubeConfigMap>> GetConfigMap(const std::string& ns, const std::string& name) override {
    PP_ASSIGN_OR_RETURN(auto cm, client_.GetConfigMap(ns, name));
    if (!cm) return std::optional<plan::KubeConfigMap>();
    return std::optional<plan::KubeConfigMap>(plan::KubeConfigMap{std::move(cm->data), std::move(cm->labels)});
  }
  Status PutConfigMap(const std::string& ns, const std::string& name, const plan::KubeConfigMap& cm) override {
    return client_.CreateOrReplaceConfigMap(ns, name, cm.data, cm.labels);
  }
  Status DeleteConfigMap(const std::string& ns, const std::string& name) override {
    return client_.DeleteConfigMap(ns, name);
  }
  Result<std::vector<nlohmann::json>> ListObjects(const std::string& api, const std::string& kind,
                                                  const std::string& ns, const std::string& selector) override {
    return client_.ListObjects(kube::ObjectPath(api, kind, ns, ""), selector);
  }
  Result<std::optional<nlohmann::json>> GetObject(const std::string& api, const std::string& kind,
                                                  const std::string& ns, const std::string& name) override {
    return client_.GetObject(kube::ObjectPath(api, kind, ns, name));
  }
  Result<plan::ObjectApplyResult> ApplyObject(const nlohmann::json& obj, bool force, bool dry_run) override {
    const nlohmann::json& meta = obj["metadata"];
    std::string path = kube::ObjectPath(obj.value("apiVersion", ""), obj.value("kind", ""),
                                        meta.value("namespace", ""), meta.value("name", ""));
    PP_ASSIGN_OR_RETURN(auto out, client_.ApplyObject(path, obj, plan::kFieldManager, force, dry_run));
    plan::ObjectApplyResult r{std::move(out.object), {}};
    for (auto& c : out.conflicts) r.conflicts.push_back({c.manager, c.field});
    return r;
  }
  Status DeleteObject(const std::string& api, const std::string& kind, const std::string& ns,
                      const std::string& name) override {
    return client_.DeleteObject(kube::ObjectPath(api, kind, ns, name));
  }
  Result<std::map<std::string, plan::NodeReadiness>> ListNodeReadiness() override {
    PP_ASSIGN_OR_RETURN(auto nodes, client_.ListNodes());
    std::map<std::string, plan::NodeReadiness> out;
    for (auto& n : nodes) out[n.name] = {n.ready, n.ready_transition};
    std::lock_guard<std::mutex> l(mu_);
    last_list_ = std::move(nodes);
    return out;
  }
  Status CordonNode(const std::string& node) override { return client_.CordonNode(node); }
  Result<std::vector<nlohmann::json>> ListPodsOnNode(const std::string& node) override {
    return client_.ListPodsOnNode(node);
  }
  Result<std::optional<std::string>> EvictPod(const std::string& ns, const std::string& name) override {
    return client_.EvictPod(ns, name);
  }
  Status DeleteNode(const std::string& node) override {
    return client_.DeleteObject("/api/v1/nodes/" + kube::UrlEscape(node));
  }

 private:
  kube::KubeClient client_;
  std::mutex mu_;
  std::optional<std::vector<kube::NodeInfo>> last_list_;  // guarded by mu_: the last readiness LIST, until labels take it
};

Result<std::optional<kube::KubeConfig>> LoadWorkspaceKubeConfig(const config::Workspace& ws) {
  kube::KubeConfigOptions ko;
  ko.paths = ws.settings.kubeconfig;
  ko.context = ws.settings.kube_context;
  return kube::LoadKubeConfig(ko);
}

}  // namespace

std::vector<std::string> KubeConfigWarnings(const config::Workspace& ws) {
  std::string why;
  if (!KubernetesConfigured(ws, &why)) return {};
  auto cfg = LoadWorkspaceKubeConfig(ws);
  if (!cfg || !cfg->has_value()) return {};
  return (*cfg)->warnings;
}

struct Runtime::Impl {
  std::unique_ptr<providers::ssh::SshPool> ssh;
  std::mutex mu;
  std::map<std::string, std::unique_ptr<plan::LocalTransport>> local;
  std::unique_ptr<KubeAdapter> kube;
  std::unique_ptr<DeferredKube> deferred;  // no kubeconfig yet: the first master's bootstrap fetches it
};

Runtime::Runtime(const GlobalOptions& g, const config::Workspace& ws) : g_(g), ws_(ws), impl_(std::make_unique<Impl>()) {
  const auto& s = ws.settings;
  impl_->ssh = std::make_unique<providers::ssh::SshPool>(s.ssh_parallelism, s.ssh_keepalive);
  env_.ws = &ws;
  env_.paiplan_dir = fs::Join(ws.root, ".paiplan");
  env_.untrusted = g.untrusted;
  env_.now = NowRfc3339;
  outputs_ = std::make_unique<plan::OutputRegistry>();
  env_.outputs = outputs_.get();
  env_.transport = [this](const config::Machine& m) -> Result<providers::Transport*> {
    const auto& s = ws_.settings;
    if (m.local) {
      std::lock_guard<std::mutex> l(impl_->mu);
      auto& slot = impl_->local[m.hostname];
      if (!slot) slot = std::make_unique<plan::LocalTransport>(fs::Join(env_.paiplan_dir, "local-nodes/" + m.hostname));
      return slot.get();
    }
    providers::ssh::SshTarget t;
    t.host = m.hostip;
    t.port = m.sshport;
    t.user = m.username.empty() ? s.ssh_username : m.username;
    t.identity_file = m.keyfile_path.empty() ? s.ssh_identity : m.keyfile_path;
    t.password = m.password;
    t.known_hosts_file = s.ssh_known_hosts;
    t.policy = s.ssh_accept_new ? providers::ssh::SshTarget::kAcceptNew : providers::ssh::SshTarget::kStrict;
    t.connect_timeout = std::chrono::milliseconds(int64_t(s.ssh_connect_timeout * 1000));
    t.keepalive_seconds = s.ssh_keepalive;
    if (!m.proxy_jump.empty()) {
      providers::ssh::SshJumpHost j;
      std::string pj = m.proxy_jump;
      auto at = pj.find('@');
      if (at != std::string::npos) { j.user = pj.substr(0, at); pj = pj.substr(at + 1); }
      auto colon = pj.rfind(':');
      if (colon != std::string::npos) { j.port = std::atoi(pj.substr(colon + 1).c_str()); pj = pj.substr(0, colon); }
      j.host = pj;
      t.proxy_jump = j;
    }
    return impl_->ssh->Get(m.hostname, t);
  };
  for (const auto& m : ws.machines) if (m.password) secrets_.push_back(*m.password);
  plan::CollectSecrets(ws.cluster_cfg, &secrets_);
  env_.secrets = secrets_;

  std::string why;
  kube_managed_ = KubernetesConfigured(ws, &why);
  if (!kube_managed_) {
    kube_note_ = why;
    return;
  }
  auto cfg = LoadWorkspaceKubeConfig(ws);
  if (!cfg) {
    env_.kube_error = cfg.error().message();
  } else if (!cfg->has_value()) {
    env_.kube_error = "no kubeconfig found";
    if (plan::IsJoinedCluster(ws)) DeferToFetchedKubeconfig(g);
  } else if (Status trusted = g.untrusted ? kube::RequireVerifiedServer(**cfg) : Status::Ok(); !trusted.ok()) {
    env_.kube_error = trusted.message();
  } else {
    env_.kubeconfig_path = (*cfg)->files.empty() ? "" : (*cfg)->files.front();
    kube_warnings_ = (*cfg)->warnings;
    kube::KubeClientOptions options;
    options.request_timeout = std::chrono::milliseconds(int64_t(ws.settings.kube_timeout * 1000));
    impl_->kube = std::make_unique<KubeAdapter>(std::move(**cfg), std::move(options));
    env_.kube = impl_->kube.get();
  }
}

// A new cluster of the built-in (or kubeadm-like) role packages: the first
// master's bootstrap writes .paiplan/kubeconfig during this apply; the
// Kubernetes actions after it load it then (docs/bootstrap.md).
void Runtime::DeferToFetchedKubeconfig(const GlobalOptions& g) {
  std::string path = fs::Join(env_.paiplan_dir, "kubeconfig");
  bool untrusted = g.untrusted;
  double timeout = ws_.settings.kube_timeout;
  std::string context = ws_.settings.kube_context;
  auto loader = [path, untrusted, timeout, context]() -> Result<std::unique_ptr<plan::KubeApi>> {
    if (!fs::Exists(path)) return std::unique_ptr<plan::KubeApi>();
    kube::KubeConfigOptions ko;
    ko.paths = {path};
    ko.context = context;
    PP_ASSIGN_OR_RETURN(auto cfg, kube::LoadKubeConfig(ko));
    if (!cfg) return std::unique_ptr<plan::KubeApi>();
    if (untrusted) PP_RETURN_IF_ERROR_R(kube::RequireVerifiedServer(*cfg));
    kube::KubeClientOptions options;
    options.request_timeout = std::chrono::milliseconds(int64_t(timeout * 1000));
    return std::unique_ptr<plan::KubeApi>(std::make_unique<KubeAdapter>(std::move(*cfg), std::move(options)));
  };
  impl_->deferred = std::make_unique<DeferredKube>(
      loader, "no kubeconfig yet: the first master's bootstrap fetches it to " + path);
  env_.kube = impl_->deferred.get();
  env_.kube_error = "no kubeconfig yet: the first master's bootstrap fetches it to " + path;
  env_.kubeconfig_path = path;
}

Runtime::~Runtime() = default;

void Runtime::AddRecordedSecrets(const state::Snapshot& snapshot) {
  for (const auto& [address, rec] : snapshot.resources) {
    if (address.starts_with("service.")) plan::CollectSecrets(nlohmann::ordered_json(rec), &secrets_);
    else if (rec.contains("outputs")) plan::CollectSecrets(nlohmann::ordered_json(rec["outputs"]), &secrets_);
  }
  std::sort(secrets_.begin(), secrets_.end());
  secrets_.erase(std::unique(secrets_.begin(), secrets_.end()), secrets_.end());
}

namespace {

Result<std::unique_ptr<state::StateStore>> OpenBackend(const config::Settings& s, bool create) {
  if (s.state_backend == "etcd") {
    state::EtcdOptions o;
    if (!s.etcd_endpoints.empty()) o.endpoint = s.etcd_endpoints.front();
    o.prefix = s.etcd_prefix;
    return state::EtcdStore::Open(o);
  }
  if (!create && !fs::Exists(fs::Join(s.state_path, "data.mdb"))) {
    return Err(Status::NotFound("no state yet at " + s.state_path));
  }
  // Under .paiplan/ no link is followed (a planted .paiplan/state link is refused).
  if (s.state_path.find("/.paiplan/") != std::string::npos) PP_RETURN_IF_ERROR_R(fs::MakePaiplanDirs(s.state_path));
  return state::LmdbStore::Open(s.state_path);
}

}  // namespace

std::string StateKeyFile(const config::Settings& s) {
  const char* env = std::getenv("PAIPLAN_STATE_KEY_FILE");
  return env && *env ? std::string(env) : s.state_key_file;
}

Result<std::optional<state::StateKey>> LoadStateKey(const config::Settings& s) {
  std::string path = StateKeyFile(s);
  if (path.empty()) return std::optional<state::StateKey>();
  auto key = state::StateKey::LoadFile(path);
  if (!key) {
    return Err(Status(key.error().code(), "state encryption key: " + key.error().message()));
  }
  return std::optional<state::StateKey>(std::move(*key));
}

Result<std::unique_ptr<state::StateStore>> OpenStateStore(const config::Settings& s, bool create, bool masked_reads) {
  PP_ASSIGN_OR_RETURN(auto key, LoadStateKey(s));
  PP_ASSIGN_OR_RETURN(auto inner, OpenBackend(s, create));
  return std::unique_ptr<state::StateStore>(std::make_unique<state::EncryptedStore>(
      std::move(inner), std::move(key), &config::IsSensitiveKey, masked_reads));
}

Result<std::unique_ptr<state::StateStore>> Runtime::OpenState(bool create) {
  return OpenStateStore(ws_.settings, create);
}

bool Runtime::BindRecordedOutputs(const state::Snapshot& snapshot, Diagnostics* diags) {
  outputs_->Load(snapshot);
  bool reads = false;
  for (const auto& [_, d] : desired_) reads = reads || (d.attributes.is_object() && d.attributes.contains("outputs_used"));
  if (!reads || !graph_) return true;
  auto recorded = plan::RecordedOutputs::FromSnapshot(snapshot);
  desired_ = plan::ComputeDesired(ws_, *graph_, ws_.settings.kube_namespace, diags, &recorded);
  return !diags->HasErrors();
}

bool Runtime::Prepare(Diagnostics* diags) {
  graph_ = graph::ResourceGraph::Build(ws_, kube_managed_, diags);
  if (!graph_) return false;
  desired_ = plan::ComputeDesired(ws_, *graph_, ws_.settings.kube_namespace, diags);
  return !diags->HasErrors();
}

}  // namespace paiplan::cli
