#include "engine/graph/resource_graph.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "engine/base/fs.h"
#include "tests/config/test_workspace.h"

namespace paiplan::graph {
namespace {

using testing_util::BaseWorkspaceFiles;
using testing_util::TempWorkspace;

class GraphTest : public ::testing::Test {
 protected:
  GraphTest() : ws_(BaseWorkspaceFiles()) {}

  std::optional<config::Workspace> Load() {
    config::LoadOptions o;
    o.builtin_dir = ws_.Path("no-builtin");
    auto w = config::LoadWorkspace(ws_.root(), o, &diags_);
    std::ostringstream t;
    diags_.Print(t, false);
    EXPECT_TRUE(w) << t.str();
    return w;
  }
  // Loads a workspace with a prerequisite cycle: the loader reports it (with
  // the workspace's other errors, if any) and returns nothing.
  Diagnostics LoadWithCycle() {
    config::LoadOptions o;
    o.builtin_dir = ws_.Path("no-builtin");
    Diagnostics d;
    EXPECT_FALSE(config::LoadWorkspace(ws_.root(), o, &d));
    return d;
  }
  std::set<std::string> Edges(const ResourceGraph& g) {
    std::set<std::string> out;
    for (size_t i = 0; i < g.size(); ++i)
      for (int d : g.dependents(i)) out.insert(g.at(i).address + " -> " + g.at(d).address);
    return out;
  }

