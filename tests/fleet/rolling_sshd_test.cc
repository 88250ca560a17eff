// Rolling replacement on real sshd nodes (docs/failure-semantics.md, "Rolling
// replacement"): a role package change re-bootstraps every worker in batches
// of rolling.max-unavailable; the role's health.sh gates each batch; a batch
// whose health gate fails halts the roll, the later batches are not started
// (shown so, recorded as not done), and the next apply continues.
//
// The workers' hook (sourced by bootstrap.sh) logs each start to
// /var/lib/paiplan/started.log and waits while /var/lib/paiplan/hold exists;
// health.sh logs each run and fails while /var/lib/paiplan/unhealthy exists.
// bootstrap.log gets a line per completed bootstrap (the fixture's script).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/ssh_e2e/e2e_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* kHoldHook = R"(# rolling test hook: logs the start, waits while held
echo "{{ host['hostname'] }}" >> /var/lib/paiplan/started.log
while [ -e /var/lib/paiplan/hold ]; do sleep 0.1; done
)";

const char* kHealth = R"SH(#!/usr/bin/env bash
echo run >> /var/lib/paiplan/health.log
if [ -e /var/lib/paiplan/unhealthy ]; then echo "unhealthy: $(cat /var/lib/paiplan/unhealthy)" >&2; exit 1; fi
)SH";

class RollingSshTest : public SshE2eTest {
 protected:
  // Changes the worker role package: the hold hook and health.sh.
  void ChangeWorkerPackage() {
    WriteFile(ws_ + "/roles/worker/hook.sh.template", kHoldHook);
    WriteFile(ws_ + "/roles/worker/health.sh", kHealth);
  }
  int Lines(int node, const std::string& file) { return CountOf(ReadFile(NodeFile(node, file)), "\n"); }
};

TEST_F(RollingSshTest, AFailedHealthGateHaltsTheRollAndTheNextApplyContinues) {
  ClusterOptions o;
  o.extra_settings = "rolling:\n  max-unavailable: 2\n  health-timeout: 2s\n";
  ASSERT_NO_FATAL_FAILURE(StartCluster(7, o));  // node0 master, node1..node6 workers
  RunResult first = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(first.rc, 0) << first.all();
  ChangeWorkerPackage();
  WriteFile(NodeFile(3, "unhealthy"), "disk full\n");

  RunResult plan = Paiplan({"plan"});
  EXPECT_EQ(plan.rc, 0) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("note: rolling batch 2 of 3 (max-unavailable 2)"));
  EXPECT_THAT(plan.out, HasSubstr("\nRolling replacement: 6 machines in 3 batches; halts after 1 failed batch\n"
                                  "  batch 1: node.node1, node.node2\n  batch 2: node.node3, node.node4\n"
                                  "  batch 3: node.node5, node.node6\n"));

  RunResult apply = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.rc, 1) << apply.all();
  EXPECT_THAT(apply.out, HasSubstr("Rolling batch 1 of 3 passed its health gate (2 machines)."));
  EXPECT_THAT(apply.out, HasSubstr("Rolling batch 2 of 3 failed: 1 of 2 machines failed or did not become healthy "
                                   "(node.node3)."));
  EXPECT_THAT(apply.out, HasSubstr("Rolling replacement halted: batch 3 not started (2 machines: node.node5, "
                                   "node.node6)."));
  EXPECT_THAT(apply.out, HasSubstr("3 done, 1 failed, 0 skipped, 2 not started"));
  EXPECT_THAT(apply.out, HasSubstr("Rolling replacement halted after 1 failed batch (batch 2 of 3)"));
  EXPECT_THAT(apply.err, HasSubstr("health gate: node3 did not become healthy within 2 s"));
  EXPECT_THAT(apply.err, HasSubstr("unhealthy: disk full"));
  for (int i : {1, 2, 3, 4}) EXPECT_EQ(Lines(i, "bootstrap.log"), 2) << "node" << i;
  for (int i : {5, 6}) {
    EXPECT_EQ(Lines(i, "bootstrap.log"), 1) << "node" << i << " is in a batch that was not started";
    EXPECT_FALSE(Exists(NodeFile(i, "started.log"))) << "node" << i;
  }
  EXPECT_GE(Lines(3, "health.log"), 1);
  EXPECT_EQ(Lines(4, "health.log"), 1) << "a healthy machine passes at the first check";

  auto rest = PlannedChanges();
  EXPECT_EQ(rest, (std::map<std::string, std::string>{
                      {"node.node3", "replace"}, {"node.node5", "replace"}, {"node.node6", "replace"}}))
      << "the failed machine and the batch not started are not done";

  ASSERT_EQ(Shell("rm '" + NodeFile(3, "unhealthy") + "'").rc, 0);
  RunResult again = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(again.rc, 0) << again.all();
  for (int i : {3, 5, 6}) EXPECT_EQ(Lines(i, "bootstrap.log"), i == 3 ? 3 : 2) << "node" << i;
  for (int i : {1, 2, 4}) EXPECT_EQ(Lines(i, "bootstrap.log"), 2) << "node" << i << " ran again";
  EXPECT_EQ(Paiplan({"plan", "--detailed-exitcode"}).rc, 0);
}

