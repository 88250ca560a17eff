// The built-in Kubernetes role packages (services/_roles/, real mode) over
// real SSH on sshd nodes, with the stand-ins of tests/ssh_e2e/standins/ first
// on PATH for the programs that cannot run here (kubeadm, kubelet,
// containerd, apt-get, systemctl, modprobe, sysctl, swapoff, ...). Every file
// the packages write lands under the node's own /var/lib/paiplan/root.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "tests/ssh_e2e/k8s_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// proxy node0, masters node1..node3 (node1 first), workers node4, node5.
TEST_F(K8sBootstrapTest, HaClusterComesUpInOrderWithFreshCredentialsFromTheFirstMaster) {
  ASSERT_NO_FATAL_FAILURE(Start({"proxy", "master", "master", "master", "worker", "worker"}));
  Layout({0, 1, 2, 3, 4, 5});
  RunResult apply = Paiplan({"apply", "--auto-approve"}, 300);
  ASSERT_EQ(apply.rc, 0) << apply.all() << ReadFile(cluster_ + "/calls.log");

  int haproxy = First("node0", "systemctl", "restart haproxy");
  int init = First("node1", "kubeadm", "init --config");
  ASSERT_GE(haproxy, 0);
  ASSERT_GT(init, haproxy) << "the proxy comes before the first master";
  EXPECT_EQ(First("node1", "kubeadm", "join"), -1) << "the first master does not join";
  std::vector<int> master_joins = {First("node2", "kubeadm", "join"), First("node3", "kubeadm", "join")};
  std::vector<int> worker_joins = {First("node4", "kubeadm", "join"), First("node5", "kubeadm", "join")};
  for (int j : master_joins) EXPECT_GT(j, init);
  for (int w : worker_joins) EXPECT_GT(w, *std::max_element(master_joins.begin(), master_joins.end()));

  auto calls = Calls();
  std::vector<std::string> tokens = Minted("tokens");  // [0] is kubeadm init's own token
  std::vector<std::string> keys = Minted("certificate_keys");
  int creates = 0, uploads = 0;
  for (const auto& c : calls) {
    if (c.program != "kubeadm") continue;
    if (c.args.rfind("token create", 0) == 0) {
      EXPECT_EQ(c.host, "node1") << "credentials are minted on the first master";
      ++creates;
    }
    if (c.args.rfind("init phase upload-certs", 0) == 0) ++uploads;
    if (c.args.rfind("join", 0) != 0) continue;
    std::string token = Flag(c.args, "--token");
    EXPECT_NE(std::find(tokens.begin() + 1, tokens.end(), token), tokens.end()) << c.host << " joined with " << token;
    EXPECT_NE(token, tokens[0]) << "a join never reuses a token minted for another machine or by init";
    bool control = c.args.find("--control-plane") != std::string::npos;
    EXPECT_EQ(control, c.host == "node2" || c.host == "node3") << c.args;
    if (control) EXPECT_NE(std::find(keys.begin(), keys.end(), Flag(c.args, "--certificate-key")), keys.end());
  }
  EXPECT_EQ(creates, 4);
  EXPECT_EQ(uploads, 2);
  std::set<std::string> distinct(tokens.begin(), tokens.end());
  EXPECT_EQ(distinct.size(), tokens.size());

  // containerd with the systemd cgroup driver, the pinned packages, the kernel settings.
  EXPECT_THAT(ReadFile(NodeFile(4, "root/etc/containerd/config.toml")), HasSubstr("SystemdCgroup = true"));
  EXPECT_GE(First("node4", "apt-get", "install -y -q --allow-downgrades --allow-change-held-packages containerd kubeadm=1.31.4-*"), 0);
  EXPECT_THAT(ReadFile(NodeFile(4, "root/etc/apt/sources.list.d/paiplan-kubernetes.list")),
              HasSubstr("https://pkgs.k8s.io/core:/stable:/v1.31/deb/"));
  EXPECT_GE(First("node4", "modprobe", "br_netfilter"), 0);
  EXPECT_THAT(ReadFile(NodeFile(1, "root/etc/paiplan/kubeadm-init.conf")),
              HasSubstr("controlPlaneEndpoint: \"" + h_->ip(0) + ":6443\""));
  EXPECT_THAT(ReadFile(NodeFile(0, "root/etc/haproxy/haproxy.cfg")), HasSubstr("server node3 " + h_->ip(3) + ":6443 check"));

  // Outputs: the first master's, recorded; the minted credentials never are.
  RunResult out = Paiplan({"output", "node.node1", "ca_cert_hash"});
  EXPECT_EQ(out.out, "sha256:" + ReadFile(cluster_ + "/ca_hash")) << out.all();
  RunResult pull = Paiplan({"state", "pull"});
  std::string logs = Shell("cat '" + ws_ + "'/.paiplan/logs/*/*.log").out;
  for (const auto& t : tokens) {
    EXPECT_THAT(pull.out, Not(HasSubstr(t.substr(7))));
    EXPECT_THAT(logs, Not(HasSubstr(t.substr(7))));
  }
  struct stat st {};
  ASSERT_EQ(::stat((ws_ + "/.paiplan/kubeconfig").c_str(), &st), 0) << "the admin kubeconfig is fetched";
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  size_t before = calls.size();
  RunResult again = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(again.rc, 0) << again.all();
  for (size_t i = before; i < Calls().size(); ++i) EXPECT_NE(Calls()[i].program, "kubeadm") << "second apply ran kubeadm";
}

