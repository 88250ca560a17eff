// Saved plans through the real binary: `plan -o F` then `apply F`; a plan
// whose workspace or state moved on is refused as stale and changes nothing;
// `show F` / `show --json F` print it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/plan/cli_harness.h"

namespace paiplan {
namespace {

using testing_util::CliResult;
using testing_util::ExpectGolden;
using testing_util::LocalWorkspace;

class SavedPlanTest : public ::testing::Test {
 protected:
  std::string PlanFile() { return ws_.Path("saved.plan"); }
  void SavePlan() {
    CliResult r = ws_.Run({"--no-color", "plan", "-o", PlanFile()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_NE(r.out.find("Saved the plan to"), std::string::npos) << r.out;
  }
  void ApplyNow() {
    CliResult r = ws_.Run({"--no-color", "apply", "--auto-approve"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  uint64_t Serial() {
    CliResult r = ws_.Run({"state", "pull"});
    if (r.exit_code != 0) return 0;  // no state yet
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    return doc.is_object() ? doc.value("serial", uint64_t(0)) : 0;
  }
  // Applying the saved plan must fail as stale and change nothing.
  void ExpectStale(const std::string& why) {
    uint64_t serial = Serial();
    auto calls = ws_.ScriptCalls();
    CliResult r = ws_.Run({"--no-color", "apply", PlanFile()});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("plan is stale"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_EQ(Serial(), serial) << "the state changed";
    EXPECT_EQ(ws_.ScriptCalls(), calls) << "a script ran";
  }

  LocalWorkspace ws_;
};

TEST_F(SavedPlanTest, SavedPlanApplies) {
  SavePlan();
  EXPECT_TRUE(ws_.ScriptCalls().empty());
  CliResult r = ws_.Run({"--no-color", "apply", PlanFile()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Apply complete! Actions: 9 done, 0 failed, 0 skipped, 0 not started."), std::string::npos)
      << r.out;
  EXPECT_EQ(ws_.ScriptCalls().size(), 6u);  // 3 bootstraps, 3 starts
  CliResult p = ws_.Run({"--no-color", "plan", "--detailed-exitcode"});
  EXPECT_EQ(p.exit_code, 0) << p.out;
}

TEST_F(SavedPlanTest, SavedPlanFileIsPrivate) {
  SavePlan();
  auto perms = std::filesystem::status(PlanFile()).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none)
      << "plan files hold exact values (secrets): mode 0600";
}

TEST_F(SavedPlanTest, AppliedTwiceRunsNothingTheSecondTime) {
  SavePlan();
  CliResult r = ws_.Run({"--no-color", "apply", PlanFile()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto calls = ws_.ScriptCalls();
  CliResult again = ws_.Run({"--no-color", "apply", PlanFile()});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("9 actions were done by an earlier run of this plan and are skipped"), std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find("The saved plan has no changes."), std::string::npos) << again.out;
  EXPECT_EQ(ws_.ScriptCalls(), calls) << "a script ran twice";
}

TEST_F(SavedPlanTest, AnUnrelatedStateChangeDoesNotMakeItStale) {
  ApplyNow();
  ws_.Replace("services/demo-app/deploy/demo-app.yaml.template", "busybox:1.36", "busybox:1.37");
  SavePlan();
  CliResult other = ws_.Run({"--no-color", "state", "rm", "node.local-worker-1"});  // not in the plan
  ASSERT_EQ(other.exit_code, 0) << other.out << other.err;
  CliResult r = ws_.Run({"--no-color", "apply", PlanFile()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Apply complete!"), std::string::npos) << r.out;
}

TEST_F(SavedPlanTest, WorkspaceEditMakesItStale) {
  ApplyNow();
  ws_.Replace("services/demo-app/deploy/demo-app.yaml.template", "busybox:1.36", "busybox:1.37");
  SavePlan();
  ws_.Replace("services-configuration.yaml", "replicas: 2", "replicas: 3");
  ExpectStale("the workspace files changed since the plan was made");
}

TEST_F(SavedPlanTest, RoleFileEditMakesItStale) {
  SavePlan();
  ws_.Replace("roles/worker/bootstrap.sh", "set -euo pipefail\n", "set -euo pipefail\n# edited\n");
  ExpectStale("the workspace files changed");
}

TEST_F(SavedPlanTest, StateMovedByAnotherApplyMakesItStale) {
  ApplyNow();
  ws_.Replace("services/demo-app/deploy/demo-app.yaml.template", "busybox:1.36", "busybox:1.37");
  SavePlan();
  // Someone applies part of it in between: the serial moves.
  CliResult r = ws_.Run({"--no-color", "apply", "--auto-approve", "--target", "render.demo-app/demo-app.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ExpectStale("render.demo-app/demo-app.yaml changed since the plan (serial ");
}

TEST_F(SavedPlanTest, PlanMadeBeforeTheFirstApplyIsStaleAfterIt) {
  SavePlan();  // no state yet: empty lineage, serial 0
  ApplyNow();
  ExpectStale("plan is stale");
}

TEST_F(SavedPlanTest, NotAPlanFile) {
  ws_.Write("saved.plan", "{\"hello\": 1}\n");
  CliResult r = ws_.Run({"--no-color", "apply", PlanFile()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a paiplan plan file"), std::string::npos) << r.err;
  EXPECT_TRUE(ws_.ScriptCalls().empty());
}

TEST_F(SavedPlanTest, ShowPrintsTheSavedPlan) {
  ApplyNow();
  ws_.Replace("services/demo-app/deploy/demo-app.yaml.template", "busybox:1.36", "busybox:1.37");
  CliResult planned = ws_.Run({"--no-color", "plan", "-o", PlanFile()});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  CliResult show = ws_.Run({"--no-color", "show", PlanFile()});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  // Same text as `plan` printed, without its "Saved the plan" trailer.
  std::string plan_text = planned.out.substr(0, planned.out.find("\nSaved the plan to"));
  EXPECT_EQ(show.out, plan_text);
  ExpectGolden("saved_plan/show.txt", ws_.Normalize(show.out));
  CliResult js = ws_.Run({"--json", "show", PlanFile()});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto doc = nlohmann::json::parse(js.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << js.out;
  EXPECT_EQ(doc["format_version"], 1);
  EXPECT_EQ(doc["summary"], (nlohmann::json{{"add", 0}, {"change", 2}, {"destroy", 0}}));
  EXPECT_FALSE(doc["actions"][0].contains("content")) << "show --json is the documented plan document, not the file";
  ExpectGolden("saved_plan/show.json", ws_.Normalize(js.out));
  for (const auto* r : {&show, &js}) {
    EXPECT_EQ(r->out.find("demo-token-value"), std::string::npos) << "secret printed by show";
    EXPECT_EQ(r->out.find("demo-password"), std::string::npos) << "secret printed by show";
  }
}

TEST_F(SavedPlanTest, SavedPlanWithNoChanges) {
  ApplyNow();
  SavePlan();
  CliResult r = ws_.Run({"--no-color", "apply", PlanFile()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("The saved plan has no changes."), std::string::npos) << r.out;
}

}  // namespace
}  // namespace paiplan