// The issue's scenario: 20 nodes, 2 of them down, a role package change
// rolled in batches of 5, one batch failing its health gate (halt), then a
// kill -9 during the next batch, then the saved plan resumed: it converges,
// nothing is lost, and nothing runs twice beyond the actions that were in
// flight (and the one machine whose health gate failed, which is not done).
// Batches follow address order (node10 before node2).
TEST_F(RollingSshTest, TwentyNodesTwoDownHealthHaltKillNineAndResume) {
  ClusterOptions o;
  o.extra_settings = "rolling:\n  max-unavailable: 5\n  health-timeout: 2s\n";
  ASSERT_NO_FATAL_FAILURE(StartCluster(20, o));
  RunResult first = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(first.rc, 0) << first.all();
  const std::vector<int> down = {7, 13};
  for (int i : down) ASSERT_TRUE(h_->Stop(i).ok());
  ChangeWorkerPackage();
  // Workers node1..node19 without node7 and node13, in address order, in batches of 5:
  const std::vector<std::vector<int>> batches = {
      {1, 10, 11, 12, 14}, {15, 16, 17, 18, 19}, {2, 3, 4, 5, 6}, {8, 9}};
  WriteFile(NodeFile(17, "unhealthy"), "kubelet not running\n");

  std::string file = ws_ + "/roll.plan";
  RunResult plan = Paiplan({"plan", "-o", file});
  EXPECT_EQ(plan.rc, 1) << "partial: two machines are down\n" << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("Rolling replacement: 17 machines in 4 batches; halts after 1 failed batch\n"
                                  "  batch 1: node.node1, node.node10, node.node11, node.node12, node.node14\n"
                                  "  batch 2: node.node15, node.node16, node.node17, node.node18, node.node19\n"
                                  "  batch 3: node.node2, node.node3, node.node4, node.node5, node.node6\n"
                                  "  batch 4: node.node8, node.node9\n"));
  EXPECT_THAT(plan.out, HasSubstr("Not observed (left out):\n  node.node13 \u2014 "));

  // 1. The health gate of batch 2 fails: the roll halts.
  RunResult halted = Paiplan({"apply", file});
  EXPECT_EQ(halted.rc, 1) << halted.all();
  EXPECT_THAT(halted.out, HasSubstr("Rolling batch 2 of 4 failed: 1 of 5 machines failed or did not become healthy "
                                    "(node.node17)."));
  EXPECT_THAT(halted.out, HasSubstr("Rolling replacement halted: batches 3-4 not started (7 machines: "));
  for (int i : batches[2]) EXPECT_EQ(Lines(i, "bootstrap.log"), 1) << "node" << i << " started after the halt";

  // 2. Health fixed; the resumed plan is killed (-9) while batch 3 is in flight.
  ASSERT_EQ(Shell("rm '" + NodeFile(17, "unhealthy") + "'").rc, 0);
  for (int i : batches[2]) WriteFile(NodeFile(i, "hold"), "");
  auto resumed = StartPaiplan({"apply", file});
  bool in_flight = false;
  for (int t = 0; t < 1200 && !in_flight && resumed->Running(); ++t) {  // safety net, not a criterion
    in_flight = true;
    for (int i : batches[2]) in_flight = in_flight && Lines(i, "started.log") == 1;
    if (!in_flight) SleepMs(100);
  }
  ASSERT_TRUE(in_flight) << "batch 3 never started: " << resumed->Wait().all();
  ASSERT_EQ(::kill(resumed->pid(), SIGKILL), 0);
  RunResult killed = resumed->Wait();
  EXPECT_EQ(killed.rc, -1) << killed.all();
  for (int i : batches[3]) EXPECT_FALSE(Exists(NodeFile(i, "started.log"))) << "node" << i << ": batch 4 started";

  // 3. The same saved plan resumed: it converges.
  for (int i : batches[2]) ASSERT_EQ(Shell("rm '" + NodeFile(i, "hold") + "'").rc, 0);
  RunResult done = Paiplan({"apply", file});
  EXPECT_EQ(done.rc, 1) << "still partial (two machines down)\n" << done.all();
  EXPECT_THAT(done.out, HasSubstr("Resuming " + file + ": 10 actions were done by an earlier run of this plan"));
  EXPECT_THAT(done.out, HasSubstr("7 done, 0 failed, 0 skipped, 0 not started"));

  // Nothing run twice beyond what was in flight (batch 3) and node17's failed health gate.
  for (int i = 1; i < 20; ++i) {
    if (i == 7 || i == 13) {
      EXPECT_EQ(Lines(i, "bootstrap.log"), 1) << "node" << i << " is down";
      continue;
    }
    bool in_batch3 = std::find(batches[2].begin(), batches[2].end(), i) != batches[2].end();
    EXPECT_EQ(Lines(i, "started.log"), in_batch3 || i == 17 ? 2 : 1) << "node" << i;
    EXPECT_EQ(Lines(i, "bootstrap.log"), i == 17 ? 3 : 2) << "node" << i;
  }
  EXPECT_EQ(Lines(0, "bootstrap.log"), 1) << "the master's package did not change";

  // Nothing lost: with the two machines back, only they remain.
  for (int i : down) ASSERT_TRUE(h_->Start(i).ok());
  EXPECT_EQ(PlannedChanges(), (std::map<std::string, std::string>{{"node.node13", "replace"},
                                                                  {"node.node7", "replace"}}));
  RunResult last = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(last.rc, 0) << last.all();
  EXPECT_EQ(Paiplan({"plan", "--detailed-exitcode"}).rc, 0);
}

}  // namespace
}  // namespace paiplan::ssh_e2e
