// No orphans: a local script (and what it started, even ignoring SIGTERM)
// dies with its paiplan when paiplan is killed with SIGKILL.
#include <signal.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

TEST(FleetOrphanTest, AScriptAndItsChildrenDieWhenPaiplanIsKilled) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "hang");  // ignores SIGTERM; its child too
  auto a = ws.Start({"apply", "--auto-approve"});
  std::string pids_file = ws.Path("control/t-base.start.pids");
  pid_t leader = 0, pgid = 0, child = 0;
  for (int i = 0; i < 3000 && pgid == 0 && a->Running() && !a->TryWait(); ++i) {
    std::ifstream in(pids_file);
    if (!(in >> leader >> pgid >> child)) pgid = 0;
    if (pgid == 0) SleepMs(10);
  }
  ASSERT_GT(pgid, 0) << "the hanging script did not start: " << a->OutputSoFar();
  ASSERT_TRUE(GroupAlive(pgid));
  a->Signal(SIGKILL);
  EXPECT_EQ(a->Wait().term_signal, SIGKILL);
  // The guard sends SIGTERM (ignored here), then SIGKILL after 2 s.
  for (int i = 0; i < 1500 && (GroupAlive(pgid) || ProcessAlive(child)); ++i) SleepMs(10);
  bool survived = GroupAlive(pgid) || ProcessAlive(child);
  if (survived) ::kill(-pgid, SIGKILL), ::kill(child, SIGKILL);  // stop what the test started
  EXPECT_FALSE(survived) << "the script's process group outlived its paiplan";
  // The next apply runs the start again, alone (nothing of the old one runs).
  ws.Clear("t-base", "start", "hang");
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  for (const auto& c : ws.Calls()) EXPECT_FALSE(c.Running()) << c.service << " " << c.action;
}

}  // namespace
}  // namespace paiplan::integration
