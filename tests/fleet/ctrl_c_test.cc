// Ctrl-C at a terminal (under util-linux `script`, a real pseudo-terminal):
// the first is acknowledged at once and the live line stops; the second stops
// the running script (SIGTERM, then SIGKILL: this one ignores SIGTERM),
// records it as interrupted, not done, and exits 130.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Waits (bounded, 30 s: a safety net) until `file` has a line matching `re`.
std::string WaitFor(const std::string& file, const std::string& re) {
  return "i=0; while ! grep -qE " + Quote(re) + " " + Quote(file) + " 2>/dev/null && [ $i -lt 600 ]; do "
         "sleep 0.05; i=$((i+1)); done; ";
}

TEST(FleetCtrlCTest, FirstCtrlCIsAcknowledgedSecondStopsTheRunningScript) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "hang");  // ignores SIGTERM, as does its child
  std::string typescript = ws.Path("typescript");
  std::string cmd = "exec " + Quote(PaiplanBinary()) + " -C " + Quote(ws.root()) + " apply --auto-approve";
  // The "typist": Ctrl-C once t-base's start-script runs, again once the
  // first was acknowledged; then stays until paiplan is done.
  // (Waiting for its pids file: the script ignores SIGTERM from then on.)
  std::string typist = "( " + WaitFor(ws.Path("control/t-base.start.pids"), "^[0-9]+ [0-9]+ [0-9]+") +
                       "printf '\\003'; " +
                       WaitFor(typescript, "Ctrl-C again") + "printf '\\003'; " +
                       WaitFor(typescript, "Interrupted twice") + ")";
  RunOptions o = ws.Options(120);
  o.env["TERM"] = "xterm";
  RunResult r = integration::Run({"/bin/sh", "-c", typist + " | script -qefc " + Quote(cmd) + " " + Quote(typescript)}, o);
  ASSERT_FALSE(r.timed_out) << r.All();
  EXPECT_EQ(r.exit_code, 130) << r.All();
  // t-side (no prerequisites) may still be running beside t-base.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("stopping: [12] actions? still running, the longest for "
                                                     "[0-9]+ s; Ctrl-C again to stop them now\r?\n")))
      << r.out;
  std::string after = r.out.substr(size_t(m.position(0)));
  EXPECT_FALSE(std::regex_search(after, std::regex("\\[[0-9]+/[0-9]+\\] [0-9]+ done, ")))
      << "the live line was redrawn after the first Ctrl-C:\n" << after;
  EXPECT_TRUE(std::regex_search(after, std::regex("stopping now: [12] actions? sent SIGTERM"))) << after;
  EXPECT_THAT(after, HasSubstr("service.t-base: Creation FAILED after "));
  EXPECT_THAT(after, HasSubstr("1 of the failed were interrupted"));
  EXPECT_THAT(after, HasSubstr("Interrupted twice"));

  std::ifstream pids(ws.Path("control/t-base.start.pids"));
  pid_t leader = 0, pgid = 0, child = 0;
  ASSERT_TRUE(pids >> leader >> pgid >> child);
  for (int i = 0; i < 1000 && (GroupAlive(pgid) || ProcessAlive(child)); ++i) SleepMs(10);
  bool survived = GroupAlive(pgid) || ProcessAlive(child);
  if (survived) ::kill(-pgid, SIGKILL), ::kill(child, SIGKILL);
  EXPECT_FALSE(survived) << "the second Ctrl-C did not stop the script";

  nlohmann::json rec = ws.StatePull()["resources"]["service.t-base"];
  EXPECT_EQ(rec.value("last_outcome", ""), "failed") << rec.dump();
  EXPECT_EQ(rec.value("interrupted", false), true) << rec.dump();
  for (const char* s : {"t-store", "t-cache", "t-app"}) EXPECT_FALSE(ws.Find(s, "start")) << s;

  ws.Clear("t-base", "start", "hang");
  ws.ResetCalls();
  RunResult again = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(again.exit_code, 0) << again.All();
  EXPECT_TRUE(ws.Find("t-base", "start")) << "the interrupted action was not run again";
}

}  // namespace
}  // namespace paiplan::integration
