// `paiplan drift` on workspaces of recording test services: per-service
// status probes (status-script), a workspace with no recorded state, a JUnit
// file that cannot be written, and drift while an apply holds the state lock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int CountCalls(const TestWorkspace& ws, const std::string& service, const std::string& action) {
  int n = 0;
  for (const auto& c : ws.Calls(action)) n += c.service == service;
  return n;
}

class DriftProbeTest : public ::testing::Test {
 protected:
  void Applied() {
    RunResult apply = ws_.Paiplan({"apply", "--auto-approve"});
    ASSERT_EQ(apply.exit_code, 0) << apply.All();
  }
  TestWorkspace ws_{{"t-base", "t-probe"}};
};

// The probe runs like the other scripts (bash, in the rendered working copy,
// PAIPLAN_ACTION=status) for a started service, by drift and by plan.
TEST_F(DriftProbeTest, PassingProbeRunsInTheWorkingCopyAndIsNoDrift) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  EXPECT_EQ(CountCalls(ws_, "t-probe", "status"), 0) << "not started yet when the apply planned";
  RunResult drift = ws_.Paiplan({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.All();
  EXPECT_EQ(CountCalls(ws_, "t-probe", "status"), 1);
  EXPECT_EQ(CountCalls(ws_, "t-base", "status"), 0) << "t-base has no status-script";
  std::string env = ReadFileOr(ws_.Path("probe.env"));
  EXPECT_THAT(env, HasSubstr("status " + ws_.Path(".paiplan/rendered/t-probe") + "\n"));
  EXPECT_THAT(env, Not(HasSubstr("unset")));
  EXPECT_EQ(ws_.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
  EXPECT_EQ(CountCalls(ws_, "t-probe", "status"), 2);
  EXPECT_EQ(ws_.Paiplan({"plan", "--refresh=false"}).exit_code, 0);
  EXPECT_EQ(CountCalls(ws_, "t-probe", "status"), 2) << "no refresh, no probe";
}

TEST_F(DriftProbeTest, FailingProbeIsDriftAndThePlanRerunsTheStartScript) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  ws_.Set("t-probe", "status", "fail");
  RunResult drift = ws_.Paiplan({"drift"});
  EXPECT_EQ(drift.exit_code, 2) << drift.All();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    service.t-probe (service): status probe failed (exit 1): "
                                   "t-probe: status fail (config "));
  EXPECT_THAT(drift.out, HasSubstr("Drift: 1 drifted, 0 ignored, 0 could not be observed"));
  EXPECT_THAT(ReadFileOr(ws_.Path(".paiplan/status/t-probe.log")), HasSubstr("t-probe: status fail"));
  RunResult json = ws_.Paiplan({"drift", "--json"});
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.All();
  ASSERT_EQ(j["resources"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["resources"][0]["differences"][0]["attribute"], "status");

  auto plan = ws_.Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan["service.t-probe"].first, "update");
  EXPECT_THAT(plan["service.t-probe"].second, HasSubstr("status probe failed (exit 1): t-probe: status fail"));
  EXPECT_THAT(ws_.Paiplan({"plan"}).out, HasSubstr("note: repair: runs the start-script again"));

  // The probe fails once (the apply's own plan sees it), then passes after the repair.
  ws_.Clear("t-probe", "status", "fail");
  ws_.Set("t-probe", "status", "failtimes", "1");
  ws_.ResetCalls();
  RunResult apply = ws_.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.All();
  EXPECT_EQ(CountCalls(ws_, "t-probe", "start"), 1) << "the repair is the start-script";
  EXPECT_EQ(CountCalls(ws_, "t-probe", "refresh"), 0);
  EXPECT_EQ(CountCalls(ws_, "t-probe", "status"), 2) << "probed by the plan and after the repair";
  EXPECT_EQ(ws_.Paiplan({"drift"}).exit_code, 0);
  EXPECT_EQ(ws_.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

// The probe gets the service's script timeout, and a hung probe is drift.
TEST_F(DriftProbeTest, HungProbeTimesOutAsDrift) {
  ws_.WriteSettings("scripts:\n  timeouts:\n    t-probe: 1\n");
  ASSERT_NO_FATAL_FAILURE(Applied());
  ws_.Set("t-probe", "status", "sleep", "30");
  RunResult drift = ws_.Paiplan({"drift"}, 25);
  EXPECT_EQ(drift.exit_code, 2) << drift.All();
  EXPECT_THAT(drift.out, HasSubstr("service.t-probe (service): status probe timed out after 1 s"));
}

// A probe with an address+attribute ignore rule is listed, not counted.
TEST_F(DriftProbeTest, IgnoredProbeFailureExitsZero) {
  ws_.WriteSettings("drift:\n  ignore:\n    - address: \"service.t-*\"\n      attribute: status\n"
                    "      reason: flaky probe\n");
  ASSERT_NO_FATAL_FAILURE(Applied());
  ws_.Set("t-probe", "status", "fail");
  RunResult drift = ws_.Paiplan({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.All();
  EXPECT_THAT(drift.out, HasSubstr("ignored  service.t-probe (service): status probe failed (exit 1)"));
  EXPECT_THAT(drift.out, HasSubstr("— ignored: flaky probe"));
}

TEST(DriftStateTest, NoRecordedStateIsAnError) {
  TestWorkspace ws({"t-base"});
  RunResult drift = ws.Paiplan({"drift"});
  EXPECT_EQ(drift.exit_code, 1) << drift.All();
  EXPECT_THAT(drift.err, HasSubstr("no recorded state"));
  EXPECT_THAT(drift.err, HasSubstr("run `paiplan apply` first"));
  EXPECT_THAT(drift.out, Not(HasSubstr("resources checked")));
  ASSERT_EQ(ws.Paiplan({"init"}).exit_code, 0);
  RunResult after_init = ws.Paiplan({"drift", "--json"});
  EXPECT_EQ(after_init.exit_code, 1) << "an initialised but never applied state: " << after_init.All();
  EXPECT_THAT(after_init.err, HasSubstr("no recorded state"));
}

TEST(DriftStateTest, UnwritableJunitFileIsAnError) {
  TestWorkspace ws({"t-base"});
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  RunResult drift = ws.Paiplan({"drift", "--junit", ws.Path("no-such-dir/drift.xml")});
  EXPECT_EQ(drift.exit_code, 1) << drift.All();
  EXPECT_THAT(drift.err, HasSubstr("cannot write the JUnit report"));
  EXPECT_THAT(drift.out, HasSubstr("Drift: 0 drifted")) << "the report is still printed";
}

// drift takes no lock: it runs while an apply holds it (blocked in a gated
// refresh-script), and changes nothing (same serial before and after).
TEST(DriftStateTest, DriftRunsWhileAnApplyHoldsTheLockAndLeavesTheSerial) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.WriteServicesConfig("t-side:\n  value: t-side-v2\n");
  ws.Set("t-side", "refresh", "wait");
  auto apply = ws.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitForBegin(ws, *apply, "t-side", "refresh"));
  RunResult second = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(second.exit_code, 1) << second.All();
  ASSERT_THAT(second.err, HasSubstr("state locked by ")) << "the first apply must hold the lock now";

  uint64_t before = ws.StatePull().value("serial", uint64_t(0));
  RunResult drift = ws.Paiplan({"drift", "--json"});
  EXPECT_EQ(drift.exit_code, 0) << drift.All();
  auto j = nlohmann::json::parse(drift.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << drift.All();
  EXPECT_EQ(j["serial"], before);
  EXPECT_EQ(j["checked"].get<int>(), 11) << j.dump(2);
  EXPECT_EQ(ws.StatePull().value("serial", uint64_t(0)), before) << "drift changed the state";
  EXPECT_TRUE(apply->Running()) << "the apply is still blocked: the serial was compared under its lock";

  ws.Set("t-side", "refresh", "release");
  RunResult done = apply->Wait();
  EXPECT_EQ(done.exit_code, 0) << done.All();
  EXPECT_GT(ws.StatePull().value("serial", uint64_t(0)), before);
}

}  // namespace
}  // namespace paiplan::integration
