// Rolling replacement gated on the Node's Ready condition, through the real
// binary against the Kubernetes API test server (tests/kube/serve), on the
// local demo workspace (examples/local: machines are local directories).
// The worker role package changes, so both workers roll, one per batch
// (max-unavailable 1); the real kubectl marks the first one's Node NotReady
// (status subresource): its batch fails its health gate, the roll halts, the
// second worker is not started; once Ready again, the next apply continues.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/kube/kube_server_fixture.h"
#include "tests/plan/cli_harness.h"

namespace paiplan {
namespace {

using testing_util::CliResult;
using testing_util::LocalWorkspace;

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int CountOf(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

class RollingKubeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube_dir_ = kube::testing::MakeTempDir("fleet-rolling-kube");
    ASSERT_FALSE(kube_dir_.empty());
    Status st = server_.Start(kube_dir_, {"127.0.0.11", "127.0.0.21", "127.0.0.22"});
    ASSERT_TRUE(st.ok()) << st.message();
    std::ofstream(ws_.Path("paiplan.yaml"), std::ios::app)
        << "kubernetes:\n  kubeconfig: " << server_.kubeconfig_path() << "\n"
        << "retry:\n  attempts: 1\n"
        << "rolling:\n  max-unavailable: 1\n  health-timeout: 2s\n";
  }
  void TearDown() override {
    server_.Stop();
    if (!kube_dir_.empty()) std::filesystem::remove_all(kube_dir_);
  }
  // The real kubectl sets node's Ready condition through the status subresource.
  void SetReady(const std::string& node, bool ready) {
    std::string patch = std::string(R"({"status":{"conditions":[{"type":"Ready","status":")") +
                        (ready ? "True" : "False") + R"(","reason":")" + (ready ? "KubeletReady" : "KubeletNotReady") +
                        R"(","lastTransitionTime":"2026-12-07T01:02:03Z"}]}})";
    auto [rc, out] = kube::testing::RunCommand("kubectl --kubeconfig " + server_.kubeconfig_path() + " patch node " +
                                               node + " --subresource=status --type=merge -p '" + patch + "' 2>&1");
    ASSERT_EQ(rc, 0) << out;
  }
  int Bootstraps(const std::string& host) {
    return CountOf(ws_.Read(".paiplan/local-nodes/" + host + "/bootstrap.log"), "bootstrapped");
  }

  LocalWorkspace ws_;
  std::string kube_dir_;
  kube::testing::KubeTestServer server_;
};

TEST_F(RollingKubeTest, ANodeThatStaysNotReadyFailsItsBatchAndHaltsTheRoll) {
  CliResult first = ws_.Run({"--no-color", "apply", "--auto-approve"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ws_.Write("roles/worker/extra.conf", "changed package\n");
  ASSERT_NO_FATAL_FAILURE(SetReady("127.0.0.21", false));

  CliResult plan = ws_.Run({"--no-color", "plan"});
  EXPECT_TRUE(Has(plan.out, "Rolling replacement: 2 machines in 2 batches; halts after 1 failed batch\n"
                            "  batch 1: node.local-worker-0\n  batch 2: node.local-worker-1\n")) << plan.out;

  CliResult apply = ws_.Run({"--no-color", "apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  const std::string all = apply.out + apply.err;
  EXPECT_TRUE(Has(all, "health gate: local-worker-0 did not become healthy within 2 s (rolling.health-timeout): "
                       "node 127.0.0.21 is NotReady (since 2026-12-07T01:02:03Z)")) << all;
  EXPECT_TRUE(Has(all, "Rolling replacement halted: batch 2 not started (1 machine: node.local-worker-1).")) << all;
  EXPECT_EQ(Bootstraps("local-worker-0"), 2);
  EXPECT_EQ(Bootstraps("local-worker-1"), 1) << "its batch was not started";

  ASSERT_NO_FATAL_FAILURE(SetReady("127.0.0.21", true));
  CliResult again = ws_.Run({"--no-color", "apply", "--auto-approve"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(Has(again.out, "Rolling batch 1 of 2 passed its health gate (1 machine).")) << again.out;
  EXPECT_EQ(Bootstraps("local-worker-1"), 2);
  EXPECT_EQ(ws_.Run({"plan", "--detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace paiplan
