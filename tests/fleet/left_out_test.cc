// Leaving out what cannot be observed: which changes go with an unobserved
// resource, and how the plan text and the plan file show them.
#include "engine/plan/left_out.h"

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/plan/plan_io.h"

namespace paiplan::plan {
namespace {

using ::testing::HasSubstr;

Action Act(const std::string& address, ActionType type, std::vector<std::string> deps = {}) {
  Action a;
  a.address = address;
  a.kind = *graph::KindOfAddress(address);
  a.type = type;
  a.reason = "test";
  a.resource_deps = std::move(deps);
  return a;
}

// node.m4 is down: its label and the service placed on it wait; node.m2's
// repair and what needs only node.m2 go ahead.
Plan Fleet() {
  Plan p;
  p.actions = {Act("label.m2", ActionType::kNoOp, {"node.m2"}),
               Act("label.m4", ActionType::kUpdate, {"node.m4"}),
               Act("node.m2", ActionType::kReplace),
               Act("node.m4", ActionType::kNoOp),
               Act("service.web", ActionType::kUpdate, {"label.m2"}),
               Act("service.x", ActionType::kUpdate, {"label.m4", "label.m2"}),
               Act("service.y", ActionType::kNoOp, {"label.m4"})};
  return p;
}

const Action& Find(const Plan& p, const std::string& address) {
  for (const auto& a : p.actions)
    if (a.address == address) return a;
  ADD_FAILURE() << address;
  return p.actions.front();
}

TEST(LeftOutTest, AnUnobservedResourceTakesTheChangesThatNeedItAlong) {
  Plan p = Fleet();
  LeaveOutUnobserved(&p, {{"node.m4", "connection refused"}});
  EXPECT_EQ(Find(p, "node.m2").type, ActionType::kReplace);
  EXPECT_EQ(Find(p, "service.web").type, ActionType::kUpdate);
  EXPECT_EQ(Find(p, "label.m4").type, ActionType::kNoOp);
  EXPECT_EQ(Find(p, "service.x").type, ActionType::kNoOp);
  EXPECT_THAT(Find(p, "service.x").notes.back(), HasSubstr("left out (needs node.m4, not observed): update"));
  ASSERT_EQ(p.left_out.size(), 3u);  // service.y had nothing to do: not listed
  EXPECT_EQ(p.left_out[0].address, "node.m4");
  EXPECT_EQ(p.left_out[0].error, "connection refused");
  EXPECT_EQ(p.left_out[1].address, "label.m4");
  EXPECT_EQ(p.left_out[1].needs, "node.m4");
  EXPECT_EQ(p.left_out[2].address, "service.x");

  std::ostringstream text;
  PrintLeftOut(p, {}, text);
  EXPECT_EQ(text.str(),
            "\nNot observed (left out):\n"
            "  node.m4 \u2014 connection refused; also left out: label.m4, service.x (needs node.m4)\n");
  EXPECT_EQ(LeftOutSummary(p), "1 resource was not observed and left out with 2 changes that need them");
}

TEST(LeftOutTest, ALeftOutDeleteKeepsWhatItNeeds) {
  Plan p;
  p.actions = {Act("node.old", ActionType::kDelete), Act("label.old", ActionType::kDelete, {"node.old"}),
               Act("service.z", ActionType::kDelete, {"label.old"})};
  LeaveOutUnobserved(&p, {{"label.old", "listing nodes: timeout"}});
  EXPECT_EQ(Find(p, "service.z").type, ActionType::kDelete) << "a dependent's delete does not need it";
  EXPECT_EQ(Find(p, "node.old").type, ActionType::kNoOp) << "the node must outlive its label";
  EXPECT_EQ(Find(p, "label.old").type, ActionType::kNoOp);
}

TEST(LeftOutTest, ASavedPlanRecordsWhatItLeftOutAndShowsIt) {
  Plan p = Fleet();
  p.workspace_hash = "h";
  LeaveOutUnobserved(&p, {{"node.m4", "connection refused"}});
  auto back = PlanFromJson(nlohmann::json::parse(PlanToJson(p, true, {}).dump()), "mem");
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_EQ(back->left_out.size(), 3u);
  EXPECT_EQ(back->left_out[0].error, "connection refused");
  EXPECT_EQ(back->left_out[2].needs, "node.m4");
  std::ostringstream text;
  PrintPlanText(*back, {}, text);
  EXPECT_THAT(text.str(), HasSubstr("Plan: 1 to add, 1 to change, 1 to destroy.\n\nNot observed (left out):\n"));
  Plan quiet;
  quiet.actions = {Act("node.m4", ActionType::kNoOp)};
  LeaveOutUnobserved(&quiet, {{"node.m4", "no route to host"}});
  std::ostringstream none;
  PrintPlanText(quiet, {}, none);
  EXPECT_THAT(none.str(), HasSubstr("No changes in what could be observed.\n"));
  EXPECT_THAT(none.str(), HasSubstr("  node.m4 \u2014 no route to host\n"));
}

}  // namespace
}  // namespace paiplan::plan
