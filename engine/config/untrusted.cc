#include "engine/config/untrusted.h"

#include <cstdlib>
#include <string_view>

#include "engine/base/fs.h"
#include "engine/config/settings.h"

namespace paiplan::config {

namespace {

bool Inside(const std::string& path, std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return path == root || path.starts_with(root + "/");
}

}  // namespace

bool UntrustedFromEnvironment() {
  const char* v = std::getenv("PAIPLAN_UNTRUSTED_WORKSPACE");
  if (v == nullptr) return false;
  std::string_view s(v);
  return !(s.empty() || s == "0" || s == "false" || s == "no");
}

void ApplyUntrustedPolicy(Workspace* ws, const std::string& builtin_dir, Diagnostics* diags) {
  Settings defaults = ParseSettings(ojson::object(), ws->root, builtin_dir);
  Settings& s = ws->settings;
  SourceLoc where{fs::Join(ws->root, "paiplan.yaml"), 0, 0};
  auto ignored = [&](const std::string& what) {
    diags->Warning(where, "untrusted workspace: " + what + " is ignored",
                   "only the operator chooses it (flags, environment, ~/.kube/config); see docs/security.md");
  };
  if (s.kubeconfig != defaults.kubeconfig || s.kube_context != defaults.kube_context) {
    ignored("kubernetes.kubeconfig / kubernetes.context");
    s.kubeconfig = defaults.kubeconfig;
    s.kube_context = defaults.kube_context;
  }
  if (s.state_backend != defaults.state_backend || s.state_path != defaults.state_path ||
      s.etcd_endpoints != defaults.etcd_endpoints || s.etcd_prefix != defaults.etcd_prefix) {
    ignored("state (backend, path, etcd endpoints)");
    s.state_backend = defaults.state_backend;
    s.state_path = defaults.state_path;
    s.etcd_endpoints = defaults.etcd_endpoints;
    s.etcd_prefix = defaults.etcd_prefix;
  }
  if (s.ssh_identity != defaults.ssh_identity || s.ssh_known_hosts != defaults.ssh_known_hosts ||
      s.ssh_accept_new != defaults.ssh_accept_new) {
    ignored("ssh.identity / ssh.known-hosts / ssh.strict-host-keys");
    s.ssh_identity = defaults.ssh_identity;
    s.ssh_known_hosts = defaults.ssh_known_hosts;
    s.ssh_accept_new = defaults.ssh_accept_new;
  }
  bool keyfiles = false;
  for (auto& m : ws->machines) {
    keyfiles = keyfiles || !m.keyfile_path.empty();
    m.keyfile_path.clear();
  }
  if (keyfiles) {
    diags->Warning({fs::Join(ws->root, "layout.yaml"), 0, 0}, "untrusted workspace: keyfile-path of machines is ignored",
                   "only the operator chooses SSH identities (ssh-agent or ~/.ssh); see docs/security.md");
  }
  std::vector<std::string> kept;
  for (const auto& p : s.service_paths) {
    if (Inside(p, ws->root) || p == builtin_dir) kept.push_back(p);
    else ignored("service path " + p + " (outside the workspace)");
  }
  s.service_paths = kept;
}

}  // namespace paiplan::config
