// Resumable approved plans and per-object staleness through the binary: after
// a partly failed `apply FILE`, the same `apply FILE` runs exactly the
// actions not yet done; a change to an object the plan touches makes it stale.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;

std::map<std::string, int> Starts(const TestWorkspace& ws) {
  std::map<std::string, int> n;
  for (const auto& c : ws.Calls("start")) ++n[c.service + (c.status == "ok" ? "" : ":" + c.status)];
  return n;
}

TEST(FleetResumeTest, TheSamePlanFileRunsOnlyWhatIsNotDoneYet) {
  TestWorkspace ws;
  std::string file = ws.Path("approved.plan");
  RunResult saved = ws.Paiplan({"plan", "-o", file});
  ASSERT_EQ(saved.exit_code, 0) << saved.All();
  ws.Set("t-store", "start", "fail");  // t-app needs t-store: skipped
  RunResult first = ws.Paiplan({"apply", file});
  ASSERT_EQ(first.exit_code, 1) << first.All();
  auto after_first = Starts(ws);
  EXPECT_EQ(after_first["t-store:fail"], 1);
  EXPECT_EQ(after_first.count("t-app"), 0u);

  ws.Clear("t-store", "start", "fail");
  RunResult second = ws.Paiplan({"apply", file});
  ASSERT_EQ(second.exit_code, 0) << second.All();
  EXPECT_THAT(second.out, HasSubstr("done by an earlier run of this plan and are skipped"));
  auto starts = Starts(ws);
  for (const char* s : {"t-base", "t-cache", "t-side", "t-store", "t-app"})
    EXPECT_EQ(starts[s], 1) << s << " was started " << starts[s] << " times (ok)";
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);

  size_t calls = ws.Calls().size();
  RunResult third = ws.Paiplan({"apply", file});
  EXPECT_EQ(third.exit_code, 0) << third.All();
  EXPECT_EQ(ws.Calls().size(), calls) << "a finished plan ran something again";
}

TEST(FleetResumeTest, AChangeToAnObjectThePlanTouchesMakesItStaleNamingIt) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.WriteServicesConfig("t-app:\n  version: 2\n");
  std::string file = ws.Path("approved.plan");
  RunResult saved = ws.Paiplan({"plan", "-o", file});
  ASSERT_EQ(saved.exit_code, 0) << saved.All();
  ASSERT_THAT(saved.out, HasSubstr("service.t-app"));
  // Someone else applies the same change meanwhile.
  RunResult other = ws.Paiplan({"apply", "--auto-approve", "--target", "service.t-app"});
  ASSERT_EQ(other.exit_code, 0) << other.All();
  size_t calls = ws.Calls().size();
  RunResult r = ws.Paiplan({"apply", file});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("plan is stale: "));
  EXPECT_THAT(r.err, HasSubstr("t-app"));
  EXPECT_THAT(r.err, HasSubstr(" changed since the plan (serial "));
  EXPECT_EQ(ws.Calls().size(), calls) << "a stale plan ran scripts";
}

}  // namespace
}  // namespace paiplan::integration
