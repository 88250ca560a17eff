// Labels and node registration: a machine whose Kubernetes node has not
// joined yet, and a 1,000-node cluster labelled in one apply through one
// paginated LIST.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/base/fs.h"
#include "tests/drift/drift_fixture.h"

namespace paiplan::drift_test {
namespace {

using ::testing::HasSubstr;

class NodesTest : public DriftFixture {};

// local-worker-1's node (127.0.0.22) is not registered: the plan says so and
// orders the label after the node's bootstrap; apply fails that label (and
// skips its dependents) with a clear message, and succeeds once it joins.
TEST_F(NodesTest, UnregisteredNodeIsPendingThenLabelledAfterItJoins) {
  // One attempt: the failure is immediate instead of retried with backoff.
  ASSERT_NO_FATAL_FAILURE(MakeWorkspace({"127.0.0.11", "127.0.0.21"}, "retry:\n  attempts: 1\n"));
  CmdResult plan = Paiplan("plan");
  ASSERT_EQ(plan.rc, 0) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("+ label.local-worker-1\n"));
  EXPECT_THAT(plan.out, HasSubstr("node 127.0.0.22 is not registered in Kubernetes yet"));

  CmdResult pj = Paiplan("plan --json");
  auto j = nlohmann::json::parse(pj.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << pj.all();
  bool found = false;
  for (const auto& a : j["actions"]) {
    if (a["address"] != "label.local-worker-1") continue;
    found = true;
    EXPECT_EQ(a["action"], "create");
    EXPECT_EQ(a["depends_on"], nlohmann::json::array({"node.local-worker-1"}));
  }
  EXPECT_TRUE(found) << pj.out;

  CmdResult apply = Paiplan("apply --auto-approve");
  EXPECT_EQ(apply.rc, 1) << apply.all();
  EXPECT_THAT(apply.all(), HasSubstr("label.local-worker-1: Creation FAILED"));
  EXPECT_THAT(apply.all(), HasSubstr("node 127.0.0.22 is not registered in Kubernetes yet"));
  EXPECT_THAT(apply.all(), HasSubstr("service.demo-app: skipped (upstream label.local-worker-1 failed)"));
  EXPECT_EQ(NodeLabels("127.0.0.21")["pai-worker"], "true") << "the other machines are labelled";

  // The failed label is reported by drift, the next plan retries it with the
  // failure as its reason, and --refresh-only has nothing to accept for it
  // (it used to abort on the failed record's null attributes).
  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    label.local-worker-1 (label): last apply failed: node 127.0.0.22 is not "
                                   "registered in Kubernetes yet"));
  CmdResult replan = Paiplan("plan");
  EXPECT_THAT(replan.out, HasSubstr("+ label.local-worker-1\n      reason: previous create failed: node 127.0.0.22 is "
                                    "not registered in Kubernetes yet"));
  CmdResult refresh = Paiplan("apply --refresh-only --auto-approve");
  EXPECT_EQ(refresh.rc, 0) << refresh.all();
  EXPECT_THAT(refresh.out, HasSubstr("No drift"));

  ASSERT_TRUE(server_.AdminPost("/nodes?names=127.0.0.22").ok());
  CmdResult again = Paiplan("apply --auto-approve");
  ASSERT_EQ(again.rc, 0) << again.all();
  auto labels = NodeLabels("127.0.0.22");
  EXPECT_EQ(labels["pai-worker"], "true");
  EXPECT_EQ(labels["no-drivers"], "true");
  EXPECT_EQ(Paiplan("drift").rc, 0);
}

// 1,000 machines (examples/gen_layout.py --kube, transport local): one apply
// labels every node, and the nodes are observed with ONE logical LIST that
// the server served in several pages.
TEST_F(NodesTest, ThousandNodesLabelledInOneApplyWithOnePaginatedList) {
  std::string gen = std::string(PAIPLAN_TEST_DIR) + "/../examples/gen_layout.py";
  CmdResult g = Shell("/usr/bin/python3 " + Quote(gen) + " --machines 1000 --services 0 --transport local --kube --out " +
                Quote(ws_));
  ASSERT_EQ(g.rc, 0) << g.all();
  CmdResult names = Shell("grep -E '^ +nodename: ' " + Quote(ws_ + "/layout.yaml") + " | awk '{print $2}'");
  std::vector<std::string> nodes;
  for (size_t p = 0, e; (e = names.out.find('\n', p)) != std::string::npos; p = e + 1) {
    nodes.push_back(names.out.substr(p, e - p));
  }
  ASSERT_EQ(nodes.size(), 1000u);
  ASSERT_TRUE(server_.Start(tmp_ + "/kube", nodes).ok());
  // gen_layout's paiplan.yaml names ./kubeconfig.
  ASSERT_EQ(Shell("cp " + Quote(server_.kubeconfig_path()) + " " + Quote(ws_ + "/kubeconfig")).rc, 0);
  AppendTo("paiplan.yaml", "parallelism: 32\n");
  ASSERT_TRUE(server_.AdminPost("/reset-stats").ok());

  CmdResult apply = Paiplan("apply --auto-approve");
  ASSERT_EQ(apply.rc, 0) << apply.all().substr(0, 4000);
  EXPECT_THAT(apply.out, HasSubstr("Apply complete! Actions: 2001 done, 0 failed"));
  auto stats = server_.Stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ((*stats)["node_list_requests"], 1) << stats->dump();
  EXPECT_GE((*stats)["node_list_pages"].get<int>(), 2) << "the LIST must be paginated: " << stats->dump();
  EXPECT_EQ((*stats)["patches"], 1000) << stats->dump();

  CmdResult workers = Kubectl("get nodes -l pai-worker=true -o name");
  ASSERT_EQ(workers.rc, 0) << workers.err;
  EXPECT_EQ(std::count(workers.out.begin(), workers.out.end(), '\n'), 999);
  CmdResult master = Kubectl("get nodes -l pai-master=true -o name");
  EXPECT_EQ(master.out, "node/127.0.0.10\n");
  CmdResult nd = Kubectl("get nodes -l no-drivers=true -o name");
  EXPECT_EQ(std::count(nd.out.begin(), nd.out.end(), '\n'), 19);  // every 50th worker

  ASSERT_TRUE(server_.AdminPost("/reset-stats").ok());
  ASSERT_EQ(Kubectl("label node 127.0.3.241 pai-worker-").rc, 0);  // node-00999
  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all().substr(0, 4000);
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    label.node-00999 (label): labels drifted: pai-worker removed"));
  EXPECT_THAT(drift.out, HasSubstr("Drift: 1 drifted, 0 ignored, 0 could not be observed, 2001 resources checked."));
  stats = server_.Stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ((*stats)["node_list_requests"], 1) << stats->dump();
}

}  // namespace
}  // namespace paiplan::drift_test
