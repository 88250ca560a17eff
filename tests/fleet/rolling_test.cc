// Rolling replacement, pure parts: max-unavailable parsing and batch sizes
// (count, percentage rounded down, at least 1), batches assigned per role
// to node replacements only, and the executor's Roll over the scheduler
// (a batch starts only after the previous one settled; the roll halts after
// max-failed-batches failed batches and later batches never start).
#include "engine/apply/roll.h"
#include "engine/plan/rolling.h"

#include <gtest/gtest.h>

#include <sstream>

namespace paiplan {
namespace {

using apply::Roll;
using apply::Scheduler;
using plan::ActionType;

TEST(RollingBatchTest, ParsesCountsAndPercentages) {
  auto five = plan::ParseMaxUnavailable("5", "--max-unavailable");
  ASSERT_TRUE(five.has_value());
  EXPECT_EQ(five->count, 5);
  EXPECT_EQ(five->text(), "5");
  auto pct = plan::ParseMaxUnavailable("30%", "--max-unavailable");
  ASSERT_TRUE(pct.has_value());
  EXPECT_EQ(pct->count, 0);
  EXPECT_EQ(pct->percent, 30);
  for (const char* bad : {"0", "0%", "101%", "-1", "five", "", "%", "2.5", "10 %"}) {
    auto r = plan::ParseMaxUnavailable(bad, "rolling.max-unavailable");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message().find("rolling.max-unavailable: '" + std::string(bad) + "'"), std::string::npos)
        << r.error().message();
  }
}

TEST(RollingBatchTest, BatchSizeIsTheCountOrThePercentageRoundedDownAndAtLeastOne) {
  EXPECT_EQ(plan::BatchSize({5, 0}, 19), 5);
  EXPECT_EQ(plan::BatchSize({50, 0}, 19), 50) << "a count larger than the role is one batch";
  EXPECT_EQ(plan::BatchSize({0, 25}, 19), 4) << "19 * 25% = 4.75, rounded down";
  EXPECT_EQ(plan::BatchSize({0, 25}, 20), 5);
  EXPECT_EQ(plan::BatchSize({0, 10}, 5), 1) << "0.5 rounds down to 0, but a batch has at least 1";
  EXPECT_EQ(plan::BatchSize({0, 100}, 7), 7);
  EXPECT_EQ(plan::BatchSize({0, 25}, 0), 1);
}

plan::Action Node(const std::string& host, const std::string& role, ActionType type) {
  plan::Action a;
  a.address = "node." + host;
  a.kind = graph::Kind::kNode;
  a.type = type;
  a.after = {{"role", role}};
  return a;
}

TEST(RollingBatchTest, OnlyNodeReplacementsRollPerRoleInAddressOrder) {
  plan::Plan p;
  for (int i = 0; i < 7; ++i) p.actions.push_back(Node("w" + std::to_string(i), "worker", ActionType::kReplace));
  p.actions.push_back(Node("w7", "worker", ActionType::kNoOp));       // counts toward the role, does not roll
  p.actions.push_back(Node("w8", "worker", ActionType::kCreate));     // new: nothing to keep available
  p.actions.push_back(Node("m0", "master", ActionType::kReplace));
  p.actions.push_back(Node("m1", "master", ActionType::kReplace));
  plan::Action label;
  label.address = "label.w0";
  label.kind = graph::Kind::kLabel;
  label.type = ActionType::kUpdate;
  p.actions.push_back(label);
  plan::AssignBatches(&p, {0, 34});  // worker: 9 * 34% = 3; master: 2 * 34% = 0 -> 1
  std::map<std::string, int> batch;
  for (const auto& a : p.actions) batch[a.address] = a.batch;
  EXPECT_EQ(batch["node.m0"], 0) << "roles in name order: master first";
  EXPECT_EQ(batch["node.m1"], 1);
  EXPECT_EQ(batch["node.w0"], 2);
  EXPECT_EQ(batch["node.w2"], 2);
  EXPECT_EQ(batch["node.w3"], 3);
  EXPECT_EQ(batch["node.w6"], 4);
  EXPECT_EQ(batch["node.w7"], -1);
  EXPECT_EQ(batch["node.w8"], -1);
  EXPECT_EQ(batch["label.w0"], -1);
  EXPECT_EQ(plan::BatchCount(p), 5);
  EXPECT_EQ(p.actions[0].notes.back(), "rolling batch 3 of 5 (max-unavailable 34%)");
  std::ostringstream text;
  plan::PrintBatches(p, 1, text);
  EXPECT_EQ(text.str(),
            "\nRolling replacement: 9 machines in 5 batches; halts after 1 failed batch\n"
            "  batch 1: node.m0\n  batch 2: node.m1\n  batch 3: node.w0, node.w1, node.w2\n"
            "  batch 4: node.w3, node.w4, node.w5\n  batch 5: node.w6\n");
}

std::vector<int> StartAll(Scheduler& s) {
  std::vector<int> out;
  for (int i; (i = s.Next()) >= 0;) out.push_back(i);
  return out;
}

std::string Name(int i) { return "node.n" + std::to_string(i); }

TEST(RollTest, ABatchStartsOnlyAfterThePreviousOnePassed) {
  // 0,1: batch 0; 2,3: batch 1; 4: batch 2; 5: not rolling.
  Scheduler s(std::vector<std::vector<int>>(6), {"n0", "n1", "n2", "n3", "n4", ""});
  s.SetBatches({0, 0, 1, 1, 2, -1});
  Roll roll(1);
  EXPECT_TRUE(roll.Advance(s, Name).empty());
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 1, 5}));
  s.Succeeded(0);
  EXPECT_TRUE(roll.Advance(s, Name).empty()) << "batch 0 still has a running member";
  EXPECT_EQ(StartAll(s), std::vector<int>{});
  s.Succeeded(1);
  EXPECT_EQ(roll.Advance(s, Name), std::vector<std::string>{"Rolling batch 1 of 3 passed its health gate (2 machines)."});
  EXPECT_EQ(StartAll(s), (std::vector<int>{2, 3}));
}

