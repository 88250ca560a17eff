// What an operator at a terminal sees and types: the `yes` prompt of apply,
// the typed `purge` confirmation of destroy --purge, the live status line,
// and colour (on unless NO_COLOR). The binary runs under util-linux
// `script`, which gives it a real pseudo-terminal; the answers are piped
// into the terminal as a person would type them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;

// True when `s` holds an SGR (colour) escape sequence. Cursor control such
// as the status line's erase-line (ESC [ K) is not colour.
bool HasColour(const std::string& s) {
  static const std::regex kSgr("\033\\[[0-9;]*m");
  return std::regex_search(s, kSgr);
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs `paiplan -C ROOT ARGS` on a pseudo-terminal, typing `answers` (one
// line each). `color`: leave NO_COLOR unset.
RunResult OnTerminal(const TestWorkspace& ws, const std::vector<std::string>& args,
                     const std::vector<std::string>& answers, bool color = false) {
  std::string cmd = Quote(PaiplanBinary()) + " -C " + Quote(ws.root());
  for (const auto& a : args) cmd += " " + Quote(a);
  std::string typed;
  for (const auto& a : answers) typed += a + "\\n";
  // `script -e` returns the child's exit status; -q: no banner; -f: flush.
  std::string sh = "printf '" + typed + "' | script -qefc " + Quote(cmd) + " /dev/null";
  RunOptions o = ws.Options(120);
  if (color) {
    o.env.erase("NO_COLOR");
    o.unset_env.push_back("NO_COLOR");
  }
  o.env["TERM"] = "xterm";
  RunResult r = Run({"/bin/sh", "-c", sh}, o);
  EXPECT_FALSE(r.timed_out) << r.All();
  return r;
}

TEST(IntegTtyTest, ApplyAsksOnTheTerminalAndRunsAfterYes) {
  TestWorkspace ws;
  RunResult r = OnTerminal(ws, {"apply"}, {"yes"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_THAT(r.out, HasSubstr("Do you want to perform these actions?"));
  EXPECT_THAT(r.out, HasSubstr("Only 'yes' will be accepted."));
  EXPECT_THAT(r.out, HasSubstr("Apply complete!"));
  EXPECT_THAT(r.out, HasSubstr("service.t-app: Creation complete after "));
  // The live status line is drawn on a terminal: "[n/N] d done, r running, ...".
  EXPECT_THAT(r.out, testing::ContainsRegex(R"(\[[0-9]+/[0-9]+\] [0-9]+ done, [0-9]+ running)"));
  EXPECT_FALSE(HasColour(r.out)) << "NO_COLOR is set: no colour\n" << r.out;
  EXPECT_EQ(ws.Calls("start").size(), 5u);
}

TEST(IntegTtyTest, AnythingButYesCancelsAndChangesNothing) {
  TestWorkspace ws;
  RunResult r = OnTerminal(ws, {"apply"}, {"y"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.out, HasSubstr("Apply cancelled; nothing was changed."));
  EXPECT_TRUE(ws.Calls().empty()) << "a script ran after the apply was cancelled";
  EXPECT_EQ(ws.Paiplan({"state", "list"}).out, "");
}

TEST(IntegTtyTest, ColourOnATerminalUnlessNoColor) {
  TestWorkspace ws;
  RunResult r = OnTerminal(ws, {"plan"}, {}, /*color=*/true);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(HasColour(r.out)) << "a terminal without NO_COLOR gets colour\n" << r.out;
  RunResult plain = OnTerminal(ws, {"plan"}, {});
  ASSERT_EQ(plain.exit_code, 0) << plain.All();
  EXPECT_FALSE(HasColour(plain.out)) << plain.out;
  EXPECT_THAT(plain.out, HasSubstr("Plan: "));
}

TEST(IntegTtyTest, PurgeNeedsTheWordPurgeTyped) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string before = ws.Paiplan({"state", "pull"}).out;
  ws.ResetCalls();

  RunResult no = OnTerminal(ws, {"destroy", "--purge"}, {"yes", "yes"});
  EXPECT_EQ(no.exit_code, 1) << no.All();
  EXPECT_THAT(no.out, HasSubstr("Type 'purge' to confirm"));
  EXPECT_THAT(no.out, HasSubstr("Destroy cancelled; nothing was changed."));
  EXPECT_TRUE(ws.Calls().empty());
  EXPECT_EQ(ws.Paiplan({"state", "pull"}).out, before);

  RunResult yes = OnTerminal(ws, {"destroy", "--purge"}, {"yes", "purge"});
  ASSERT_EQ(yes.exit_code, 0) << yes.All();
  EXPECT_EQ(ws.Calls("delete").size(), 5u);
  EXPECT_TRUE(ws.Calls("stop").empty()) << "--purge runs delete-scripts instead of stop-scripts";
  EXPECT_EQ(ws.Paiplan({"state", "list"}).out, "");
}

}  // namespace
}  // namespace paiplan::integration