  TempWorkspace ws_;
  Diagnostics diags_;
};

TEST_F(GraphTest, SelectedHostsFollowInAndNotinRules) {
  auto w = Load();
  ASSERT_TRUE(w);
  EXPECT_EQ(SelectedHosts(*w, w->services.at("cluster")), (std::vector<size_t>{0}));
  // web: in pai-worker, notin no-drivers → w1 only (w2 has no-drivers).
  EXPECT_EQ(SelectedHosts(*w, w->services.at("web")), (std::vector<size_t>{1}));
  config::ServiceDef none = w->services.at("web");
  none.deploy_rules.clear();
  EXPECT_TRUE(SelectedHosts(*w, none).empty());
  config::ServiceDef notin_only = none;
  notin_only.deploy_rules.push_back({"pai-master", false, {}});
  EXPECT_EQ(SelectedHosts(*w, notin_only), (std::vector<size_t>{1, 2}));
}

TEST_F(GraphTest, EdgesWithKubernetes) {
  auto w = Load();
  ASSERT_TRUE(w);
  auto g = ResourceGraph::Build(*w, /*with_kubernetes=*/true, &diags_);
  ASSERT_TRUE(g);
  std::set<std::string> want = {
      "node.m1 -> label.m1", "node.w1 -> label.w1", "node.w2 -> label.w2",
      "label.m1 -> service.cluster", "label.w1 -> service.web",
      "config.cluster -> service.cluster", "config.cluster -> service.web",
      "render.cluster/cluster.cfg -> service.cluster", "service.cluster -> service.web"};
  EXPECT_EQ(Edges(*g), want);
  EXPECT_EQ(g->size(), 10u);  // 3 node, 3 label, config, render, 2 services
  EXPECT_EQ(g->edge_count(), want.size());
  int web = g->Find("service.web");
  ASSERT_GE(web, 0);
  EXPECT_EQ(g->at(web).kind, Kind::kService);
  EXPECT_EQ(g->at(web).service, "web");
  EXPECT_EQ(g->Find("service.nope"), -1);
  EXPECT_EQ(KindOfAddress("render.cluster/cluster.cfg"), Kind::kRender);
  EXPECT_EQ(KindOfAddress("render.cluster"), std::nullopt);
  EXPECT_EQ(KindOfAddress("bogus.x"), std::nullopt);
}

TEST_F(GraphTest, EdgesWithoutKubernetesGoFromNodes) {
  auto w = Load();
  ASSERT_TRUE(w);
  auto g = ResourceGraph::Build(*w, /*with_kubernetes=*/false, &diags_);
  ASSERT_TRUE(g);
  std::set<std::string> want = {"node.m1 -> service.cluster", "node.w1 -> service.web",
                                "render.cluster/cluster.cfg -> service.cluster", "service.cluster -> service.web"};
  EXPECT_EQ(Edges(*g), want);
  EXPECT_EQ(g->Find("config.cluster"), -1);
  EXPECT_EQ(g->Find("label.m1"), -1);
}

TEST_F(GraphTest, TopologicalOrderPutsPrerequisitesFirst) {
  auto w = Load();
  ASSERT_TRUE(w);
  auto g = ResourceGraph::Build(*w, true, &diags_);
  ASSERT_TRUE(g);
  auto order = g->TopologicalOrder();
  ASSERT_EQ(order.size(), g->size());
  std::vector<size_t> pos(g->size());
  for (size_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
  for (size_t v = 0; v < g->size(); ++v)
    for (int d : g->deps(v)) EXPECT_LT(pos[d], pos[v]) << g->at(d).address << " before " << g->at(v).address;
}

TEST_F(GraphTest, CycleErrorNamesTheWholeCycle) {
  ws_.Write({
      {"services/a/deploy/service.yaml", "prerequisite: [c]\nstart-script: s.sh\n"},
      {"services/a/deploy/s.sh", "true\n"},
      {"services/b/deploy/service.yaml", "prerequisite:\n  - a\nstart-script: s.sh\n"},
      {"services/b/deploy/s.sh", "true\n"},
      {"services/c/deploy/service.yaml", "prerequisite: [b]\nstart-script: s.sh\n"},
      {"services/c/deploy/s.sh", "true\n"},
  });
  Diagnostics d = LoadWithCycle();
  ASSERT_EQ(d.ErrorCount(), 1u);
  const Diagnostic& e = d.items()[0];
  EXPECT_NE(e.message.find("a → b → c → a"), std::string::npos) << e.message;
  for (const char* f : {"services/a/deploy/service.yaml", "services/b/deploy/service.yaml",
                        "services/c/deploy/service.yaml"}) {
    EXPECT_NE(e.message.find(f), std::string::npos) << e.message;
  }
  EXPECT_EQ(e.loc.file, "services/b/deploy/service.yaml");  // b's entry "- a"
  EXPECT_EQ(e.loc.line, 2);
  EXPECT_FALSE(e.hint.empty());
}

TEST_F(GraphTest, TwoCycleAndSelfCycle) {
  ws_.Write({{"services/cluster/deploy/service.yaml",
              "prerequisite: [web]\ntemplate-list:\n  - cluster.cfg\nstart-script: start.sh\n"
              "deploy-rules:\n  - in: pai-master\n"}});
  Diagnostics d = LoadWithCycle();
  ASSERT_EQ(d.ErrorCount(), 1u);
  EXPECT_NE(d.items()[0].message.find("cluster → web → cluster"), std::string::npos) << d.items()[0].message;

  ws_.Write({{"services/web/deploy/service.yaml", "prerequisite: [web]\nstart-script: start.sh\n"},
             {"services/cluster/deploy/service.yaml", "start-script: start.sh\n"}});
  Diagnostics d3 = LoadWithCycle();
  ASSERT_EQ(d3.ErrorCount(), 1u);
  EXPECT_NE(d3.items()[0].message.find("web → web"), std::string::npos) << d3.items()[0].message;
  // The graph builder refuses a cycle too (workspaces made in code skip the loader).
  config::Workspace w;
  config::ServiceDef web;
  web.name = "web";
  web.prerequisites = {"web"};
  w.services.emplace("web", web);
  Diagnostics d4;
  EXPECT_FALSE(ResourceGraph::Build(w, true, &d4));
  EXPECT_EQ(d4.ErrorCount(), 1u);
}

TEST_F(GraphTest, DotIsByteStableAndAcceptedByGraphviz) {
  auto w1 = Load();
  auto w2 = Load();
  ASSERT_TRUE(w1 && w2);
  auto g1 = ResourceGraph::Build(*w1, true, &diags_);
  auto g2 = ResourceGraph::Build(*w2, true, &diags_);
  ASSERT_TRUE(g1 && g2);
  std::string dot = g1->ToDot();
  EXPECT_EQ(dot, g2->ToDot());
  EXPECT_EQ(dot.rfind("digraph paiplan {\n", 0), 0u);
  EXPECT_NE(dot.find("  \"service.cluster\" -> \"service.web\";\n"), std::string::npos) << dot;

  std::string path = ws_.Path("g.dot");
  ASSERT_TRUE(fs::WriteFileAtomic(path, dot).ok());
  std::string cmd = "dot -Tsvg '" + path + "' -o '" + ws_.Path("g.svg") + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto svg = fs::ReadFile(ws_.Path("g.svg"));
  ASSERT_TRUE(svg);
  EXPECT_NE(svg->find("<svg"), std::string::npos);
  EXPECT_NE(svg->find("service.web"), std::string::npos);
}

}  // namespace
}  // namespace paiplan::graph
