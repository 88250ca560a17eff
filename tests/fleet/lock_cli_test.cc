// The state lock through the real binary: a live holder is never broken by
// force-unlock, --lock-timeout (and paiplan.yaml lock-timeout) waits for the
// holder and proceeds when it finishes, or fails naming it.
#include <signal.h>

#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string LockIdIn(const std::string& message) {
  std::smatch m;
  if (std::regex_search(message, m, std::regex("lock id ([0-9a-f]+)"))) return m[1];
  return "";
}

// Waits (bounded) until the background command's stderr contains `text`.
bool WaitForStderr(Child& c, const std::string& text) {
  for (int i = 0; i < 3000; ++i) {
    if (c.ErrorSoFar().find(text) != std::string::npos) return true;
    if (c.TryWait()) return c.ErrorSoFar().find(text) != std::string::npos;
    SleepMs(10);
  }
  return false;
}

TEST(FleetLockCliTest, ForceUnlockNeverBreaksALiveHolderOnThisHost) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "wait");
  auto a = ws.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitForBegin(ws, *a, "t-base", "start"));
  RunResult b = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(b.exit_code, 1) << b.All();
  EXPECT_THAT(b.err, HasSubstr("state locked by "));
  EXPECT_THAT(b.err, HasSubstr("(pid " + std::to_string(a->pid()) + ", apply)"));
  std::string id = LockIdIn(b.err);
  ASSERT_FALSE(id.empty()) << b.err;
  RunResult u = ws.Paiplan({"force-unlock", id});
  EXPECT_EQ(u.exit_code, 1) << u.All();
  EXPECT_THAT(u.err, HasSubstr("held by a live process on this host"));
  ws.Set("t-base", "start", "release");
  RunResult ra = a->Wait();
  EXPECT_EQ(ra.exit_code, 0) << ra.All();
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(FleetLockCliTest, LockTimeoutWaitsForTheHolderAndProceedsWhenItFinishes) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "wait");
  auto a = ws.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitForBegin(ws, *a, "t-base", "start"));
  auto b = ws.Start({"state", "rm", "--lock-timeout", "5m", "node.node-0"});
  ASSERT_TRUE(WaitForStderr(*b, "Waiting up to 5m for the state lock: state locked by "))
      << b->ErrorSoFar();
  EXPECT_THAT(b->ErrorSoFar(), HasSubstr("(pid " + std::to_string(a->pid()) + ", apply)"));
  EXPECT_TRUE(b->Running()) << "the waiter gave up while the holder ran";
  ws.Set("t-base", "start", "release");
  RunResult ra = a->Wait();
  ASSERT_EQ(ra.exit_code, 0) << ra.All();
  RunResult rb = b->Wait();
  EXPECT_EQ(rb.exit_code, 0) << rb.All();
  EXPECT_THAT(rb.err, HasSubstr("Acquired the state lock after "));
  EXPECT_THAT(rb.out, HasSubstr("Removed 1 resource(s)"));
  nlohmann::json state = ws.StatePull();
  EXPECT_FALSE(state["resources"].contains("node.node-0")) << state.dump();
  EXPECT_TRUE(state["resources"].contains("service.t-app")) << "the apply did not finish first";
}

TEST(FleetLockCliTest, LockTimeoutExpiresNamingTheHolderFromTheFlagOrPaiplanYaml) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "wait");
  auto a = ws.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitForBegin(ws, *a, "t-base", "start"));
  // t-side needs nothing and starts beside t-base: count the holder's calls
  // once both began (the rest wait for t-base).
  ASSERT_TRUE(WaitForBegin(ws, *a, "t-side", "start"));
  size_t calls = ws.Calls().size();
  std::string holder = "(pid " + std::to_string(a->pid()) + ", apply)";

  RunResult flag = ws.Paiplan({"apply", "--auto-approve", "--lock-timeout", "1s"});
  EXPECT_EQ(flag.exit_code, 1) << flag.All();
  EXPECT_THAT(flag.err, HasSubstr("Waiting up to 1s for the state lock: state locked by "));
  EXPECT_THAT(flag.err, HasSubstr("error: timed out after 1s waiting for the state lock: state locked by "));
  EXPECT_THAT(flag.err, HasSubstr(holder));

  ws.WriteSettings("lock-timeout: 2s");
  RunResult setting = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(setting.exit_code, 1) << setting.All();
  EXPECT_THAT(setting.err, HasSubstr("timed out after 2s waiting for the state lock: "));
  EXPECT_THAT(setting.err, HasSubstr(holder));
  RunResult overridden = ws.Paiplan({"apply", "--auto-approve", "--lock-timeout", "0"});
  EXPECT_EQ(overridden.exit_code, 1) << overridden.All();
  EXPECT_THAT(overridden.err, Not(HasSubstr("Waiting up to")));
  EXPECT_EQ(ws.Calls().size(), calls) << "a refused apply ran scripts";

  RunResult bad = ws.Paiplan({"apply", "--auto-approve", "--lock-timeout", "soon"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.All(), HasSubstr("\"soon\" is not a duration"));
  ws.Set("t-base", "start", "release");
  EXPECT_EQ(a->Wait().exit_code, 0);
}

}  // namespace
}  // namespace paiplan::integration
