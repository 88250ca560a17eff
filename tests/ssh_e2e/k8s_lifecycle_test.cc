// The machine lifecycle through the Kubernetes API (docs/bootstrap.md): the
// built-in role packages over real sshd nodes with the stand-ins, and the
// Kubernetes API test server (tests/kube/serve) as the cluster's API. The
// stand-in kubeadm hands out the test server's kubeconfig as the admin
// kubeconfig and registers each Node there when it joins, as a kubelet does;
// pods and PodDisruptionBudgets are created with the real kubectl.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <glob.h>

#include "tests/kube/kube_server_fixture.h"
#include "tests/ssh_e2e/k8s_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class K8sLifecycleTest : public K8sBootstrapTest {
 protected:
  // Nodes as Start(); paiplan.yaml manages Kubernetes with no kubeconfig
  // (the first master's bootstrap fetches it); `nodes` adds nodes: keys.
  void StartWithApi(const std::vector<std::string>& roles, const std::string& nodes = "") {
    ASSERT_NO_FATAL_FAILURE(Start(roles));
    api_dir_ = kube::testing::MakeTempDir("k8s-lifecycle");
    ASSERT_FALSE(api_dir_.empty());
    Status started = api_.Start(api_dir_, {});
    ASSERT_TRUE(started.ok()) << started.message();
    std::string s = ReadFile(ws_ + "/paiplan.yaml");
    Replace(&s, "kubernetes:\n  enabled: false\n", "kubernetes:\n  enabled: true\n");
    Replace(&s, "nodes:\n  env:\n", "nodes:\n" + nodes + "  env:\n    STANDIN_ADMIN_CONF: " + api_.kubeconfig_path() +
                                        "\n    STANDIN_KUBE_ADMIN: " + api_.admin_url() + "\n");
    WriteFile(ws_ + "/paiplan.yaml", s);
  }
  void TearDown() override {
    api_.Stop();
    if (!api_dir_.empty()) std::filesystem::remove_all(api_dir_);
    K8sBootstrapTest::TearDown();
  }
  static void Replace(std::string* s, const std::string& from, const std::string& to) {
    auto at = s->find(from);
    ASSERT_NE(at, std::string::npos) << from;
    s->replace(at, from.size(), to);
  }
  // The real kubectl against the test server: (exit status, output).
  std::pair<int, std::string> Kubectl(const std::string& args) {
    return kube::testing::RunCommand("kubectl --kubeconfig '" + api_.kubeconfig_path() + "' --cache-dir '" + api_dir_ +
                                     "/kcache' --request-timeout=30s " + args + " 2>&1");
  }
  void KubectlApply(const std::string& yaml) {
    WriteFile(api_dir_ + "/objects.yaml", yaml);
    auto [rc, out] = Kubectl("apply --validate=false -f '" + api_dir_ + "/objects.yaml'");
    ASSERT_EQ(rc, 0) << out;
  }
  std::string Jsonpath(const std::string& what, const std::string& path) {
    return Kubectl("get " + what + " -o jsonpath='" + path + "'").second;
  }
  // The apply log of `address` in the last apply (.paiplan/logs/<run>/<address>.log).
  std::string LastLog(const std::string& address) {
    glob_t g{};
    std::string text;
    if (::glob((ws_ + "/.paiplan/logs/*/" + address + "*.log").c_str(), 0, nullptr, &g) == 0 && g.gl_pathc > 0) {
      text = ReadFile(g.gl_pathv[g.gl_pathc - 1]);
    }
    ::globfree(&g);
    return text;
  }
  static std::string HoursAgo(int hours) {
    std::time_t t = std::time(nullptr) - hours * 3600;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
  }

  kube::testing::KubeTestServer api_;
  std::string api_dir_;
};

std::string Pod(const std::string& name, const std::string& node, const std::string& app, const std::string& owner) {
  return "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: default\n  labels: {app: " +
         app + "}\n  ownerReferences: [{apiVersion: apps/v1, kind: " + owner + ", name: " + app + ", uid: \"u-" + app +
         "\", controller: true}]\nspec: {nodeName: \"" + node + "\", containers: [{name: c, image: busybox}]}\n";
}

