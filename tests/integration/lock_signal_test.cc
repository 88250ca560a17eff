// The state lock between real processes, no lock left after kill -9,
// and SIGINT in the middle of an apply.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Waits until every script call that began has ended (orphans of a killed paiplan).
void WaitForScriptsToEnd(const TestWorkspace& ws) {
  for (int i = 0; i < 1000; ++i) {
    bool open = false;
    for (const auto& c : ws.Calls()) open = open || c.Running();
    if (!open) return;
    SleepMs(10);
  }
  ADD_FAILURE() << "scripts still running 10 s after their paiplan was killed";
}

std::set<std::string> Succeeded(const nlohmann::json& state) {
  std::set<std::string> out;
  if (!state.contains("resources")) return out;
  for (const auto& [a, r] : state["resources"].items())
    if (r.value("last_outcome", "") != "failed") out.insert(a);
  return out;
}

TEST(IntegLockTest, TwoRacingAppliesExactlyOneProceeds) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "wait");  // whoever holds the lock keeps it until released
  auto a = ws.Start({"apply", "--auto-approve"});
  auto b = ws.Start({"apply", "--auto-approve"});
  // The loser exits on its own; if both proceeded, both block at the gate
  // until the bound, and the checks below fail.
  for (int i = 0; i < 1500 && !a->TryWait() && !b->TryWait(); ++i) SleepMs(10);
  ws.Set("t-base", "start", "release");
  RunResult ra = a->Wait(), rb = b->Wait();
  RunResult& won = ra.exit_code == 0 ? ra : rb;
  RunResult& lost = ra.exit_code == 0 ? rb : ra;
  ASSERT_EQ(won.exit_code, 0) << "A: " << ra.All() << "\nB: " << rb.All();
  EXPECT_EQ(lost.exit_code, 1) << lost.All();
  EXPECT_THAT(lost.err, HasSubstr("state locked by "));
  EXPECT_THAT(lost.err, Not(HasSubstr("stale")));
  EXPECT_THAT(lost.out, Not(HasSubstr("Creating...")));
  std::map<std::string, int> starts;
  for (const auto& c : ws.Calls("start")) ++starts[c.service];
  EXPECT_EQ(starts.size(), 5u);
  for (const auto& [s, n] : starts) EXPECT_EQ(n, 1) << s << " was started by both applies";
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(IntegLockTest, AKilledApplyLeavesNoLockBehind) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "sleep", "1");
  auto a = ws.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitForBegin(ws, *a, "t-base", "start"));
  a->Signal(SIGKILL);
  RunResult ra = a->Wait();
  EXPECT_EQ(ra.term_signal, SIGKILL);
  WaitForScriptsToEnd(ws);

  // The kernel released the flock with the process: no force-unlock needed.
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_THAT(r.err, Not(HasSubstr("state locked by ")));
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(IntegSignalTest, SigintLetsTheRunningActionFinishStartsNothingAndPlanShowsTheRest) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "wait");
  auto a = ws.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitForBegin(ws, *a, "t-base", "start"));
  a->Signal(SIGINT);
  SleepMs(200);  // t-base must still be running when the signal is handled: it waits for this release
  ws.Set("t-base", "start", "release");
  RunResult r = a->Wait();
  EXPECT_EQ(r.exit_code, 130) << r.All();
  EXPECT_THAT(r.out, HasSubstr("Interrupted"));

  auto base = ws.Find("t-base", "start");
  ASSERT_TRUE(base);
  EXPECT_TRUE(base->Finished()) << "the running start-script was not allowed to finish";
  EXPECT_EQ(base->status, "ok");
  for (const char* s : {"t-store", "t-cache", "t-app"})
    EXPECT_FALSE(ws.Find(s, "start")) << s << " was started after SIGINT";
  nlohmann::json state = ws.StatePull();
  std::set<std::string> done = Succeeded(state);
  EXPECT_TRUE(done.count("service.t-base")) << "the finished action was not recorded: " << state.dump();

  // The plan is exactly what the state does not have yet.
  auto plan = ws.Plan();
  std::set<std::string> planned;
  for (const auto& [addr, x] : plan) {
    planned.insert(addr);
    EXPECT_EQ(x.first, "create") << addr;
  }
  std::set<std::string> expected;
  for (const char* a : {"node.node-0", "render.t-app/t-app.conf", "render.t-base/t-base.conf",
                        "render.t-cache/t-cache.conf", "render.t-side/t-side.conf", "render.t-store/t-store.conf",
                        "service.t-app", "service.t-base", "service.t-cache", "service.t-side", "service.t-store"})
    if (!done.count(a)) expected.insert(a);
  EXPECT_EQ(planned, expected);
  EXPECT_TRUE(planned.count("service.t-app") && planned.count("service.t-store") && planned.count("service.t-cache"));

  ws.ResetCalls();
  RunResult r2 = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(r2.exit_code, 0) << r2.All();
  EXPECT_FALSE(ws.Find("t-base", "start")) << "the finished t-base start was repeated";
  EXPECT_TRUE(ws.Find("t-app", "start"));
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(IntegSignalTest, SigtermBehavesLikeSigint) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "wait");
  auto a = ws.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitForBegin(ws, *a, "t-base", "start"));
  a->Signal(SIGTERM);
  SleepMs(200);
  ws.Set("t-base", "start", "release");
  RunResult r = a->Wait();
  EXPECT_EQ(r.exit_code, 130) << r.All();
  auto base = ws.Find("t-base", "start");
  ASSERT_TRUE(base);
  EXPECT_EQ(base->status, "ok") << "the running start-script was not allowed to finish";
  EXPECT_FALSE(ws.Find("t-store", "start"));
  EXPECT_TRUE(Succeeded(ws.StatePull()).count("service.t-base"));
  // The lock was released: the next apply runs and finishes the rest.
  RunResult r2 = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(r2.exit_code, 0) << r2.All();
}

}  // namespace
}  // namespace paiplan::integration
