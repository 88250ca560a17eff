// Scheduler: the pure state machine of an apply, driven by hand without
// threads (ninja's PlanTest style). Every test builds a small DAG, then
// steps Next()/Succeeded()/Failed() and checks what may run.
#include "engine/apply/scheduler.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace paiplan::apply {
namespace {

using Deps = std::vector<std::vector<int>>;

Scheduler Make(Deps deps, std::vector<std::string> machines = {}) {
  if (machines.empty()) machines.assign(deps.size(), "");
  return Scheduler(std::move(deps), std::move(machines));
}

// Drains Next() until it returns -1.
std::vector<int> StartAll(Scheduler& s) {
  std::vector<int> out;
  for (int i; (i = s.Next()) >= 0;) out.push_back(i);
  return out;
}

TEST(SchedulerTest, ReadyOrderIsByIndex) {
  Scheduler s = Make({{}, {}, {}, {}});
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(s.running(), 4);
}

TEST(SchedulerTest, ReadyOrderIsByIndexRegardlessOfCompletionOrder) {
  // 0 and 1 are roots; 2 needs 1, 3 needs 0. Finishing 1 before 0 must not
  // reorder the ready queue: it is index order, not arrival order.
  Scheduler s = Make({{}, {}, {1}, {0}});
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 1}));
  s.Succeeded(1);
  s.Succeeded(0);
  EXPECT_EQ(StartAll(s), (std::vector<int>{2, 3}));
}

TEST(SchedulerTest, SameRunTwiceGivesSameOrder) {
  auto run = [] {
    Scheduler s = Make({{}, {0}, {0}, {1, 2}, {}, {4}}, {"a", "a", "b", "", "b", ""});
    std::vector<int> order;
    while (!s.AllSettled()) {
      std::vector<int> started = StartAll(s);
      order.insert(order.end(), started.begin(), started.end());
      for (int i : started) s.Succeeded(i);
    }
    return order;
  };
  std::vector<int> first = run();
  EXPECT_EQ(first.size(), 6u);
  EXPECT_EQ(first, run());
}

TEST(SchedulerTest, StartsOnlyAfterEveryDependencySucceeded) {
  // 2 needs 0 and 1.
  Scheduler s = Make({{}, {}, {0, 1}});
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 1}));
  EXPECT_EQ(s.state(2), TaskState::kWaiting);
  s.Succeeded(0);
  EXPECT_EQ(s.Next(), -1) << "2 still waits for 1";
  EXPECT_EQ(s.state(2), TaskState::kWaiting);
  s.Succeeded(1);
  EXPECT_EQ(s.state(2), TaskState::kReady);
  EXPECT_EQ(s.Next(), 2);
  EXPECT_EQ(s.state(2), TaskState::kRunning);
}

TEST(SchedulerTest, ChainRunsOneAtATime) {
  Scheduler s = Make({{}, {0}, {1}, {2}});
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(StartAll(s), (std::vector<int>{i}));
    s.Succeeded(i);
  }
  EXPECT_TRUE(s.AllSettled());
  EXPECT_EQ(s.Count(TaskState::kDone), 4);
}

TEST(SchedulerTest, OneActionPerMachineAtATime) {
  // 0 and 1 on machine m, 2 on n, 3 on no machine: all independent.
  Scheduler s = Make({{}, {}, {}, {}}, {"m", "m", "n", ""});
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 2, 3})) << "1 waits for machine m";
  EXPECT_EQ(s.state(1), TaskState::kReady);
  s.Succeeded(2);
  EXPECT_EQ(s.Next(), -1) << "freeing n does not free m";
  s.Succeeded(0);
  EXPECT_EQ(StartAll(s), (std::vector<int>{1}));
}

TEST(SchedulerTest, BusyMachineDoesNotBlockLaterActionsOnOtherMachines) {
  Scheduler s = Make({{}, {}, {}}, {"m", "m", "n"});
  EXPECT_EQ(s.Next(), 0);
  EXPECT_EQ(s.Next(), 2) << "1 is skipped over (m busy), 2 is free";
  EXPECT_EQ(s.Next(), -1);
}

TEST(SchedulerTest, FailureFreesTheMachine) {
  Scheduler s = Make({{}, {}}, {"m", "m"});
  EXPECT_EQ(StartAll(s), (std::vector<int>{0}));
  EXPECT_TRUE(s.Failed(0).empty()) << "1 does not depend on 0";
  EXPECT_EQ(StartAll(s), (std::vector<int>{1}));
}

TEST(SchedulerTest, NoMachineMeansNoExclusivity) {
  Scheduler s = Make({{}, {}, {}});
  EXPECT_EQ(StartAll(s).size(), 3u);
}

// 0 → 1 → 2, 0 → 3, 4 → 5 (unrelated), 6 needs 1 and 4.
Deps Forest() { return {{}, {0}, {1}, {0}, {}, {4}, {1, 4}}; }

