// The real paiplan binary against a Kubernetes API test server that hangs
// (tests/kube/serve admin /hang): plan reports the labels as could-not-be-
// observed and apply fails within `kubernetes.timeout`, both with a message
// that names the server, the timeout and the setting. Also: the rendered
// manifests apply writes carry the nodeAffinity of the service's deploy-rules.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "tests/kube/kube_server_fixture.h"
#include "tests/plan/cli_harness.h"

namespace paiplan {
namespace {

using testing_util::CliResult;
using testing_util::LocalWorkspace;
using Clock = std::chrono::steady_clock;

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class KubeCliFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube_dir_ = kube::testing::MakeTempDir("kube-cli-faults");
    ASSERT_FALSE(kube_dir_.empty());
    Status st = server_.Start(kube_dir_, {"127.0.0.11", "127.0.0.21", "127.0.0.22"});
    ASSERT_TRUE(st.ok()) << st.message();
    std::ofstream(ws_.Path("paiplan.yaml"), std::ios::app)
        << "kubernetes:\n  kubeconfig: " << server_.kubeconfig_path() << "\n  timeout: 1\n"
        << "retry:\n  attempts: 1\n";
  }
  void TearDown() override {
    server_.Stop();
    if (!kube_dir_.empty()) std::filesystem::remove_all(kube_dir_);
  }
  // Runs paiplan; *seconds is the wall time it took.
  CliResult Timed(const std::vector<std::string>& args, double* seconds) {
    auto start = Clock::now();
    CliResult r = ws_.Run(args);
    *seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  }
  void ExpectTimeoutMessage(const std::string& text) {
    EXPECT_TRUE(Has(text, server_.server_url())) << text;
    EXPECT_TRUE(Has(text, "timed out after 1 s")) << text;
    EXPECT_TRUE(Has(text, "raise `kubernetes.timeout` (seconds) in paiplan.yaml (now 1 s)")) << text;
  }

  LocalWorkspace ws_;
  std::string kube_dir_;
  kube::testing::KubeTestServer server_;
};

// A new cluster: the API may not answer before the nodes are bootstrapped
// (docs/workspace.md, "Resources"), so unobserved labels are pending, not errors; the
// note still says why.
TEST_F(KubeCliFaultsTest, NewClusterPlanWithHungNodeListNotesTheTimeout) {
  ASSERT_TRUE(server_.AdminPost("/hang?seconds=10&count=5&path=/api/v1/nodes&method=GET").ok());
  double took = 0;
  CliResult r = Timed({"--no-color", "plan"}, &took);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "note: not observed: listing nodes: request to")) << r.out;
  ExpectTimeoutMessage(r.out);
  EXPECT_LT(took, 8.0) << "one LIST cut at the 1 s timeout, not the 10 s hang";
}

TEST_F(KubeCliFaultsTest, PlanWithHungNodeListReportsLabelsUnobserved) {
  CliResult a = ws_.Run({"--no-color", "apply", "--auto-approve"});
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  ASSERT_TRUE(server_.AdminPost("/reset-stats").ok());
  ASSERT_TRUE(server_.AdminPost("/hang?seconds=10&count=5&path=/api/v1/nodes&method=GET").ok());
  double took = 0;
  CliResult r = Timed({"--no-color", "plan"}, &took);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string all = r.out + r.err;
  EXPECT_TRUE(Has(all, "Not observed (left out):")) << all;
  for (const char* h : {"local-master", "local-worker-0", "local-worker-1"}) {
    EXPECT_TRUE(Has(all, std::string("  label.") + h + " \u2014 listing nodes")) << all;
  }
  ExpectTimeoutMessage(all);
  EXPECT_LT(took, 8.0) << "one LIST cut at the 1 s timeout, not the 10 s hang";
  auto stats = server_.Stats();
  ASSERT_TRUE(stats.has_value());
  // The hung LIST is still asleep in the server (its counters come after the
  // hang); `hung` says exactly one request reached it: one LIST per plan.
  EXPECT_EQ((*stats)["hung"], 1) << "one LIST per plan, even when it times out";
}

TEST_F(KubeCliFaultsTest, ApplyWithHungLabelPatchFailsWithinTheTimeout) {
  ASSERT_TRUE(server_.AdminPost("/hang?seconds=10&count=100&path=/api/v1/nodes/&method=PATCH").ok());
  double took = 0;
  CliResult r = Timed({"--no-color", "apply", "--auto-approve"}, &took);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string all = r.out + r.err;
  EXPECT_TRUE(Has(all, "patching labels of node \"127.0.0.21\"")) << all;
  ExpectTimeoutMessage(all);
  // Three label patches, each cut at 1 s (in parallel or not): far below one 10 s hang.
  EXPECT_LT(took, 10.0) << all;
  auto stats = server_.Stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ((*stats)["hung"], 3) << "retry.attempts: 1 — each patch tried once";
}

// A service whose deploy-rules select `in: pai-worker` and `notin: no-drivers`:
// apply writes its DaemonSet under .paiplan/rendered/ with the nodeAffinity
// term, and its ConfigMap manifest exactly as rendered.
TEST(RenderedAffinityTest, ApplyWritesManifestsWithTheDeployRulesAffinity) {
  LocalWorkspace ws;
  const std::string deploy = "services/demo-app/deploy/";
  ws.Replace(deploy + "service.yaml", "  - in: pai-worker\n", "  - in: pai-worker\n  - notin: no-drivers\n");
  ws.Replace(deploy + "service.yaml", "  - demo-app.yaml\n",
             "  - demo-app.yaml\n  - agent.yaml\n  - settings.yaml\n");
  const std::string daemonset =
      "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: demo-agent\nspec:\n"
      "  selector:\n    matchLabels:\n      app: demo-agent\n  template:\n    metadata:\n"
      "      labels:\n        app: demo-agent\n    spec:\n      containers:\n"
      "        - name: agent\n          image: busybox:1.36\n";
  const std::string configmap =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo-settings  # kept\n"
      "data:\n  greeting: \"{{ cluster_cfg['demo-config']['greeting'] }}\"\n";
  ws.Write(deploy + "agent.yaml.template", daemonset);
  ws.Write(deploy + "settings.yaml.template", configmap);

  CliResult r = ws.Run({"--no-color", "apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string affinity =
      "      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
      "            nodeSelectorTerms:\n              - matchExpressions:\n"
      "                  - key: pai-worker\n                    operator: In\n"
      "                    values:\n                      - \"true\"\n"
      "                  - key: no-drivers\n                    operator: NotIn\n"
      "                    values:\n                      - \"true\"";
  std::string agent = ws.Read(".paiplan/rendered/demo-app/agent.yaml");
  EXPECT_EQ(agent.substr(0, daemonset.size()), daemonset) << agent;
  EXPECT_TRUE(Has(agent, affinity)) << agent;
  EXPECT_TRUE(Has(ws.Read(".paiplan/rendered/demo-app/demo-app.yaml"), affinity));
  std::string settings = ws.Read(".paiplan/rendered/demo-app/settings.yaml");
  EXPECT_FALSE(Has(settings, "affinity")) << settings;
  EXPECT_TRUE(Has(settings, "  name: demo-settings  # kept\n")) << "untouched, comments and all: " << settings;
  EXPECT_TRUE(Has(settings, "greeting: \"")) << settings;
}

}  // namespace
}  // namespace paiplan
