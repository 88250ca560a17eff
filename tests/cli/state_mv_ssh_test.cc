// `state mv` of a renamed machine, against real sshd machines (reached by
// their hostip, so a new hostname is still the same machine): after the move
// the next plan shows no change, and the marker the machine still carries
// (written under the old hostname) is accepted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/ssh_e2e/e2e_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

using ::testing::HasSubstr;

class CliStateMvSshTest : public SshE2eTest {
 protected:
  // Two machines bootstrapped with packages that do not name the machine
  // (so a rename keeps hostip, role and package the same), then node1
  // renamed web-1 in layout.yaml.
  void BootstrappedThenRenamed() {
    ASSERT_NO_FATAL_FAILURE(StartCluster(2));
    for (const char* r : {"master", "worker"})
      WriteFile(ws_ + "/roles/" + r + "/node.env.template", "HOSTIP={{ host['hostip'] }}\nROLE={{ host['k8s-role'] }}\n");
    RunResult apply = Paiplan({"apply", "--auto-approve"});
    ASSERT_EQ(apply.rc, 0) << apply.all();
    std::string layout = ReadFile(ws_ + "/layout.yaml");
    size_t at = layout.find("hostname: node1\n");
    ASSERT_NE(at, std::string::npos) << layout;
    WriteFile(ws_ + "/layout.yaml", layout.replace(at, 16, "hostname: web-1\n"));
  }
};

TEST_F(CliStateMvSshTest, RenamedMachineIsAdoptedWithoutABootstrap) {
  ASSERT_NO_FATAL_FAILURE(BootstrappedThenRenamed());
  // Without the move, the rename is a clean of the old name and a bootstrap of the new.
  std::map<std::string, std::string> want = {{"node.node1", "delete"}, {"node.web-1", "create"}};
  EXPECT_EQ(PlannedChanges(), want);
  int boots = CountOf(ReadFile(NodeFile(1, "bootstrap.log")), "\n");
  ASSERT_GT(boots, 0);

  auto serial = nlohmann::json::parse(Paiplan({"state", "pull"}).out)["serial"].get<int>();
  RunResult mv = Paiplan({"state", "mv", "node.node1", "node.web-1"});
  ASSERT_EQ(mv.rc, 0) << mv.all();
  EXPECT_EQ(mv.out, "Moved node.node1 to node.web-1 (state serial " + std::to_string(serial + 1) +
                        "); nothing on the cluster was touched.\n");
  RunResult plan = Paiplan({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.rc, 0) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("No changes."));
  RunResult drift = Paiplan({"drift"});
  EXPECT_EQ(drift.rc, 0) << drift.all();
  // The marker still names the old host; the record remembers its hash.
  EXPECT_EQ(Marker(1)["hostname"], "node1");
  nlohmann::json rec = StateRecord("node.web-1");
  EXPECT_EQ(rec["attributes"]["hostname"], "web-1");
  EXPECT_EQ(rec["marker_hash"], Marker(1)["hash"]);
  EXPECT_EQ(rec["moved_from"], "node.node1");

  RunResult apply = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.rc, 0) << apply.all();
  EXPECT_EQ(CountOf(ReadFile(NodeFile(1, "bootstrap.log")), "\n"), boots) << "the machine was bootstrapped again";
  // A later forced re-bootstrap writes the marker under the new name.
  RunResult again = Paiplan({"apply", "--auto-approve", "--replace", "node.web-1"});
  ASSERT_EQ(again.rc, 0) << again.all();
  EXPECT_EQ(Marker(1)["hostname"], "web-1");
  EXPECT_EQ(Paiplan({"plan", "--detailed-exitcode"}).rc, 0);
}

TEST_F(CliStateMvSshTest, MarkerOfAnotherMachineIsStillDrift) {
  ASSERT_NO_FATAL_FAILURE(BootstrappedThenRenamed());
  ASSERT_EQ(Paiplan({"state", "mv", "node.node1", "node.web-1"}).rc, 0);
  // A marker that is neither the recorded one nor the one moved with it.
  nlohmann::json m = Marker(1);
  m["hash"] = std::string(64, 'a');
  WriteFile(MarkerPath(1), m.dump(2) + "\n");
  RunResult drift = Paiplan({"drift"});
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("node.web-1 (node): bootstrap marker on the node differs from the state: hash aaaaaaaaaaaa"));
}

}  // namespace
}  // namespace paiplan::ssh_e2e