TEST(SchedulerTest, FailureSkipsExactlyItsDescendants) {
  Scheduler s = Make(Forest());
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 4}));
  s.Succeeded(0);
  EXPECT_EQ(StartAll(s), (std::vector<int>{1, 3}));
  EXPECT_EQ(s.Failed(1), (std::vector<int>{2, 6}));
  EXPECT_EQ(s.state(2), TaskState::kSkipped);
  EXPECT_EQ(s.state(6), TaskState::kSkipped);
  // The sibling branch (3) and the unrelated tree (4, 5) go on.
  EXPECT_EQ(s.state(3), TaskState::kRunning);
  EXPECT_EQ(s.state(4), TaskState::kRunning);
  s.Succeeded(3);
  s.Succeeded(4);
  EXPECT_EQ(StartAll(s), (std::vector<int>{5})) << "6 stays skipped although 4 succeeded";
  s.Succeeded(5);
  EXPECT_TRUE(s.AllSettled());
  EXPECT_EQ(s.Count(TaskState::kDone), 4);
  EXPECT_EQ(s.Count(TaskState::kFailed), 1);
  EXPECT_EQ(s.Count(TaskState::kSkipped), 2);
}

TEST(SchedulerTest, SkippedByNamesTheRootCause) {
  Scheduler s = Make({{}, {0}, {1}, {2}, {}});
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 4}));
  EXPECT_EQ(s.Failed(0), (std::vector<int>{1, 2, 3}));
  for (int i : {1, 2, 3}) EXPECT_EQ(s.skipped_by(i), 0) << i << " is skipped because of 0, not its parent";
  EXPECT_EQ(s.skipped_by(0), -1);
  EXPECT_EQ(s.skipped_by(4), -1);
}

TEST(SchedulerTest, FirstFailureKeepsTheBlame) {
  // 2 needs 0 and 1; both fail, 0 first.
  Scheduler s = Make({{}, {}, {0, 1}});
  StartAll(s);
  EXPECT_EQ(s.Failed(0), (std::vector<int>{2}));
  EXPECT_TRUE(s.Failed(1).empty()) << "2 was already skipped";
  EXPECT_EQ(s.skipped_by(2), 0);
  EXPECT_TRUE(s.AllSettled());
}

TEST(SchedulerTest, DiamondRunsTheJoinAfterBothBranches) {
  // 0 → {1, 2} → 3
  Scheduler s = Make({{}, {0}, {0}, {1, 2}});
  EXPECT_EQ(StartAll(s), (std::vector<int>{0}));
  s.Succeeded(0);
  EXPECT_EQ(StartAll(s), (std::vector<int>{1, 2}));
  s.Succeeded(2);
  EXPECT_EQ(s.Next(), -1);
  s.Succeeded(1);
  EXPECT_EQ(StartAll(s), (std::vector<int>{3}));
}

TEST(SchedulerTest, DiamondBranchFailureSkipsTheJoinButNotTheOtherBranch) {
  Scheduler s = Make({{}, {0}, {0}, {1, 2}});
  StartAll(s);
  s.Succeeded(0);
  StartAll(s);
  EXPECT_EQ(s.Failed(1), (std::vector<int>{3}));
  EXPECT_EQ(s.state(2), TaskState::kRunning);
  EXPECT_FALSE(s.AllSettled()) << "2 still runs";
  s.Succeeded(2);
  EXPECT_EQ(s.Next(), -1) << "the join never starts";
  EXPECT_EQ(s.state(3), TaskState::kSkipped);
  EXPECT_TRUE(s.AllSettled());
}

TEST(SchedulerTest, DiamondRootFailureSkipsEachDescendantOnce) {
  // Two paths from 0 to 3 must not report 3 twice.
  Scheduler s = Make({{}, {0}, {0}, {1, 2}, {3}});
  StartAll(s);
  EXPECT_EQ(s.Failed(0), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(s.Count(TaskState::kSkipped), 4);
}

TEST(SchedulerTest, ReadyActionWaitsForItsMachineThenCanFail) {
  // 1 (machine m) needs 0; 2 holds m. When 0 succeeds, 1 is ready but m is
  // busy, so it is not started until 2 finishes.
  Scheduler s = Make({{}, {0}, {}, {1}}, {"", "m", "m", ""});
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 2}));
  s.Succeeded(0);
  EXPECT_EQ(s.state(1), TaskState::kReady);
  EXPECT_EQ(s.Next(), -1) << "m is busy";
  s.Succeeded(2);
  EXPECT_EQ(StartAll(s), (std::vector<int>{1}));
  EXPECT_EQ(s.Failed(1), (std::vector<int>{3}));
  EXPECT_TRUE(s.AllSettled());
}

