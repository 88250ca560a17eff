// node.<host> over real SSH (issue 5): bootstrap many machines in one apply,
// repair a marker deleted out of band, clean a machine removed from the layout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/ssh_e2e/e2e_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class SshE2eBootstrapTest : public SshE2eTest {};

// 20 machines in one apply: every node gets its package (checksummed on the
// node), its rendered node.env and a marker naming its role and the hash the
// state recorded; a second plan sees nothing to do; one SSH login per node
// for the whole apply (plan + bootstrap share the pooled session).
TEST_F(SshE2eBootstrapTest, TwentyMachinesInOneApplyThenNoChanges) {
  constexpr int kNodes = 20;
  ASSERT_NO_FATAL_FAILURE(StartCluster(kNodes));

  RunResult plan = Paiplan({"plan", "--detailed-exitcode"});
  ASSERT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("+ node.node0"));
  EXPECT_THAT(plan.out, HasSubstr("+ node.node19"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 20 to add, 0 to change, 0 to destroy."));

  std::vector<int> logins_before(kNodes);
  for (int i = 0; i < kNodes; ++i) logins_before[size_t(i)] = AcceptedLogins(i);
  RunResult apply = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.rc, 0) << apply.all();
  EXPECT_THAT(apply.out, HasSubstr("Apply complete! Actions: 20 done, 0 failed"));

  std::string package_sum = Shell("sha256sum < '" + ws_ + "/roles/worker/package.bin' | cut -d' ' -f1").out;
  ASSERT_EQ(package_sum.size(), 65u);
  package_sum.pop_back();
  for (int i = 0; i < kNodes; ++i) {
    SCOPED_TRACE("node " + std::to_string(i));
    auto m = Marker(i);
    ASSERT_TRUE(m.is_object()) << MarkerPath(i) << ": " << ReadFile(MarkerPath(i));
    EXPECT_EQ(m.value("hostname", ""), Host(i));
    EXPECT_EQ(m.value("role", ""), Role(i));
    auto rec = StateRecord("node." + Host(i));
    ASSERT_TRUE(rec.is_object());
    EXPECT_EQ(rec.value("last_outcome", ""), "success");
    EXPECT_FALSE(m.value("hash", "").empty());
    EXPECT_EQ(m.value("hash", ""), rec.value("hash", "?")) << "the marker carries the recorded hash";
    EXPECT_EQ(m.value("package_hash", ""), rec["attributes"].value("package_hash", "?"));
    EXPECT_EQ(ReadFile(NodeFile(i, "etc/package.sha256")), package_sum + "  package.bin\n");
    EXPECT_THAT(ReadFile(NodeFile(i, "etc/node.env")), HasSubstr("HOSTIP=" + h_->ip(i) + "\n"));
    EXPECT_EQ(ReadFile(NodeFile(i, "bootstrap.log")), "bootstrap " + Host(i) + " " + Role(i) + "\n");
    EXPECT_EQ(AcceptedLogins(i) - logins_before[size_t(i)], 1)
        << "plan (marker read) and bootstrap (upload, exec, marker) share one session";
  }
  RunResult again = Paiplan({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.rc, 0) << again.all();
  EXPECT_THAT(again.out, HasSubstr("No changes"));
}

// A marker deleted behind paiplan's back: drift reports it (exit 2), the plan
// re-bootstraps exactly that machine and says why, apply repairs it, and
// drift is clean again (exit 0).
TEST_F(SshE2eBootstrapTest, DeletedMarkerIsReBootstrappedOnThatMachineOnly) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(3));
  RunResult apply = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.rc, 0) << apply.all();
  ASSERT_TRUE(Exists(MarkerPath(1)));
  ASSERT_EQ(::unlink(MarkerPath(1).c_str()), 0);

  RunResult drift = Paiplan({"drift"});
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("node.node1"));
  EXPECT_THAT(drift.out, HasSubstr("bootstrap marker missing on the node (/var/lib/paiplan/node.json)"));

  RunResult plan = Paiplan({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("-/+ node.node1"));
  EXPECT_THAT(plan.out, HasSubstr("bootstrap marker missing on the node (/var/lib/paiplan/node.json)"));
  EXPECT_THAT(PlannedChanges(), ElementsAre(Pair("node.node1", "replace")));

  RunResult fix = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(fix.rc, 0) << fix.all();
  EXPECT_THAT(fix.out, HasSubstr("Actions: 1 done, 0 failed"));
  auto m = Marker(1);
  ASSERT_TRUE(m.is_object());
  EXPECT_EQ(m.value("role", ""), "worker");
  EXPECT_EQ(ReadFile(NodeFile(1, "bootstrap.log")), "bootstrap node1 worker\nbootstrap node1 worker\n");
  EXPECT_EQ(ReadFile(NodeFile(0, "bootstrap.log")), "bootstrap node0 master\n") << "node0 was left alone";
  EXPECT_EQ(ReadFile(NodeFile(2, "bootstrap.log")), "bootstrap node2 worker\n") << "node2 was left alone";

  RunResult clean = Paiplan({"drift"});
  EXPECT_EQ(clean.rc, 0) << clean.all();
}

// A machine dropped from layout.yaml is cleaned: clean.sh runs on it (over
// SSH, with the connection details recorded at bootstrap) and its marker
// goes; the other machines are untouched.
TEST_F(SshE2eBootstrapTest, MachineRemovedFromLayoutIsCleaned) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(3));
  RunResult apply = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.rc, 0) << apply.all();
  ASSERT_TRUE(Exists(NodeFile(2, "etc/node.env")));

  WriteLayout({0, 1});
  RunResult plan = Paiplan({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("- node.node2"));
  EXPECT_THAT(plan.out, HasSubstr("machine node2 removed from layout.yaml"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 0 to add, 0 to change, 1 to destroy."));
  EXPECT_THAT(PlannedChanges(), ElementsAre(Pair("node.node2", "delete")));

  RunResult del = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(del.rc, 0) << del.all();
  EXPECT_EQ(ReadFile(NodeFile(2, "cleaned")), "cleaned node2 worker\n") << "clean.sh ran on node2";
  EXPECT_FALSE(Exists(NodeFile(2, "etc"))) << "clean.sh removed what bootstrap wrote";
  EXPECT_FALSE(Exists(MarkerPath(2))) << "the marker was removed";
  for (int i : {0, 1}) {
    EXPECT_TRUE(Exists(MarkerPath(i)));
    EXPECT_FALSE(Exists(NodeFile(i, "cleaned")));
  }
  RunResult list = Paiplan({"state", "list"});
  EXPECT_EQ(list.out, "node.node0\nnode.node1\n") << list.all();
  EXPECT_EQ(Paiplan({"plan", "--detailed-exitcode"}).rc, 0);
}

}  // namespace
}  // namespace paiplan::ssh_e2e
