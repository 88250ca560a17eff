// Golden plans with Kubernetes configured: examples/local wired to the
// Kubernetes API test server (tests/kube/serve), so label.* and
// config.cluster take part. Cases: the first plan of a new cluster, and a
// label change in layout.yaml (one label added on one machine, one removed
// on another) after an apply.
//
// Rewrite the golden files with: UPDATE_GOLDEN=1 ./plan_golden_test
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "tests/kube/kube_server_fixture.h"
#include "tests/plan/cli_harness.h"

namespace paiplan {
namespace {

using testing_util::CliResult;
using testing_util::ExpectGolden;
using testing_util::LocalWorkspace;

class LabelGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube_dir_ = kube::testing::MakeTempDir("label-golden");
    ASSERT_FALSE(kube_dir_.empty());
    Status st = server_.Start(kube_dir_, {"127.0.0.11", "127.0.0.21", "127.0.0.22"});
    ASSERT_TRUE(st.ok()) << st.message();
    std::ofstream(ws_.Path("paiplan.yaml"), std::ios::app) << "kubernetes:\n  kubeconfig: " << server_.kubeconfig_path()
                                                         << "\n";
  }
  void TearDown() override {
    server_.Stop();
    if (!kube_dir_.empty()) std::filesystem::remove_all(kube_dir_);
  }

  std::string Normalize(std::string text) const {
    for (size_t at; (at = text.find(kube_dir_)) != std::string::npos;) text.replace(at, kube_dir_.size(), "$KUBE");
    return ws_.Normalize(text);
  }
  // Plans as text and JSON, compares both with the goldens of `name`, and
  // returns address → action of the changes.
  std::map<std::string, std::string> Golden(const std::string& name) {
    CliResult t = ws_.Run({"--no-color", "plan", "--detailed-exitcode"});
    EXPECT_EQ(t.exit_code, 2) << t.out << t.err;
    ExpectGolden(name + "/plan.txt", Normalize(t.out));
    CliResult j = ws_.Run({"--json", "plan"});
    EXPECT_EQ(j.exit_code, 0) << j.err;
    ExpectGolden(name + "/plan.json", Normalize(j.out));
    std::map<std::string, std::string> changes;
    auto doc = nlohmann::json::parse(j.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << j.out;
    if (doc.is_discarded()) return changes;
    for (const auto& a : doc["actions"]) {
      if (a["action"] != "no-op") changes[a["address"]] = a["action"];
    }
    return changes;
  }

  LocalWorkspace ws_;
  std::string kube_dir_;
  kube::testing::KubeTestServer server_;
};

TEST_F(LabelGoldenTest, NewClusterWithKubernetes) {
  auto changes = Golden("new_cluster_kube");
  EXPECT_EQ(changes["config.cluster"], "create");
  for (const char* h : {"local-master", "local-worker-0", "local-worker-1"}) {
    EXPECT_EQ(changes[std::string("label.") + h], "create") << h;
    EXPECT_EQ(changes[std::string("node.") + h], "create") << h;
  }
}

TEST_F(LabelGoldenTest, LabelChangedInLayout) {
  CliResult a = ws_.Run({"--no-color", "apply", "--auto-approve"});
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  ws_.Replace("layout.yaml", "    nodename: 127.0.0.21\n", "    nodename: 127.0.0.21\n    gpu-ready: \"true\"\n");
  ws_.Replace("layout.yaml", "    no-drivers: \"true\"\n", "");
  auto changes = Golden("label_change");
  EXPECT_EQ(changes["label.local-worker-0"], "update");
  EXPECT_EQ(changes["label.local-worker-1"], "update");
  EXPECT_EQ(changes.count("label.local-master"), 0u);
  EXPECT_EQ(changes.count("node.local-worker-0"), 0u) << "a label change does not re-bootstrap the machine";
  CliResult t = ws_.Run({"--no-color", "plan"});
  EXPECT_NE(t.out.find("gpu-ready"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("no-drivers"), std::string::npos) << t.out;
  // Applied, the labels are on the nodes and the next plan is empty.
  a = ws_.Run({"--no-color", "apply", "--auto-approve"});
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  auto [rc, out] = kube::testing::RunCommand("kubectl --kubeconfig '" + server_.kubeconfig_path() +
                                             "' get nodes --show-labels --no-headers");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("gpu-ready=true"), std::string::npos) << out;
  EXPECT_EQ(out.find("no-drivers=true"), std::string::npos) << out;
  EXPECT_EQ(ws_.Run({"plan", "--detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace paiplan
