// The concurrency classes of paiplan.yaml through the real binary
// (docs/failure-semantics.md, "Concurrency classes"): the Kubernetes API test
// server counts the most API writes it served at once (max_concurrent_writes),
// while admin /hang holds each write, so writes that may overlap do. Only
// overlap counts are checked, never times.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/kube/kube_server_fixture.h"
#include "tests/plan/cli_harness.h"

namespace paiplan {
namespace {

using testing_util::CliResult;
using testing_util::LocalWorkspace;

class ConcurrencyKubeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube_dir_ = kube::testing::MakeTempDir("fleet-concurrency-kube");
    ASSERT_FALSE(kube_dir_.empty());
    Status st = server_.Start(kube_dir_, {"127.0.0.11", "127.0.0.21", "127.0.0.22"});
    ASSERT_TRUE(st.ok()) << st.message();
  }
  void TearDown() override {
    server_.Stop();
    if (!kube_dir_.empty()) std::filesystem::remove_all(kube_dir_);
  }
  void Settings(const std::string& concurrency) {
    std::ofstream(ws_.Path("paiplan.yaml"), std::ios::app)
        << "kubernetes:\n  kubeconfig: " << server_.kubeconfig_path() << "\n"
        << "retry:\n  attempts: 1\nconcurrency:\n" << concurrency;  // parallelism 4 (examples/local)
  }
  // A native service (no scripts) whose one template renders `n` ConfigMaps.
  void AddConfigMapService(int n, const std::string& value) {
    ws_.Write("services/many-cm/deploy/service.yaml", "template-list: [cms.yaml]\n");
    std::string t;
    for (int i = 0; i < n; ++i)
      t += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-" + std::to_string(i) +
           "\n  namespace: default\ndata:\n  value: \"" + value + "\"\n";
    ws_.Write("services/many-cm/deploy/cms.yaml.template", t);
  }
  int MaxConcurrentWrites() {
    auto stats = server_.Stats();
    EXPECT_TRUE(stats.has_value());
    return stats ? stats->value("max_concurrent_writes", -1) : -1;
  }
  int Hang(const std::string& path, int count) {
    return server_.AdminPost("/hang?seconds=1.5&count=" + std::to_string(count) + "&path=" + path + "&method=PATCH").ok();
  }

  LocalWorkspace ws_;
  std::string kube_dir_;
  kube::testing::KubeTestServer server_;
};

TEST_F(ConcurrencyKubeTest, KubernetesWritesBoundsLabelPatchesAtOnce) {
  Settings("  kubernetes-writes: 1\n");
  ASSERT_TRUE(server_.AdminPost("/reset-stats").ok());
  ASSERT_TRUE(Hang("/api/v1/nodes", 3));
  CliResult r = ws_.Run({"--no-color", "apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(MaxConcurrentWrites(), 1) << "kubernetes-writes: 1";
  EXPECT_EQ(server_.Stats()->value("hung", 0), 3) << "each label patch was held";
}

TEST_F(ConcurrencyKubeTest, WithoutTheBoundLabelPatchesOverlap) {
  Settings("  kubernetes-writes: 8\n");
  ASSERT_TRUE(server_.AdminPost("/reset-stats").ok());
  ASSERT_TRUE(Hang("/api/v1/nodes", 3));
  CliResult r = ws_.Run({"--no-color", "apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GE(MaxConcurrentWrites(), 2) << "the held patches of independent labels run side by side";
}

TEST_F(ConcurrencyKubeTest, ActionsPerServiceBoundsOneServicesObjectWrites) {
  Settings("  actions-per-service: 2\n  kubernetes-writes: 8\n");
  ws_.Replace("paiplan.yaml", "  - demo-app\n", "  - demo-app\n  - many-cm\n");
  AddConfigMapService(5, "one");
  CliResult first = ws_.Run({"--no-color", "apply", "--auto-approve"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  AddConfigMapService(5, "two");  // five object updates, nothing else
  ASSERT_TRUE(server_.AdminPost("/reset-stats").ok());
  // Every apply PATCH is held (and the plan's dry runs, which are not counted as writes).
  ASSERT_TRUE(Hang("/api/v1/namespaces/default/configmaps/cm-", 100));
  CliResult r = ws_.Run({"--no-color", "apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto stats = server_.Stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_GE(stats->value("hung", 0) - stats->value("dry_run_applies", 0), 5) << stats->dump();
  EXPECT_EQ(MaxConcurrentWrites(), 2) << "actions-per-service: 2 (and the five may overlap): " << stats->dump();
}

}  // namespace
}  // namespace paiplan
