// Service lifecycle through the real binary: start order, parallelism,
// refresh of exactly the changed service, failures and their dependents,
// per-service timeouts, approval without a TTY.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The prerequisites of the test services (tests/testdata/services/*/deploy/service.yaml).
const std::map<std::string, std::vector<std::string>> kPrereqs = {
    {"t-base", {}}, {"t-store", {"t-base"}}, {"t-cache", {"t-base"}}, {"t-app", {"t-store", "t-cache"}}, {"t-side", {}}};

std::map<std::string, Call> ByService(const std::vector<Call>& calls) {
  std::map<std::string, Call> m;
  for (const auto& c : calls) {
    EXPECT_EQ(m.count(c.service), 0u) << c.service << " " << c.action << " ran more than once";
    m[c.service] = c;
  }
  return m;
}

bool Overlap(const Call& a, const Call& b) { return std::max(a.start_ns, b.start_ns) < std::min(a.end_ns, b.end_ns); }

std::vector<std::string> Keys(const std::map<std::string, std::pair<std::string, std::string>>& m) {
  std::vector<std::string> k;
  for (const auto& [a, _] : m) k.push_back(a);
  return k;
}

TEST(IntegLifecycleTest, ApplyStartsAfterPrerequisitesEndedAndOverlapsIndependentServices) {
  TestWorkspace ws;
  ws.Set("t-base", "start", "sleep", "0.6");
  ws.Set("t-side", "start", "sleep", "1.2");   // runs beside t-base
  ws.Set("t-store", "start", "sleep", "1.5");
  ws.Set("t-cache", "start", "sleep", "1.5");  // runs beside t-store
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_THAT(r.out, HasSubstr("Apply complete!"));
  auto starts = ByService(ws.Calls("start"));
  ASSERT_EQ(starts.size(), kPrereqs.size()) << r.All();
  for (const auto& [svc, prereqs] : kPrereqs) {
    const Call& c = starts[svc];
    EXPECT_EQ(c.status, "ok") << svc;
    for (const auto& p : prereqs) {
      EXPECT_GE(c.start_ns, starts[p].end_ns) << svc << " started before its prerequisite " << p << " ended";
    }
  }
  EXPECT_TRUE(Overlap(starts["t-store"], starts["t-cache"])) << "independent t-store and t-cache ran one after the other";
  EXPECT_TRUE(Overlap(starts["t-base"], starts["t-side"])) << "independent t-base and t-side ran one after the other";
  EXPECT_TRUE(ws.Calls("stop").empty() && ws.Calls("refresh").empty());

  RunResult p = ws.Paiplan({"plan", "--detailed-exitcode"});
  EXPECT_EQ(p.exit_code, 0) << p.All();
  EXPECT_THAT(p.out, HasSubstr("No changes."));
}

