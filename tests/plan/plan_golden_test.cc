// Golden tests of `paiplan plan` (text with --no-color, and --json) run by
// the real binary on copies of examples/local. Each case also checks the
// plan's meaning (which addresses change, how) so a wrong golden cannot be
// blessed silently, and that two runs print the same bytes.
//
// Rewrite the golden files with: UPDATE_GOLDEN=1 ./plan_golden_test
// (then review `git diff tests/testdata/plan`).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>

#include "tests/plan/cli_harness.h"

namespace paiplan {
namespace {

using testing_util::CliResult;
using testing_util::ExpectGolden;
using testing_util::LocalWorkspace;
using Changes = std::map<std::string, std::string>;  // address → action, no-ops left out

std::vector<std::string> Cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class PlanGoldenTest : public ::testing::Test {
 protected:
  // Plans twice as text and twice as JSON, checks the exit codes and that
  // the runs agree byte for byte, compares with tests/testdata/plan/<name>/,
  // and returns the parsed JSON plan.
  nlohmann::json Golden(const std::string& name, const std::vector<std::string>& extra = {}, int want_exit = 2) {
    auto text_args = Cat({"--no-color", "plan", "--detailed-exitcode"}, extra);
    CliResult t1 = ws_.Run(text_args), t2 = ws_.Run(text_args);
    EXPECT_EQ(t1.exit_code, want_exit) << t1.out << t1.err;
    EXPECT_EQ(t1.out, t2.out) << "plan text is not byte-stable";
    ExpectGolden(name + "/plan.txt", ws_.Normalize(t1.out));
    auto json_args = Cat({"--json", "plan"}, extra);
    CliResult j1 = ws_.Run(json_args), j2 = ws_.Run(json_args);
    EXPECT_EQ(j1.exit_code, 0) << j1.err;
    static const std::regex kCreated(R"("created_at": "[^"]*")");
    EXPECT_EQ(std::regex_replace(j1.out, kCreated, ""), std::regex_replace(j2.out, kCreated, ""))
        << "plan JSON is not byte-stable (apart from created_at)";
    ExpectGolden(name + "/plan.json", ws_.Normalize(j1.out));
    for (const auto* r : {&t1, &j1}) {
      EXPECT_EQ(r->out.find("demo-token-value"), std::string::npos) << "secret printed";
      EXPECT_EQ(r->out.find("demo-password"), std::string::npos) << "secret printed";
      EXPECT_EQ(r->out.find("\033["), std::string::npos) << "colour despite --no-color";
    }
    auto doc = nlohmann::json::parse(j1.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << j1.out;
    return doc;
  }
  static Changes ChangesOf(const nlohmann::json& doc) {
    Changes out;
    if (!doc.is_object() || !doc.contains("actions")) return out;
    for (const auto& a : doc["actions"])
      if (a["action"] != "no-op") out[a["address"]] = a["action"];
    return out;
  }
  static const nlohmann::json& ActionOf(const nlohmann::json& doc, const std::string& address) {
    for (const auto& a : doc["actions"])
      if (a["address"] == address) return a;
    static nlohmann::json none;
    ADD_FAILURE() << "no action " << address;
    return none;
  }
  void Apply(const std::vector<std::string>& extra = {}) {
    CliResult r = ws_.Run(Cat({"--no-color", "apply", "--auto-approve"}, extra));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_NE(r.out.find("Apply complete!"), std::string::npos) << r.out;
  }
  void ExpectNoChanges() {
    CliResult r = ws_.Run({"--no-color", "plan", "--detailed-exitcode"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("No changes."), std::string::npos) << r.out;
  }
  // Lines the scripts logged since `before` (ScriptCalls() taken earlier).
  std::vector<std::string> NewCalls(const std::vector<std::string>& before) {
    std::vector<std::string> now = ws_.ScriptCalls(), out;
    std::multiset<std::string> old(before.begin(), before.end());
    for (const auto& c : now) {
      auto it = old.find(c);
      if (it != old.end()) old.erase(it);
      else out.push_back(c);
    }
    return out;
  }
  // Script calls without the bootstrap timestamps.
  static std::vector<std::string> Verbs(const std::vector<std::string>& calls) {
    std::vector<std::string> out;
    for (auto c : calls) {
      auto at = c.find(" at ");
      if (at != std::string::npos) c = c.substr(0, at);
      // "demo-output/demo-app.log: refresh demo-app 1234abcd" → "refresh demo-app"
      auto colon = c.find(": ");
      std::string line = c.substr(colon + 2);
      if (line.rfind("bootstrapped", 0) != 0) line = line.substr(0, line.rfind(' '));
      out.push_back(line);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  LocalWorkspace ws_;
};

TEST_F(PlanGoldenTest, NewCluster) {
  auto doc = Golden("new_cluster");
  EXPECT_EQ(ChangesOf(doc), (Changes{{"node.local-master", "create"},
                                     {"node.local-worker-0", "create"},
                                     {"node.local-worker-1", "create"},
                                     {"render.demo-app/demo-app.yaml", "create"},
                                     {"render.demo-config/demo-config.yaml", "create"},
                                     {"render.demo-store/demo-store.yaml", "create"},
                                     {"service.demo-app", "create"},
                                     {"service.demo-config", "create"},
                                     {"service.demo-store", "create"}}));
  EXPECT_EQ(doc["summary"], (nlohmann::json{{"add", 9}, {"change", 0}, {"destroy", 0}}));
  EXPECT_EQ(ActionOf(doc, "service.demo-store")["depends_on"],
            (nlohmann::json{"node.local-master", "render.demo-store/demo-store.yaml", "service.demo-config"}));
  EXPECT_EQ(ActionOf(doc, "service.demo-app")["after"]["config"]["api-token"], "(sensitive)");
  EXPECT_TRUE(ws_.ScriptCalls().empty()) << "plan ran a script";
}

TEST_F(PlanGoldenTest, ApplyThenPlanHasNoChanges) {
  Apply();
  EXPECT_EQ(Verbs(ws_.ScriptCalls()),
            (std::vector<std::string>{"bootstrapped master node local-master", "bootstrapped worker node local-worker-0",
                                      "bootstrapped worker node local-worker-1", "start demo-app", "start demo-config",
                                      "start demo-store"}));
  auto doc = Golden("no_changes", {}, 0);
  EXPECT_TRUE(ChangesOf(doc).empty());
  EXPECT_EQ(doc["serial"].get<int>() > 0, true);
}

TEST_F(PlanGoldenTest, AddMachine) {
  Apply();
  ws_.Replace("layout.yaml", "    no-drivers: \"true\"\n",
              "    no-drivers: \"true\"\n\n  - hostname: local-worker-2\n    hostip: 127.0.0.23\n"
              "    machine-type: GPU-SMALL\n    nodename: 127.0.0.23\n    k8s-role: worker\n"
              "    transport: local\n    pai-worker: \"true\"\n");
  auto doc = Golden("add_machine");
  EXPECT_EQ(ChangesOf(doc), (Changes{{"node.local-worker-2", "create"},
                                     {"render.demo-config/demo-config.yaml", "update"},
                                     {"service.demo-app", "update"},
                                     {"service.demo-config", "update"}}));
  EXPECT_EQ(ActionOf(doc, "service.demo-app")["depends_on"], (nlohmann::json{"node.local-worker-2", "service.demo-config"}));
  auto before = ws_.ScriptCalls();
  Apply();
  EXPECT_EQ(Verbs(NewCalls(before)), (std::vector<std::string>{"bootstrapped worker node local-worker-2",
                                                               "refresh demo-app", "refresh demo-config"}));
  ExpectNoChanges();
}

// A machine swapped for another leaves the number of selected hosts as it
// was: the service is still refreshed, for the new machine.
TEST_F(PlanGoldenTest, SwappedMachineRefreshesTheServicesThatSelectTheNewOne) {
  Apply();
  std::string layout = ws_.Read("layout.yaml");
  ws_.Write("layout.yaml", layout.substr(0, layout.find("  - hostname: local-worker-1")) +
                               "  - hostname: local-worker-2\n    hostip: 127.0.0.23\n    machine-type: GPU-SMALL\n"
                               "    nodename: 127.0.0.23\n    k8s-role: worker\n    transport: local\n"
                               "    pai-worker: \"true\"\n");
  CliResult r = ws_.Run({"--json", "plan"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  const auto& app = ActionOf(doc, "service.demo-app");
  EXPECT_EQ(app["action"], "update");
  EXPECT_EQ(app["reason"], "machine local-worker-2 added: the deploy-rules select it");
  EXPECT_NE(std::find(app["depends_on"].begin(), app["depends_on"].end(), "node.local-worker-2"),
            app["depends_on"].end());
}

TEST_F(PlanGoldenTest, RemoveMachine) {
  Apply();
  std::string layout = ws_.Read("layout.yaml");
  ws_.Write("layout.yaml", layout.substr(0, layout.find("  - hostname: local-worker-1")));
  auto doc = Golden("remove_machine");
  EXPECT_EQ(ChangesOf(doc), (Changes{{"node.local-worker-1", "delete"},
                                     {"render.demo-config/demo-config.yaml", "update"},
                                     {"service.demo-app", "update"},
                                     {"service.demo-config", "update"}}));
  EXPECT_EQ(doc["summary"], (nlohmann::json{{"add", 0}, {"change", 3}, {"destroy", 1}}));
  auto before = ws_.ScriptCalls();
  Apply();
  EXPECT_EQ(Verbs(NewCalls(before)), (std::vector<std::string>{"refresh demo-app", "refresh demo-config"}));
  EXPECT_FALSE(std::filesystem::exists(ws_.Path(".paiplan/local-nodes/local-worker-1/bootstrap.log")))
      << "clean.sh did not run";
  ExpectNoChanges();
}

TEST_F(PlanGoldenTest, TemplateChangeRefreshesThatServiceOnly) {
  Apply();
  ws_.Replace("services/demo-app/deploy/demo-app.yaml.template", "busybox:1.36", "busybox:1.37");
  auto doc = Golden("template_change");
  EXPECT_EQ(ChangesOf(doc), (Changes{{"render.demo-app/demo-app.yaml", "update"}, {"service.demo-app", "update"}}));
  EXPECT_EQ(ActionOf(doc, "service.demo-app")["depends_on"], (nlohmann::json{"render.demo-app/demo-app.yaml"}));
  EXPECT_NE(ActionOf(doc, "render.demo-app/demo-app.yaml")["diff"].get<std::string>().find("+          image: busybox:1.37"),
            std::string::npos);
  auto before = ws_.ScriptCalls();
  Apply();
  EXPECT_EQ(Verbs(NewCalls(before)), (std::vector<std::string>{"refresh demo-app"}));
  EXPECT_NE(ws_.Read(".paiplan/rendered/demo-app/demo-app.yaml").find("busybox:1.37"), std::string::npos);
  ExpectNoChanges();
}

TEST_F(PlanGoldenTest, ServiceDisabledIsStopped) {
  Apply();
  ws_.Replace("paiplan.yaml", "  - demo-app\n", "");
  auto doc = Golden("service_disabled");
  EXPECT_EQ(ChangesOf(doc), (Changes{{"render.demo-app/demo-app.yaml", "delete"}, {"service.demo-app", "delete"}}));
  EXPECT_EQ(ActionOf(doc, "render.demo-app/demo-app.yaml")["depends_on"], (nlohmann::json{"service.demo-app"}))
      << "the rendered file goes after the service is stopped";
  auto before = ws_.ScriptCalls();
  Apply();
  EXPECT_EQ(Verbs(NewCalls(before)), (std::vector<std::string>{"stop demo-app"})) << "stop, not delete";
  ExpectNoChanges();
}

TEST_F(PlanGoldenTest, PrerequisiteAdded) {
  Apply();
  // A new service demo-cache, which demo-app now needs.
  ws_.Write("services/demo-cache/deploy/service.yaml",
            "prerequisite: []\ntemplate-list:\n  - cache.conf\nstart-script: start.sh\nstop-script: stop.sh\n"
            "refresh-script: start.sh\ndeploy-rules:\n  - in: pai-master\n");
  ws_.Write("services/demo-cache/deploy/cache.conf.template", "size={{ cluster_cfg['demo-cache']['size'] }}\n");
  ws_.Write("services/demo-cache/config/demo-cache.yaml", "size: 64m\n");
  for (const char* verb : {"start", "stop"}) {
    ws_.Write(std::string("services/demo-cache/deploy/") + verb + ".sh",
              std::string("set -eu\nmkdir -p \"$PAIPLAN_WORKSPACE/demo-output\"\necho \"") + verb +
                  " demo-cache x\" >> \"$PAIPLAN_WORKSPACE/demo-output/demo-cache.log\"\n");
  }
  ws_.Replace("paiplan.yaml", "  - demo-app\n", "  - demo-app\n  - demo-cache\n");
  ws_.Replace("services/demo-app/deploy/service.yaml", "  - demo-config\n", "  - demo-config\n  - demo-cache\n");
  auto doc = Golden("prerequisite_added");
  EXPECT_EQ(ChangesOf(doc), (Changes{{"render.demo-cache/cache.conf", "create"},
                                     {"service.demo-app", "update"},
                                     {"service.demo-cache", "create"}}));
  EXPECT_EQ(ActionOf(doc, "service.demo-app")["depends_on"], (nlohmann::json{"service.demo-cache"}));
  EXPECT_NE(ActionOf(doc, "service.demo-app")["reason"].get<std::string>().find("prerequisites changed"),
            std::string::npos);
  auto before = ws_.ScriptCalls();
  Apply();
  EXPECT_EQ(Verbs(NewCalls(before)), (std::vector<std::string>{"refresh demo-app", "start demo-cache"}));
  ExpectNoChanges();
}

TEST_F(PlanGoldenTest, TargetKeepsItsPrerequisites) {
  auto doc = Golden("target", {"--target", "service.demo-store"});
  EXPECT_EQ(ChangesOf(doc), (Changes{{"node.local-master", "create"},
                                     {"render.demo-config/demo-config.yaml", "create"},
                                     {"render.demo-store/demo-store.yaml", "create"},
                                     {"service.demo-config", "create"},
                                     {"service.demo-store", "create"}}));
  EXPECT_EQ(ActionOf(doc, "service.demo-app")["notes"], (nlohmann::json{"left out by --target/--exclude: create"}));
  Apply({"--target", "service.demo-store"});
  EXPECT_EQ(Verbs(ws_.ScriptCalls()), (std::vector<std::string>{"bootstrapped master node local-master",
                                                                "start demo-config", "start demo-store"}));
  // The rest is still to do.
  CliResult r = ws_.Run({"--json", "plan"});
  EXPECT_EQ(ChangesOf(nlohmann::json::parse(r.out)),
            (Changes{{"node.local-worker-0", "create"}, {"node.local-worker-1", "create"},
                     {"render.demo-app/demo-app.yaml", "create"}, {"service.demo-app", "create"}}));
}

TEST_F(PlanGoldenTest, ExcludeLeavesOutItsDependents) {
  auto doc = Golden("exclude", {"--exclude", "service.demo-store"});
  EXPECT_EQ(ChangesOf(doc), (Changes{{"node.local-master", "create"},
                                     {"node.local-worker-0", "create"},
                                     {"node.local-worker-1", "create"},
                                     {"render.demo-app/demo-app.yaml", "create"},
                                     {"render.demo-config/demo-config.yaml", "create"},
                                     {"render.demo-store/demo-store.yaml", "create"},
                                     {"service.demo-config", "create"}}));
}

TEST_F(PlanGoldenTest, UnknownTargetIsAnError) {
  CliResult r = ws_.Run({"--no-color", "plan", "--target", "service.nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--target service.nope: no such resource"), std::string::npos) << r.err;
}

TEST_F(PlanGoldenTest, DetailedExitcodeWithoutTheFlagIsZero) {
  CliResult r = ws_.Run({"--no-color", "plan"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Plan: 9 to add, 0 to change, 0 to destroy."), std::string::npos);
}

}  // namespace
}  // namespace paiplan
