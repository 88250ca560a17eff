// K8sBootstrapTest: the built-in Kubernetes role packages
// (services/_roles/, real mode) over real SSH on sshd nodes, with the
// stand-ins of tests/ssh_e2e/standins/ first on PATH for the programs that
// cannot run here (kubeadm, kubelet, containerd, apt-get, systemctl, ...).
// Every file the packages write lands under the node's own
// /var/lib/paiplan/root; the stand-ins record their calls in
// <workspace>/cluster/calls.log (Calls(), First()).
//
// Thread-safety: drive everything from the test's main thread.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/ssh_e2e/e2e_fixture.h"

namespace paiplan::ssh_e2e {

inline const std::string kStandins = std::string(PAIPLAN_TEST_DIR) + "/ssh_e2e/standins";
inline const std::string kRepo = std::string(PAIPLAN_TEST_DIR) + "/..";

struct CallLine {
  std::string host, program, args;
};

class K8sBootstrapTest : public SshE2eTest {
 protected:
  // `roles[i]` is node i's k8s-role; `present` the nodes in layout.yaml.
  void Start(const std::vector<std::string>& roles) {
    roles_ = roles;
    ASSERT_NO_FATAL_FAILURE(StartCluster(int(roles.size())));
    std::filesystem::remove_all(ws_ + "/roles");  // the built-in role packages
    cluster_ = ws_ + "/cluster";
    std::filesystem::create_directories(cluster_);
    SetClock(1'800'000'000);
    WriteSettings("nodes:\n  env:\n    PATH: " + kStandins + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                  "    PAIPLAN_NODE_ROOT: /var/lib/paiplan/root\n    STANDIN_CLUSTER: " + cluster_ + "\n"
                  // Other tests may hold 2379 or 6443 on this machine: the port check is not ours to test here.
                  "    PAIPLAN_PREFLIGHT_IGNORE: ports\n");
    for (int i = 0; i < int(roles.size()); ++i) {
      WriteFile(NodeFile(i, "root/etc/os-release"), "ID=ubuntu\nVERSION_ID=\"24.04\"\n");
      WriteFile(NodeFile(i, "root/proc/swaps"), "Filename Type Size Used Priority\n");
      WriteFile(NodeFile(i, "root/etc/fstab"), "# empty\n");
    }
  }
  void SetClock(long t) { WriteFile(cluster_ + "/clock", std::to_string(t) + "\n"); }
  // `extra`: more lines of every entry ("    pai-worker: \"true\"\n").
  void Layout(const std::vector<int>& nodes, const std::string& extra = "") {
    std::string y = "kubernetes:\n  kubernetes-version: v1.31.4\n  pod-network-cidr: 10.244.0.0/16\n"
                    "machine-sku:\n  SMALL:\n    mem: 8GB\nmachine-list:\n";
    for (int i : nodes) {
      y += "  - hostname: " + Host(i) + "\n    hostip: " + h_->ip(i) + "\n    machine-type: SMALL\n" +
           "    k8s-role: " + roles_[size_t(i)] + "\n    sshport: " + std::to_string(h_->port()) +
           "\n    username: root\n    keyfile-path: " + h_->client_key() + "\n" + extra;
    }
    WriteFile(ws_ + "/layout.yaml", y);
  }
  std::vector<CallLine> Calls() const {
    std::vector<CallLine> out;
    std::istringstream in(ReadFile(cluster_ + "/calls.log"));
    for (std::string line; std::getline(in, line);) {
      std::istringstream w(line);
      CallLine c;
      w >> c.host >> c.program;
      std::getline(w, c.args);
      if (!c.args.empty() && c.args[0] == ' ') c.args.erase(0, 1);
      out.push_back(c);
    }
    return out;
  }
  // Index of the first call of `program` on `host` whose args start with `prefix`; -1 if none.
  int First(const std::string& host, const std::string& program, const std::string& prefix) const {
    auto calls = Calls();
    for (size_t i = 0; i < calls.size(); ++i) {
      if (calls[i].host == host && calls[i].program == program && calls[i].args.rfind(prefix, 0) == 0) return int(i);
    }
    return -1;
  }
  static std::string Flag(const std::string& args, const std::string& flag) {
    std::istringstream w(args);
    for (std::string word; w >> word;) {
      if (word == flag && (w >> word)) return word;
    }
    return "";
  }
  // The values kubeadm (stand-in) minted, in order: "value expiry" lines.
  std::vector<std::string> Minted(const std::string& file) const {
    std::vector<std::string> out;
    std::istringstream in(ReadFile(cluster_ + "/" + file));
    for (std::string v, exp; in >> v >> exp;) out.push_back(v);
    return out;
  }

  std::vector<std::string> roles_;
  std::string cluster_;
};

}  // namespace paiplan::ssh_e2e
