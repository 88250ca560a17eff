// `plan|apply --replace ADDR` through the real binary: the resource is
// planned as a replacement ("replacement requested") with its direct
// dependents updated, a service's replacement runs stop then start, and an
// unknown address is a clear error that changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// t-app needs t-store and t-cache, which need t-base; t-side stands alone.
const char* kReplaceStorePlan =
    "paiplan will perform the following actions:\n"
    "\n"
    "  # service.t-app will be updated in-place\n"
    "  ~ service.t-app\n"
    "      reason: follows the replacement of service.t-store\n"
    "      after: service.t-store\n"
    "\n"
    "  # service.t-store must be replaced\n"
    "  -/+ service.t-store\n"
    "      reason: replacement requested\n"
    "\n"
    "Plan: 1 to add, 1 to change, 1 to destroy.\n";

TEST(CliReplaceTest, PlansTheReplacementAndItsDependents) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  RunResult r = ws.Paiplan({"plan", "--replace", "service.t-store", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2) << r.All();
  EXPECT_EQ(r.out, kReplaceStorePlan);

  r = ws.Paiplan({"--json", "plan", "--replace", "service.t-store"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = nlohmann::json::parse(r.out);
  std::map<std::string, std::pair<std::string, std::string>> changes;
  for (const auto& a : j["actions"])
    if (a["action"] != "no-op") changes[a["address"]] = {a["action"], a["reason"]};
  std::map<std::string, std::pair<std::string, std::string>> want = {
      {"service.t-app", {"update", "follows the replacement of service.t-store"}},
      {"service.t-store", {"replace", "replacement requested"}}};
  EXPECT_EQ(changes, want);
  // Without the flag nothing changes: the replacement came from --replace.
  EXPECT_TRUE(ws.Plan().empty());
}

TEST(CliReplaceTest, ApplyReplaceStopsAndStartsTheServiceThenRefreshesItsDependent) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.ResetCalls();
  RunResult r = ws.Paiplan({"apply", "--auto-approve", "--replace", "service.t-store"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_THAT(r.out, HasSubstr("service.t-store: Replacement complete"));
  std::vector<std::string> seen;
  for (const auto& c : ws.Calls()) seen.push_back(c.service + " " + c.action + " " + c.status);
  EXPECT_EQ(seen, (std::vector<std::string>{"t-store stop ok", "t-store start ok", "t-app refresh ok"}));
  EXPECT_TRUE(ws.Plan().empty()) << "the replacement left work behind";
}

TEST(CliReplaceTest, ReplacingANodeRebootstrapsIt) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  auto plan = ws.Paiplan({"--json", "plan", "--replace", "node.node-0"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  auto j = nlohmann::json::parse(plan.out);
  int replaced = 0;
  for (const auto& a : j["actions"]) {
    if (a["address"] == "node.node-0") {
      EXPECT_EQ(a["action"], "replace");
      EXPECT_EQ(a["reason"], "replacement requested");
      ++replaced;
    }
  }
  EXPECT_EQ(replaced, 1);
  std::string before = ws.StatePull()["resources"]["node.node-0"]["updated_at"];
  RunResult r = ws.Paiplan({"apply", "--auto-approve", "--replace", "node.node-0"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_THAT(r.out, HasSubstr("node.node-0: Replacement complete"));
  auto rec = ws.StatePull()["resources"]["node.node-0"];
  EXPECT_EQ(rec["last_action"], "replace");
  EXPECT_TRUE(ws.Plan().empty());
}

TEST(CliReplaceTest, UnknownOrDestroyedAddressIsAClearErrorAndChangesNothing) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string before = ws.Paiplan({"state", "pull"}).out;
  ws.ResetCalls();
  RunResult r = ws.Paiplan({"plan", "--replace", "service.nope"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("--replace service.nope: no such resource in the workspace or the state"));
  r = ws.Paiplan({"apply", "--auto-approve", "--replace", "service.nope"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("--replace service.nope: no such resource"));
  // A service dropped from the workspace is destroyed, not replaced.
  WriteFile(ws.Path("paiplan.yaml"),
            "enabled-services: [t-base, t-store, t-cache, t-app]\nservice-paths: [services]\n"
            "kubernetes: {enabled: false}\nretry: {attempts: 1}\n");
  r = ws.Paiplan({"plan", "--replace", "service.t-side"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("service.t-side is no longer in the workspace"));
  EXPECT_TRUE(ws.Calls().empty());
  EXPECT_EQ(ws.Paiplan({"state", "pull"}).out, before);
}

TEST(CliReplaceTest, SavedReplacementPlanAppliesAndTakesNoNewReplaceFlag) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string file = ws.Path("replace.plan");
  ASSERT_EQ(ws.Paiplan({"plan", "--replace", "service.t-side", "-o", file}).exit_code, 0);
  RunResult r = ws.Paiplan({"apply", file, "--replace", "service.t-base"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("cannot be used with a saved plan"));
  ws.ResetCalls();
  r = ws.Paiplan({"apply", file});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  std::vector<std::string> seen;
  for (const auto& c : ws.Calls()) seen.push_back(c.service + " " + c.action);
  EXPECT_EQ(seen, (std::vector<std::string>{"t-side stop", "t-side start"}));
}

}  // namespace
}  // namespace paiplan::integration
