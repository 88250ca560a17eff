// `paiplan state mv SRC DST` on a local workspace: Terraform's checks (the
// source exists, the destination is free, the kinds match), nothing changed
// when they fail, the move recorded in the history, references rewritten.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;

TEST(CliStateMvTest, RefusesWhatTerraformRefusesAndChangesNothing) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string before = ws.Paiplan({"state", "pull"}).out;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"service.nope", "service.other"}, "service.nope is not in the state"},
      {{"service.t-side", "service.t-app"}, "service.t-app is already in the state"},
      {{"service.t-side", "node.t-side"}, "cannot move a service to a node address"},
      {{"service.t-side", "service.t-side"}, "the source and the destination are the same address"},
      {{"service.t-side", "bogus"}, "bogus is not a resource address"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {"state", "mv"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    RunResult r = ws.Paiplan(argv);
    EXPECT_EQ(r.exit_code, 1) << c.args[0] << " " << c.args[1] << ": " << r.All();
    EXPECT_THAT(r.err, HasSubstr("state mv: " + c.message)) << c.args[0] << " " << c.args[1];
    EXPECT_THAT(r.err, HasSubstr("Nothing was changed."));
  }
  EXPECT_EQ(ws.Paiplan({"state", "pull"}).out, before);
  RunResult missing = ws.Paiplan({"state", "mv", "service.t-side"});
  EXPECT_EQ(missing.exit_code, 1) << missing.All();
}

TEST(CliStateMvTest, MovesTheRecordRewritesReferencesAndRecordsHistory) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  auto before = ws.StatePull();
  RunResult r = ws.Paiplan({"state", "mv", "service.t-store", "service.t-store2"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.out, "Moved service.t-store to service.t-store2 (state serial " +
                       std::to_string(before["serial"].get<int>() + 1) + "); nothing on the cluster was touched.\n");
  auto after = ws.StatePull();
  EXPECT_EQ(after["serial"], before["serial"].get<int>() + 1);
  EXPECT_FALSE(after["resources"].contains("service.t-store"));
  auto moved = after["resources"]["service.t-store2"];
  EXPECT_EQ(moved["moved_from"], "service.t-store");
  EXPECT_EQ(moved["attributes"], before["resources"]["service.t-store"]["attributes"]);
  EXPECT_EQ(moved["hash"], before["resources"]["service.t-store"]["hash"]);
  auto deps = after["resources"]["service.t-app"]["depends_on"].get<std::vector<std::string>>();
  EXPECT_THAT(deps, ::testing::Contains("service.t-store2"));
  EXPECT_THAT(deps, ::testing::Not(::testing::Contains("service.t-store")));

  auto hist = nlohmann::json::parse(ws.Paiplan({"--json", "state", "history"}).out);
  ASSERT_FALSE(hist.empty());
  EXPECT_EQ(hist.back()["operation"], "state mv");
  EXPECT_EQ(hist.back()["outcomes"], nlohmann::json({{"done", 1}}));
  std::string text = ws.Paiplan({"state", "history"}).out;
  EXPECT_THAT(text, HasSubstr("state mv"));
}

}  // namespace
}  // namespace paiplan::integration