TEST_F(K8sLifecycleTest, NewClusterIsLabelledInTheSameApplyThroughTheFetchedKubeconfig) {
  ASSERT_NO_FATAL_FAILURE(StartWithApi({"master", "worker"}));
  Layout({0, 1}, "    pai-worker: \"true\"\n");
  RunResult plan = Paiplan({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("+ label.node1"));
  EXPECT_THAT(plan.out, HasSubstr("+ config.cluster"));
  RunResult apply = Paiplan({"apply", "--auto-approve"}, 300);
  ASSERT_EQ(apply.rc, 0) << apply.all() << ReadFile(cluster_ + "/calls.log");
  EXPECT_TRUE(Exists(ws_ + "/.paiplan/kubeconfig"));
  EXPECT_EQ(Jsonpath("node " + h_->ip(1), "{.metadata.labels.pai-worker}"), "true");
  EXPECT_EQ(Jsonpath("configmap pai-configuration", "{.metadata.name}"), "pai-configuration");
  RunResult again = Paiplan({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.rc, 0) << again.all();
}

TEST_F(K8sLifecycleTest, RemovalDrainsHonouringTheBudgetThenResetsThenDeletesTheNode) {
  ASSERT_NO_FATAL_FAILURE(StartWithApi({"master", "worker", "worker"}, "  drain-timeout: 2\n"));
  Layout({0, 1, 2});
  RunResult apply = Paiplan({"apply", "--auto-approve"}, 300);
  ASSERT_EQ(apply.rc, 0) << apply.all();
  std::string gone = h_->ip(2);
  ASSERT_NO_FATAL_FAILURE(KubectlApply(
      "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: default}\nspec:\n"
      "  selector: {matchLabels: {app: agent}}\n  template: {metadata: {labels: {app: agent}}, spec: {containers: "
      "[{name: c, image: busybox}]}}\n" +
      Pod("agent-x", gone, "agent", "DaemonSet") + Pod("web-1", gone, "web", "ReplicaSet") +
      Pod("web-2", h_->ip(1), "web", "ReplicaSet") +
      "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web-pdb, namespace: default}\n"
      "spec: {minAvailable: 2, selector: {matchLabels: {app: web}}}\n"));

  Layout({0, 1});
  RunResult plan = Paiplan({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("- node.node2"));
  EXPECT_THAT(plan.out, HasSubstr("step 1: cordon Node " + gone + " and drain it"));
  EXPECT_THAT(plan.out, HasSubstr("step 2: clean.sh on the machine"));
  EXPECT_THAT(plan.out, HasSubstr("step 3: delete Node " + gone));

  RunResult refused = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(refused.rc, 1) << refused.all();
  EXPECT_THAT(refused.all(), HasSubstr("default/web-1"));
  EXPECT_THAT(refused.all(), HasSubstr("web-pdb needs 2 healthy pods and has 2 currently"));
  EXPECT_THAT(refused.all(), HasSubstr("nodes.drain-timeout"));
  EXPECT_EQ(First("node2", "kubeadm", "reset"), -1) << "nothing is cleaned before the drain finished";
  EXPECT_TRUE(Exists(MarkerPath(2)));
  EXPECT_EQ(Jsonpath("node " + gone, "{.spec.unschedulable}"), "true") << "cordoned";

  auto [rc, out] = Kubectl("patch pdb web-pdb --type=merge -p '{\"spec\":{\"minAvailable\":1}}'");
  ASSERT_EQ(rc, 0) << out;
  RunResult removed = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(removed.rc, 0) << removed.all();
  EXPECT_GE(First("node2", "kubeadm", "reset -f"), 0);
  EXPECT_EQ(Kubectl("get pods -o name").second, "pod/agent-x\npod/web-2\n") << "web-1 evicted; the DaemonSet's pod left";
  EXPECT_THAT(Kubectl("get node " + gone).second, HasSubstr("NotFound"));
  std::string log = LastLog("node.node2");
  size_t evicted = log.find("evicted pod default/web-1"), clean = log.find("bash ./clean.sh"),
         deleted = log.find("delete Node " + gone);
  ASSERT_NE(evicted, std::string::npos) << log;
  ASSERT_NE(clean, std::string::npos) << log;
  ASSERT_NE(deleted, std::string::npos) << log;
  EXPECT_LT(evicted, clean);
  EXPECT_LT(clean, deleted);
  EXPECT_THAT(log, Not(HasSubstr("evicting pod default/agent-x")));
}

TEST_F(K8sLifecycleTest, RemovedMastersLeaveEtcdEvenWhenTheirResetCouldNotReachIt) {
  ASSERT_NO_FATAL_FAILURE(StartWithApi({"master", "master", "master"}));
  Layout({0, 1, 2});
  RunResult apply = Paiplan({"apply", "--auto-approve"}, 300);
  ASSERT_EQ(apply.rc, 0) << apply.all();
  auto members = [&] { return ReadFile(cluster_ + "/etcd_members"); };
  ASSERT_EQ(CountOf(members(), "started"), 3) << members();

  Layout({0, 1});  // a healthy removal: kubeadm reset removes the member itself
  RunResult plan = Paiplan({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("step 3: etcd member " + h_->ip(2) + " removed, if still listed"));
  RunResult healthy = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(healthy.rc, 0) << healthy.all();
  EXPECT_THAT(members(), Not(HasSubstr(", " + h_->ip(2) + ", ")));
  EXPECT_GE(First("node0", "kubectl", "-n kube-system exec etcd-" + h_->ip(0) + " -- etcdctl"), 0)
      << "checked from the remaining first master";
  for (const auto& c : Calls()) EXPECT_THAT(c.args, Not(HasSubstr("member remove")));

  WriteFile(cluster_ + "/etcd_unreachable", "");  // node1's reset cannot remove its member
  Layout({0});
  RunResult broken = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(broken.rc, 0) << broken.all();
  EXPECT_GE(First("node1", "kubeadm", "reset -f"), 0);
  EXPECT_GE(First("node0", "kubectl", "-n kube-system exec etcd-" + h_->ip(0)), 0);
  bool removed = false;
  for (const auto& c : Calls()) removed = removed || (c.host == "node0" && c.args.find("member remove") != std::string::npos);
  EXPECT_TRUE(removed) << ReadFile(cluster_ + "/calls.log");
  EXPECT_EQ(CountOf(members(), "started"), 1) << members();
  EXPECT_THAT(members(), HasSubstr(", " + h_->ip(0) + ", "));
}

TEST_F(K8sLifecycleTest, NodeNotReadyPastTheThresholdIsResetAndJoinsAgainWithAFreshToken) {
  ASSERT_NO_FATAL_FAILURE(StartWithApi({"master", "worker"}, "  repair-after: 600\n"));
  Layout({0, 1}, "    pai-worker: \"true\"\n");
  RunResult apply = Paiplan({"apply", "--auto-approve"}, 300);
  ASSERT_EQ(apply.rc, 0) << apply.all();
  std::vector<std::string> early = Minted("tokens");
  std::string sick = h_->ip(1);
  std::string since = HoursAgo(2);
  auto [rc, out] = Kubectl("patch node " + sick + " --subresource=status --type=merge -p '{\"status\":{\"conditions\":"
                           "[{\"type\":\"Ready\",\"status\":\"Unknown\",\"reason\":\"NodeStatusUnknown\","
                           "\"lastTransitionTime\":\"" + since + "\"}]}}'");
  ASSERT_EQ(rc, 0) << out;

  RunResult plan = Paiplan({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("-/+ node.node1"));
  EXPECT_THAT(plan.out, HasSubstr("Node " + sick + " is NotReady (its Ready condition is not True) for 2h"));
  EXPECT_THAT(plan.out, HasSubstr("since " + since + ", past nodes.repair-after 10m"));
  EXPECT_THAT(plan.out, HasSubstr("repair step 1: clean.sh"));
  EXPECT_THAT(plan.out, Not(HasSubstr("node.node0"))) << "a ready node is left alone";
  EXPECT_THAT(plan.out, HasSubstr("~ label.node1"));
  EXPECT_THAT(plan.out, HasSubstr("node.node1 is replaced: its labels are applied again"));

  size_t before = Calls().size();
  RunResult repair = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(repair.rc, 0) << repair.all();
  int reset = -1, join = -1;
  auto calls = Calls();
  for (size_t i = before; i < calls.size(); ++i) {
    if (calls[i].host != "node1" || calls[i].program != "kubeadm") continue;
    if (calls[i].args.rfind("reset -f", 0) == 0 && reset < 0) reset = int(i);
    if (calls[i].args.rfind("join", 0) == 0) join = int(i);
  }
  ASSERT_GE(reset, 0);
  ASSERT_GT(join, reset) << "joined again after the reset";
  std::string token = Flag(calls[size_t(join)].args, "--token");
  EXPECT_EQ(std::find(early.begin(), early.end(), token), early.end()) << "a fresh token";
  EXPECT_EQ(Jsonpath("node " + sick, "{.status.conditions[0].status}"), "True") << "registered again";
  EXPECT_EQ(Jsonpath("node " + sick, "{.metadata.labels.pai-worker}"), "true") << "labels applied again";
  RunResult after = Paiplan({"plan", "--detailed-exitcode"});
  EXPECT_EQ(after.rc, 0) << after.all();
}

}  // namespace
}  // namespace paiplan::ssh_e2e