TEST(SchedulerTest, SkippedActionNeverStartsWhenItsMachineFrees) {
  // 2 (machine m, held by 1) needs 0 and 4; 0 succeeds, 4 fails: 2 and its
  // dependent 3 are skipped, and freeing m must not start 2.
  Scheduler s = Make({{}, {}, {0, 4}, {2}, {}}, {"", "m", "m", "", ""});
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 1, 4}));
  s.Succeeded(0);
  EXPECT_EQ(s.Failed(4), (std::vector<int>{2, 3}));
  s.Succeeded(1);
  EXPECT_EQ(s.Next(), -1);
  EXPECT_TRUE(s.AllSettled());
}

TEST(SchedulerTest, AllSettled) {
  Scheduler empty = Make({});
  EXPECT_TRUE(empty.AllSettled());
  EXPECT_EQ(empty.Next(), -1);

  Scheduler s = Make({{}, {0}});
  EXPECT_FALSE(s.AllSettled()) << "ready and waiting";
  EXPECT_EQ(s.Next(), 0);
  EXPECT_FALSE(s.AllSettled()) << "running";
  s.Succeeded(0);
  EXPECT_FALSE(s.AllSettled()) << "1 ready";
  EXPECT_EQ(s.Next(), 1);
  s.Succeeded(1);
  EXPECT_TRUE(s.AllSettled());
}

TEST(SchedulerTest, NotStartedActionsKeepTheApplyUnsettled) {
  // The executor stops calling Next() on interrupt: what was not started
  // stays waiting/ready, so AllSettled() is false but nothing runs.
  Scheduler s = Make({{}, {}, {0}});
  EXPECT_EQ(s.Next(), 0);
  s.Succeeded(0);
  EXPECT_EQ(s.running(), 0);
  EXPECT_FALSE(s.AllSettled());
  EXPECT_EQ(s.Count(TaskState::kReady), 2);
}

TEST(SchedulerTest, CountsEveryState) {
  Scheduler s = Make({{}, {}, {1}, {}, {}}, {"", "", "", "x", "x"});
  EXPECT_EQ(s.Count(TaskState::kReady), 4);
  EXPECT_EQ(s.Count(TaskState::kWaiting), 1);
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(s.Count(TaskState::kRunning), 3);
  s.Succeeded(0);
  s.Failed(1);
  EXPECT_EQ(s.Count(TaskState::kDone), 1);
  EXPECT_EQ(s.Count(TaskState::kFailed), 1);
  EXPECT_EQ(s.Count(TaskState::kSkipped), 1);
  EXPECT_EQ(s.Count(TaskState::kReady), 1) << "4 waits for machine x";
  EXPECT_EQ(s.running(), 1);
}

TEST(SchedulerTest, LargeRandomDagRespectsEveryRule) {
  // A pseudo-random DAG (edges only from lower to higher index), 4
  // machines; fail every 7th action. Checks every invariant at every step.
  const int n = 300;
  Deps deps(n);
  std::vector<std::string> machines(n);
  uint32_t x = 12345;
  auto rnd = [&] { x = x * 1103515245u + 12345u; return (x >> 16) & 0x7fff; };
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 3 && i > 0; ++k)
      if (rnd() % 3 == 0) deps[i].push_back(int(rnd() % uint32_t(i)));
    if (rnd() % 2) machines[i] = "m" + std::to_string(rnd() % 4);
  }
  Scheduler s = Make(deps, machines);
  std::vector<bool> failed_root(n, false);
  int steps = 0;
  while (!s.AllSettled()) {
    std::vector<int> started = StartAll(s);
    ASSERT_FALSE(started.empty()) << "stuck with nothing running";
    std::set<std::string> busy;
    for (int i : started) {
      for (int d : deps[i]) ASSERT_EQ(s.state(d), TaskState::kDone) << i << " started before " << d;
      if (!machines[i].empty()) ASSERT_TRUE(busy.insert(machines[i]).second) << "machine " << machines[i];
    }
    for (int i : started) {
      if (i % 7 == 3) {
        failed_root[i] = true;
        for (int sk : s.Failed(i)) ASSERT_EQ(s.skipped_by(sk), i);
      } else {
        s.Succeeded(i);
      }
    }
    ASSERT_LT(++steps, 10 * n);
  }
  // Skipped exactly when some ancestor failed.
  for (int i = 0; i < n; ++i) {
    bool bad_ancestor = false;
    std::vector<int> stack = deps[i];
    std::set<int> seen;
    while (!stack.empty()) {
      int d = stack.back();
      stack.pop_back();
      if (!seen.insert(d).second) continue;
      if (failed_root[d]) bad_ancestor = true;
      stack.insert(stack.end(), deps[d].begin(), deps[d].end());
    }
    if (failed_root[i]) EXPECT_EQ(s.state(i), TaskState::kFailed);
    else if (bad_ancestor) EXPECT_EQ(s.state(i), TaskState::kSkipped) << i;
    else EXPECT_EQ(s.state(i), TaskState::kDone) << i;
  }
  EXPECT_GT(s.Count(TaskState::kSkipped), 0);
}

}  // namespace
}  // namespace paiplan::apply