TEST(IntegLifecycleTest, ParallelismOneRunsOneScriptAtATime) {
  TestWorkspace ws;
  ws.Set("all", "start", "sleep", "0.2");
  RunResult r = ws.Paiplan({"apply", "--auto-approve", "--parallelism", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto calls = ws.Calls("start");
  ASSERT_EQ(calls.size(), kPrereqs.size());
  for (size_t i = 0; i < calls.size(); ++i)
    for (size_t j = i + 1; j < calls.size(); ++j)
      EXPECT_FALSE(Overlap(calls[i], calls[j])) << calls[i].service << " and " << calls[j].service << " overlapped";
}

TEST(IntegLifecycleTest, ChangedTemplateRefreshesExactlyThatService) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  auto first = ws.Find("t-cache", "start");
  ASSERT_TRUE(first);
  ws.ResetCalls();

  std::string tmpl = ws.Path("services/t-cache/deploy/t-cache.conf.template");
  WriteFile(tmpl, ReadFileOr(tmpl) + "extra=1\n");
  auto plan = ws.Plan();
  EXPECT_THAT(Keys(plan), ::testing::ElementsAre("render.t-cache/t-cache.conf", "service.t-cache"));
  EXPECT_EQ(plan["service.t-cache"].first, "update");
  EXPECT_THAT(plan["service.t-cache"].second, HasSubstr("t-cache.conf"));

  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto calls = ws.Calls();
  ASSERT_EQ(calls.size(), 1u) << r.All();
  EXPECT_EQ(calls[0].service, "t-cache");
  EXPECT_EQ(calls[0].action, "refresh");
  EXPECT_NE(calls[0].cfg, first->cfg) << "refresh-script did not see the new rendered file";
  EXPECT_THAT(ReadFileOr(ws.Path(".paiplan/rendered/t-cache/t-cache.conf")), HasSubstr("extra=1"));

  // A config value used by two services' templates refreshes exactly those two.
  ws.ResetCalls();
  ws.WriteServicesConfig("t-store:\n  value: t-store-v2\n");
  r = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  std::set<std::string> refreshed;
  for (const auto& c : ws.Calls()) {
    EXPECT_EQ(c.action, "refresh") << c.service;
    refreshed.insert(c.service);
  }
  EXPECT_EQ(refreshed, (std::set<std::string>{"t-app", "t-store"}));
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(IntegLifecycleTest, FailedScriptSkipsDependentsAndIndependentBranchesComplete) {
  TestWorkspace ws;
  ws.Set("t-store", "start", "fail");
  ws.Set("t-side", "start", "sleep", "0.5");  // still running when t-store fails: must finish
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.out, HasSubstr("Actions: 9 done, 1 failed, 1 skipped, 0 not started"));
  EXPECT_THAT(r.out, HasSubstr("service.t-app: skipped (upstream service.t-store failed)"));
  EXPECT_THAT(r.err, HasSubstr("service.t-store: start-script start.sh of service t-store exited with status 1"));
  auto starts = ByService(ws.Calls("start"));
  EXPECT_EQ(starts["t-store"].status, "fail");
  for (const char* ok : {"t-base", "t-cache", "t-side"}) EXPECT_EQ(starts[ok].status, "ok") << ok;
  EXPECT_EQ(starts.count("t-app"), 0u) << "a dependent of a failed service ran";

  auto plan = ws.Plan();
  EXPECT_THAT(Keys(plan), ::testing::ElementsAre("service.t-app", "service.t-store"));
  EXPECT_EQ(plan["service.t-store"].first, "create");
  EXPECT_THAT(plan["service.t-store"].second, HasSubstr("previous create failed"));

  ws.Clear("t-store", "start", "fail");
  ws.ResetCalls();
  r = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto again = ByService(ws.Calls("start"));
  EXPECT_EQ(again.size(), 2u);
  EXPECT_TRUE(again.count("t-store") && again.count("t-app"));
  EXPECT_GE(again["t-app"].start_ns, again["t-store"].end_ns);
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(IntegLifecycleTest, HangingScriptIsKilledWithItsProcessGroupAtThePerServiceTimeout) {
  TestWorkspace ws;
  ws.WriteSettings("scripts:\n  timeout: 60\n  timeouts:\n    t-side: 1\n");
  ws.Set("t-side", "start", "hang");
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.All(), HasSubstr("start-script start.sh of service t-side timed out after 1 s"));
  EXPECT_THAT(r.out, HasSubstr("Actions: 10 done, 1 failed, 0 skipped"));
  std::istringstream pids(ReadFileOr(ws.Path("control/t-side.start.pids")));
  pid_t pid = 0, pgid = 0, child = 0;
  pids >> pid >> pgid >> child;
  ASSERT_GT(pid, 0) << "the hanging script did not record its pids";
  ASSERT_GT(child, 0);
  // SIGKILL was sent before paiplan returned; allow the kernel to finish the kill.
  for (int i = 0; i < 100 && (ProcessAlive(pid) || ProcessAlive(child) || GroupAlive(pgid)); ++i) SleepMs(20);
  EXPECT_FALSE(ProcessAlive(pid)) << "the script (pid " << pid << ") survived its timeout";
  EXPECT_FALSE(ProcessAlive(child)) << "the script's child (pid " << child << ", ignores SIGTERM) survived";
  EXPECT_FALSE(GroupAlive(pgid)) << "process group " << pgid << " still has members";
  auto side = ws.Find("t-side", "start");
  ASSERT_TRUE(side);
  EXPECT_FALSE(side->Finished());
  auto plan = ws.Plan();
  EXPECT_THAT(Keys(plan), ::testing::ElementsAre("service.t-side"));
  EXPECT_THAT(plan["service.t-side"].second, HasSubstr("previous create failed"));
}

TEST(IntegLifecycleTest, FailedRefreshStaysPendingEvenWhenTheTemplateIsReverted) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string tmpl = ws.Path("services/t-cache/deploy/t-cache.conf.template");
  std::string original = ReadFileOr(tmpl);
  WriteFile(tmpl, original + "extra=1\n");
  ws.Set("t-cache", "refresh", "fail");
  ws.ResetCalls();
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  auto c = ws.Find("t-cache", "refresh");
  ASSERT_TRUE(c) << r.All();
  EXPECT_EQ(c->status, "fail");

  // Revert: the file on disk (rendered with extra=1) no longer matches, and
  // the service still owes a refresh for it.
  WriteFile(tmpl, original);
  ws.Clear("t-cache", "refresh", "fail");
  auto plan = ws.Plan();
  ASSERT_TRUE(plan.count("service.t-cache")) << "the failed refresh is no longer pending";
  EXPECT_EQ(plan["service.t-cache"].first, "update") << plan["service.t-cache"].second;
  EXPECT_THAT(plan["service.t-cache"].second, HasSubstr("refresh"));
  EXPECT_THAT(plan["service.t-cache"].second, HasSubstr("t-cache.conf"));
  EXPECT_EQ(plan.count("service.t-app"), 0u);

  ws.ResetCalls();
  r = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto calls = ws.Calls();
  ASSERT_EQ(calls.size(), 1u) << r.All();
  EXPECT_EQ(calls[0].service, "t-cache");
  EXPECT_EQ(calls[0].action, "refresh") << "a running service that owes a refresh was started again";
  EXPECT_THAT(ReadFileOr(ws.Path(".paiplan/rendered/t-cache/t-cache.conf")), Not(HasSubstr("extra=1")));
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(IntegLifecycleTest, TargetAppliesOnlyTheTargetAndWhatItNeeds) {
  TestWorkspace ws;
  RunResult r = ws.Paiplan({"apply", "--auto-approve", "--target", "service.t-store"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  std::set<std::string> started;
  for (const auto& c : ws.Calls("start")) started.insert(c.service);
  EXPECT_EQ(started, (std::set<std::string>{"t-base", "t-store"}));
  auto plan = ws.Plan();
  EXPECT_EQ(plan.count("service.t-store") + plan.count("service.t-base"), 0u);
  EXPECT_TRUE(plan.count("service.t-app") && plan.count("service.t-cache") && plan.count("service.t-side"));
}

TEST(IntegLifecycleTest, ApplyWithoutTtyOrAutoApproveRefusesAndChangesNothing) {
  TestWorkspace ws;
  RunResult r = ws.Paiplan({"apply"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("refusing to apply without approval: standard input is not a terminal"));
  EXPECT_THAT(r.err, HasSubstr("--auto-approve"));
  EXPECT_TRUE(ws.Calls().empty());
  EXPECT_FALSE(std::filesystem::exists(ws.Path(".paiplan/rendered/t-base/t-base.conf")));
  EXPECT_FALSE(std::filesystem::exists(ws.Path(".paiplan/local-nodes/node-0/bootstrapped")));
  auto state = ws.Paiplan({"state", "list"});
  EXPECT_EQ(state.exit_code, 0) << state.All();
  EXPECT_EQ(state.out, "");
  EXPECT_EQ(ws.Plan().size(), 11u);
}

}  // namespace
}  // namespace paiplan::integration