TEST(RollTest, HaltsAfterMaxFailedBatchesAndNeverStartsTheRest) {
  Scheduler s(std::vector<std::vector<int>>(5), {"n0", "n1", "n2", "n3", "n4"});
  s.SetBatches({0, 1, 1, 2, 3});
  Roll roll(2);
  EXPECT_EQ(StartAll(s), std::vector<int>{0});
  s.Failed(0);
  auto lines = roll.Advance(s, Name);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "Rolling batch 1 of 4 failed: 1 of 1 machine failed or did not become healthy (node.n0).");
  EXPECT_FALSE(roll.halted()) << "max-failed-batches 2: the roll goes on";
  EXPECT_EQ(StartAll(s), (std::vector<int>{1, 2}));
  s.Succeeded(1);
  s.Failed(2);
  lines = roll.Advance(s, Name);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "Rolling replacement halted: batches 3-4 not started (2 machines: node.n3, node.n4).");
  EXPECT_TRUE(roll.halted());
  EXPECT_EQ(roll.failed_batches(), 2);
  EXPECT_EQ(roll.not_started(), (std::vector<int>{3, 4}));
  EXPECT_EQ(roll.halt_reason(), "halted after 2 failed batches (batch 2 of 4)");
  EXPECT_EQ(StartAll(s), std::vector<int>{});
  EXPECT_EQ(s.state(3), apply::TaskState::kReady) << "not started, not skipped: a resumed plan runs it";
}

TEST(RollTest, EmptyBatchesOfAResumedPlanPassAtOnce) {
  // Batches 0 and 1 were done by an earlier run of the saved plan: only batch 2 is left.
  Scheduler s(std::vector<std::vector<int>>(2), {"n4", "n5"});
  s.SetBatches({2, 2});
  Roll roll(1);
  EXPECT_TRUE(roll.Advance(s, Name).empty());
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 1}));
}

}  // namespace
}  // namespace paiplan
