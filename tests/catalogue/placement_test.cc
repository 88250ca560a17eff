// Placement of the catalogue's pods from deploy-rules, through paiplan's own
// desired-state computation (what a plan renders): manifests get nodeAffinity
// on their pod templates, and the Helm services' values files (hdfs, spark)
// the same nodeAffinity under every `affinity:` of their chart values.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "engine/base/fs.h"
#include "engine/config/workspace.h"
#include "engine/graph/resource_graph.h"
#include "engine/plan/desired.h"

namespace paiplan {
namespace {

const std::string kRepo = std::string(PAIPLAN_TEST_DIR) + "/..";

std::string Text(const Diagnostics& d) {
  std::ostringstream o;
  d.Print(o, false);
  return o.str();
}

// examples/cluster plus the Helm services, Kubernetes off, in a temp dir.
class PlacementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pp_placement_test_XXXXXX";
    root_ = ::mkdtemp(tmpl);
    for (const char* f : {"layout.yaml", "services-configuration.yaml"})
      std::filesystem::copy_file(kRepo + "/examples/cluster/" + f, root_ + "/" + f);
    std::string settings = fs::ReadFile(kRepo + "/examples/cluster/paiplan.yaml").value();
    settings.replace(settings.find("enabled-services:\n"), 18, "enabled-services:\n  - hdfs\n  - spark\n");
    ASSERT_TRUE(fs::WriteFileAtomic(root_ + "/paiplan.yaml", settings + "kubernetes:\n  enabled: false\n").ok());
    config::LoadOptions o;
    o.builtin_dir = kRepo + "/services";
    ws_ = config::LoadWorkspace(root_, o, &diags_);
    ASSERT_TRUE(ws_.has_value()) << Text(diags_);
    auto g = graph::ResourceGraph::Build(*ws_, false, &diags_);
    ASSERT_TRUE(g.has_value()) << Text(diags_);
    desired_ = plan::ComputeDesired(*ws_, *g, "default", &diags_);
    ASSERT_FALSE(diags_.HasErrors()) << Text(diags_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  YAML::Node Rendered(const std::string& address) {
    auto it = desired_.find(address);
    EXPECT_NE(it, desired_.end()) << address;
    return it == desired_.end() ? YAML::Node() : YAML::Load(it->second.content);
  }

  std::string root_;
  Diagnostics diags_;
  std::optional<config::Workspace> ws_;
  std::map<std::string, plan::Desired> desired_;
};

std::string YamlText(const YAML::Node& n) {
  YAML::Emitter e;
  e << n;
  return e.c_str();
}

// The nodeAffinity hadoop-node-manager's DaemonSet gets (deploy-rules: in pai-worker).
TEST_F(PlacementTest, HelmValuesGetTheSameNodeAffinityAsManifests) {
  YAML::Node reference;
  for (const auto& d : YAML::LoadAll(desired_["render.hadoop-node-manager/hadoop-node-manager.yaml"].content)) {
    if (d["kind"] && d["spec"]["template"]) reference = d["spec"]["template"]["spec"]["affinity"]["nodeAffinity"];
  }
  ASSERT_TRUE(reference) << "no workload with nodeAffinity in hadoop-node-manager.yaml";
  EXPECT_NE(YamlText(reference).find("pai-worker"), std::string::npos);

  YAML::Node hdfs = Rendered("render.hdfs/hdfs-values.yaml");
  for (const char* c : {"nameNode", "dataNode", "httpfs"}) {
    ASSERT_TRUE(hdfs[c]["affinity"]["nodeAffinity"]) << "hdfs " << c << ":\n" << YamlText(hdfs);
    EXPECT_EQ(YamlText(hdfs[c]["affinity"]["nodeAffinity"]), YamlText(reference)) << "hdfs " << c;
  }
  EXPECT_EQ(hdfs["dataNode"]["replicas"].as<int>(), 3) << "values other than affinity changed";
  YAML::Node spark = Rendered("render.spark/spark-values.yaml");
  for (const char* c : {"master", "worker"}) {
    ASSERT_TRUE(spark[c]["affinity"]["nodeAffinity"]) << "spark " << c << ":\n" << YamlText(spark);
    EXPECT_EQ(YamlText(spark[c]["affinity"]["nodeAffinity"]), YamlText(reference)) << "spark " << c;
  }
  EXPECT_EQ(spark["image"]["tag"].Tag(), "!") << "a quoted value lost its quotes";
}

}  // namespace
}  // namespace paiplan
