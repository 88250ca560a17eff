// `paiplan destroy` through the real binary: reverse order, and --purge
// (delete-scripts) only with explicit approval.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;

const std::map<std::string, std::vector<std::string>> kPrereqs = {
    {"t-base", {}}, {"t-store", {"t-base"}}, {"t-cache", {"t-base"}}, {"t-app", {"t-store", "t-cache"}}, {"t-side", {}}};

// Checks that every dependent's `action` call ended before its
// prerequisites' call started (deletes run in reverse order).
void ExpectReverseOrder(const TestWorkspace& ws, const std::string& action) {
  std::map<std::string, Call> by;
  for (const auto& c : ws.Calls(action)) {
    EXPECT_EQ(by.count(c.service), 0u) << c.service << " " << action << " ran twice";
    by[c.service] = c;
  }
  ASSERT_EQ(by.size(), kPrereqs.size());
  for (const auto& [svc, prereqs] : kPrereqs) {
    EXPECT_EQ(by[svc].status, "ok") << svc;
    for (const auto& p : prereqs) {
      EXPECT_LE(by[svc].end_ns, by[p].start_ns)
          << p << "'s " << action << "-script started before its dependent " << svc << "'s ended";
    }
  }
}

TEST(IntegDestroyTest, StopsDependentsBeforeTheirPrerequisites) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.ResetCalls();
  ws.Set("all", "stop", "sleep", "0.3");
  RunResult r = ws.Paiplan({"destroy", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  ExpectReverseOrder(ws, "stop");
  EXPECT_TRUE(ws.Calls("delete").empty()) << "destroy without --purge ran delete-scripts";
  EXPECT_TRUE(ws.Calls("start").empty());
  auto list = ws.Paiplan({"state", "list"});
  EXPECT_EQ(list.out, "") << "destroy left resources in the state";
  EXPECT_FALSE(std::filesystem::exists(ws.Path(".paiplan/local-nodes/node-0/bootstrapped")));
  // Nothing is left to destroy.
  EXPECT_EQ(ws.Paiplan({"destroy", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(ws.Calls("stop").size(), kPrereqs.size());
}

TEST(IntegDestroyTest, PurgeRunsDeleteScriptsOnlyWhenApproved) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string before = ws.Paiplan({"state", "pull"}).out;
  ws.ResetCalls();

  // No TTY and no --auto-approve: refused, nothing run, state untouched.
  RunResult r = ws.Paiplan({"destroy", "--purge"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("refusing to destroy without approval"));
  EXPECT_TRUE(ws.Calls().empty()) << "scripts ran without approval";
  EXPECT_EQ(ws.Paiplan({"state", "pull"}).out, before);
  EXPECT_THAT(r.out, HasSubstr("delete-script destroys the service's data"));

  ws.Set("all", "delete", "sleep", "0.2");
  r = ws.Paiplan({"destroy", "--purge", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  ExpectReverseOrder(ws, "delete");
  EXPECT_TRUE(ws.Calls("stop").empty()) << "--purge ran stop-scripts instead of delete-scripts";
  EXPECT_EQ(ws.Paiplan({"state", "list"}).out, "");
}

TEST(IntegDestroyTest, FailedStopKeepsItsPrerequisitesRunningAndTheNextDestroyFinishes) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.ResetCalls();
  ws.Set("t-app", "stop", "fail");
  RunResult r = ws.Paiplan({"destroy", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.out, HasSubstr("service.t-store: skipped (upstream service.t-app failed)"));
  std::set<std::string> stopped;
  for (const auto& c : ws.Calls("stop")) stopped.insert(c.service);
  EXPECT_EQ(stopped, (std::set<std::string>{"t-app", "t-side"})) << "a prerequisite of a service that failed to stop was stopped";
  std::string list = ws.Paiplan({"state", "list"}).out;
  for (const char* kept : {"service.t-app", "service.t-base", "service.t-cache", "service.t-store"})
    EXPECT_THAT(list, HasSubstr(kept));
  std::map<std::string, std::string> outcomes;  // plain `state list` prints addresses only
  for (const auto& r : nlohmann::json::parse(ws.Paiplan({"--json", "state", "list"}).out))
    outcomes[r["address"].get<std::string>()] = r["last_outcome"].get<std::string>();
  EXPECT_EQ(outcomes["service.t-app"], "failed");
  EXPECT_THAT(list, ::testing::Not(HasSubstr("service.t-side")));

  ws.Clear("t-app", "stop", "fail");
  ws.ResetCalls();
  r = ws.Paiplan({"destroy", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  stopped.clear();
  for (const auto& c : ws.Calls("stop")) stopped.insert(c.service);
  EXPECT_EQ(stopped, (std::set<std::string>{"t-app", "t-base", "t-cache", "t-store"}));
  EXPECT_EQ(ws.Paiplan({"state", "list"}).out, "");
}

}  // namespace
}  // namespace paiplan::integration