TEST_F(K8sBootstrapTest, WorkerAddedADayLaterGetsAFreshTokenAndRemovalResets) {
  ASSERT_NO_FATAL_FAILURE(Start({"master", "worker", "worker"}));
  Layout({0, 1});
  RunResult apply = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.rc, 0) << apply.all();
  std::vector<std::string> early = Minted("tokens");
  ASSERT_EQ(early.size(), 2u);

  SetClock(1'800'000'000 + 25 * 3600);  // every token minted so far has expired
  Layout({0, 1, 2});
  RunResult plan = Paiplan({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("+ node.node2"));
  EXPECT_THAT(plan.out, Not(HasSubstr("node.node1")));
  RunResult add = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(add.rc, 0) << add.all() << ReadFile(cluster_ + "/calls.log");
  int join = First("node2", "kubeadm", "join");
  ASSERT_GE(join, 0);
  std::string token = Flag(Calls()[size_t(join)].args, "--token");
  EXPECT_EQ(std::find(early.begin(), early.end(), token), early.end()) << "an expired token was replayed";
  EXPECT_EQ(Minted("tokens").back(), token) << "minted when node2 joined";

  Layout({0, 2});
  RunResult remove = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(remove.rc, 0) << remove.all();
  int reset = First("node1", "kubeadm", "reset -f");
  EXPECT_GE(reset, 0);
  EXPECT_GT(First("node1", "systemctl", "stop kubelet"), reset);
  EXPECT_FALSE(Exists(NodeFile(1, "root/etc/kubernetes/kubelet.conf")));
  EXPECT_FALSE(Exists(MarkerPath(1)));
}

TEST_F(K8sBootstrapTest, PreflightNamesWhatIsWrongOnTheNode) {
  ASSERT_NO_FATAL_FAILURE(Start({"master"}));
  Layout({0});
  WriteFile(NodeFile(0, "root/etc/os-release"), "ID=centos\nVERSION_ID=\"7\"\n");
  RunResult apply = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.rc, 1);
  EXPECT_THAT(apply.all(), HasSubstr("OS centos 7 is not supported (Ubuntu 22.04/24.04, Debian 12)"));
  EXPECT_EQ(First("node0", "apt-get", ""), -1) << "nothing is installed after a failed preflight";
}

TEST(K8sRoleScriptsTest, ShellcheckPassesOnEveryRoleScriptAndStandIn) {
  std::string cmd = "cd '" + kRepo + "' && shellcheck -x -S style services/_roles/*/*.sh tests/ssh_e2e/standins/[a-z]* 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  EXPECT_EQ(::pclose(p), 0) << out;
}

}  // namespace
}  // namespace paiplan::ssh_e2e
