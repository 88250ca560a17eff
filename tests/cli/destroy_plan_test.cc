// A reviewed destroy (`plan --destroy -o FILE`, then `apply FILE`), the
// destroy refusal pointing to it, `destroy --target` as its help says, and
// `destroy --purge --target` purging only the target.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::set<std::string> Services(const std::vector<Call>& calls) {
  std::set<std::string> s;
  for (const auto& c : calls) s.insert(c.service);
  return s;
}

TEST(CliDestroyPlanTest, SavedDestroyPlanIsShownThenAppliedInReverseOrder) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.ResetCalls();
  std::string file = ws.Path("destroy.plan");
  RunResult r = ws.Paiplan({"plan", "--destroy", "-o", file, "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2) << r.All();
  EXPECT_THAT(r.out, HasSubstr("  - service.t-app\n      reason: destroy requested\n"));
  EXPECT_THAT(r.out, HasSubstr("  - node.node-0\n      reason: destroy requested\n"));
  EXPECT_THAT(r.out, HasSubstr("Plan: 0 to add, 0 to change, 11 to destroy.\n"));
  EXPECT_THAT(r.out, HasSubstr("Saved the plan to " + file + "; apply it with: paiplan apply " + file));
  EXPECT_TRUE(ws.Calls().empty()) << "planning ran scripts";

  RunResult shown = ws.Paiplan({"show", file});
  ASSERT_EQ(shown.exit_code, 0) << shown.All();
  EXPECT_EQ(shown.out, r.out.substr(0, r.out.find("\nSaved the plan")));
  auto j = nlohmann::json::parse(ws.Paiplan({"--json", "show", file}).out);
  EXPECT_EQ(j["operation"], "destroy");
  for (const auto& a : j["actions"]) EXPECT_EQ(a["action"], "delete") << a["address"];

  r = ws.Paiplan({"apply", file});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_THAT(r.out, HasSubstr("Destroy complete! Actions: 11 done, 0 failed, 0 skipped, 0 not started."));
  EXPECT_THAT(r.out, Not(HasSubstr("Apply complete!")));
  EXPECT_EQ(ws.Calls("stop").size(), 5u);
  EXPECT_TRUE(ws.Calls("delete").empty());
  EXPECT_EQ(ws.Paiplan({"state", "list"}).out, "");
  auto hist = nlohmann::json::parse(ws.Paiplan({"--json", "state", "history"}).out);
  EXPECT_EQ(hist.back()["operation"], "destroy");
}

TEST(CliDestroyPlanTest, StaleDestroyPlanIsRefusedAndChangesNothing) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string file = ws.Path("destroy.plan");
  ASSERT_EQ(ws.Paiplan({"plan", "--destroy", "-o", file}).exit_code, 0);
  // A resource the plan deletes changes after the plan (saved plans are
  // stale per object: docs/failure-semantics.md).
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve", "--replace", "service.t-side"}).exit_code, 0);
  std::string before = ws.Paiplan({"state", "pull"}).out;
  ws.ResetCalls();
  RunResult r = ws.Paiplan({"apply", file});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("plan is stale: service.t-side changed since the plan"));
  EXPECT_THAT(r.err, HasSubstr("make a new plan with: paiplan plan --destroy -o " + file));
  EXPECT_TRUE(ws.Calls().empty());
  EXPECT_EQ(ws.Paiplan({"state", "pull"}).out, before);
}

TEST(CliDestroyPlanTest, RefusalPointsToADestroyPlan) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  RunResult r = ws.Paiplan({"destroy"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("save it with `paiplan plan --destroy -o FILE` and run `paiplan apply FILE`"));
  r = ws.Paiplan({"destroy", "--purge"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("`paiplan plan --destroy --purge -o FILE`"));
  // The apply refusal still points to a plain saved plan.
  ASSERT_EQ(ws.Paiplan({"destroy", "--auto-approve"}).exit_code, 0);
  r = ws.Paiplan({"apply"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("`paiplan plan -o FILE`"));
  // --purge belongs to destroy plans only.
  r = ws.Paiplan({"plan", "--purge"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("--purge only goes with --destroy"));
}

TEST(CliDestroyPlanTest, DestroyHelpDescribesTargetAsTheResourceAndItsDependents) {
  TestWorkspace ws;
  RunResult r = ws.Paiplan({"destroy", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_THAT(r.out, HasSubstr("Only this resource and what depends on it, which is destroyed first"));
  EXPECT_THAT(r.out, Not(HasSubstr("what it needs")));
  EXPECT_THAT(r.out, HasSubstr("only the targets'"));
  EXPECT_THAT(r.out, HasSubstr("to review it first: paiplan plan --destroy -o FILE, then paiplan apply FILE"));
}

TEST(CliDestroyPlanTest, PurgeWithTargetPurgesOnlyTheTargetAndStopsItsDependents) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.ResetCalls();
  RunResult r = ws.Paiplan({"destroy", "--purge", "--target", "service.t-store", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_THAT(r.out, HasSubstr("stopped, not purged: --purge applies to the --target resources only"));
  EXPECT_THAT(r.out, HasSubstr("Destroy complete!"));
  EXPECT_EQ(Services(ws.Calls("delete")), (std::set<std::string>{"t-store"}));
  EXPECT_EQ(Services(ws.Calls("stop")), (std::set<std::string>{"t-app"})) << "t-app depends on t-store: it goes first";
  auto app_stop = ws.Find("t-app", "stop"), store_delete = ws.Find("t-store", "delete");
  ASSERT_TRUE(app_stop && store_delete);
  EXPECT_LE(app_stop->end_ns, store_delete->start_ns);
  std::string list = ws.Paiplan({"state", "list"}).out;
  EXPECT_THAT(list, HasSubstr("service.t-base\n"));
  EXPECT_THAT(list, HasSubstr("service.t-cache\n"));
  EXPECT_THAT(list, Not(HasSubstr("service.t-store\n")));
  EXPECT_THAT(list, Not(HasSubstr("service.t-app\n")));
}

}  // namespace
}  // namespace paiplan::integration
