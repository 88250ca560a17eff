// node.<host> over real SSH, through the paiplan binary: which identity is
// used (layout.yaml keyfile-path over paiplan.yaml ssh.identity), ProxyJump
// through a bastion from layout.yaml (with the host-key policy passed to the
// bastion hop), a marker edited out of band, and ssh.command-timeout on
// clean.sh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/ssh_e2e/e2e_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

class SshE2eOptionsTest : public SshE2eTest {
 protected:
  // A fresh key that no node authorizes.
  std::string UnauthorizedKey() {
    std::string key = ws_ + "/unauthorized_key";
    EXPECT_EQ(Shell("ssh-keygen -q -t ed25519 -N '' -f '" + key + "'").rc, 0);
    return key;
  }
  // Removes node i's line from the workspace known_hosts.
  void ForgetHostKey(int i) {
    std::string entry = "[" + h_->ip(i) + "]:" + std::to_string(h_->port()) + " ";
    std::istringstream in(ReadFile(known_hosts_));
    std::string kh;
    int dropped = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(entry, 0) == 0) ++dropped;
      else kh += line + "\n";
    }
    ASSERT_EQ(dropped, 1) << kh;
    WriteFile(known_hosts_, kh);
  }
  // layout.yaml: node0 (master, direct) and node2 reached through node1,
  // which is only a bastion (not a machine of the layout).
  void WriteBastionLayout() {
    entry_options_[2].extra = "    proxy-jump: root@" + h_->ip(1) + ":" + std::to_string(h_->port()) + "\n";
    WriteLayout({0, 2});
  }
  // "server_request_direct_tcpip: ... target IP port PORT" in node i's sshd log (DEBUG).
  int JumpsTo(int bastion, int target) const {
    return CountOf(ReadFile(h_->log_path(bastion)),
                   "target " + h_->ip(target) + " port " + std::to_string(h_->port()));
  }
};

// No keyfile-path in layout.yaml: ssh.identity from paiplan.yaml is used.
TEST_F(SshE2eOptionsTest, SettingsIdentityIsUsedWhenTheLayoutHasNoKeyfile) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1));
  entry_options_[0].keyfile = "";
  WriteLayout({0});
  options_.ssh_settings = "  identity: " + h_->client_key() + "\n";
  WriteSettings("");
  RunResult apply = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.rc, 0) << apply.all();
  EXPECT_TRUE(Marker(0).is_object());
}

// keyfile-path in layout.yaml wins over ssh.identity, both ways.
TEST_F(SshE2eOptionsTest, LayoutKeyfileOverridesSettingsIdentity) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2));
  std::string bad = UnauthorizedKey();
  entry_options_[0].keyfile = h_->client_key();  // good key in the layout, bad in settings
  entry_options_[1].keyfile = bad;               // bad key in the layout, good in settings
  WriteLayout({0, 1});
  options_.ssh_settings = "  identity: " + bad + "\n";
  WriteSettings("");
  RunResult apply = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.rc, 1) << apply.all();
  EXPECT_THAT(apply.all(), HasSubstr("Actions: 1 done, 1 failed"));
  EXPECT_TRUE(Marker(0).is_object()) << "node0 used the layout's good key, not ssh.identity";
  EXPECT_FALSE(Exists(MarkerPath(1)));

  options_.ssh_settings = "  identity: " + h_->client_key() + "\n";
  WriteSettings("");
  RunResult again = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(again.rc, 1) << again.all();
  // The machine that cannot be reached is left out (docs/failure-semantics.md),
  // named with why under "Not observed" on stdout.
  EXPECT_THAT(again.all(), HasSubstr("authentication failed for root@" + h_->ip(1) + ":" +
                                   std::to_string(h_->port()) + " (tried: key " + bad + ")"));
  EXPECT_FALSE(Exists(MarkerPath(1))) << "node1 used the layout's bad key, not ssh.identity";
}

// proxy-jump in layout.yaml: node2 is bootstrapped through node1's sshd,
// whose log shows the forwarded connection; the bastion itself is untouched.
TEST_F(SshE2eOptionsTest, ProxyJumpFromLayoutGoesThroughTheBastion) {
  ClusterOptions o;
  o.log_level = "DEBUG";  // sshd logs direct-tcpip requests at DEBUG
  ASSERT_NO_FATAL_FAILURE(StartCluster(3, o));
  WriteBastionLayout();
  ASSERT_EQ(JumpsTo(1, 2), 0);
  RunResult apply = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.rc, 0) << apply.all();
  EXPECT_TRUE(Marker(2).is_object());
  EXPECT_EQ(ReadFile(NodeFile(2, "bootstrap.log")), "bootstrap node2 worker\n");
  EXPECT_GE(JumpsTo(1, 2), 1) << ReadFile(h_->log_path(1));
  EXPECT_EQ(JumpsTo(1, 0), 0) << "node0 is reached directly";
  EXPECT_FALSE(Exists(MarkerPath(1))) << "the bastion is not a machine of the layout";
  EXPECT_EQ(Paiplan({"plan", "--detailed-exitcode"}).rc, 0);
}

// The bastion's key is not in known_hosts: strict refuses the hop (node2
// fails, node0 is bootstrapped); accept-new records the bastion's key.
TEST_F(SshE2eOptionsTest, BastionHostKeyFollowsTheHostKeyPolicy) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(3));
  WriteBastionLayout();
  ASSERT_NO_FATAL_FAILURE(ForgetHostKey(1));
  RunResult strict = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(strict.rc, 1) << strict.all();
  EXPECT_THAT(strict.all(), HasSubstr("Actions: 1 done, 1 failed"));
  EXPECT_THAT(strict.err, HasSubstr("node.node2: cannot connect to root@" + h_->ip(2) + ":" +
                                    std::to_string(h_->port()) + " via " + h_->ip(1)));
  EXPECT_THAT(strict.err, HasSubstr("the jump host's key was refused"));
  EXPECT_THAT(strict.err, HasSubstr("Host key verification failed"));
  EXPECT_THAT(strict.err, HasSubstr("ssh-keyscan -p " + std::to_string(h_->port()) + " " + h_->ip(1) +
                                    " >> " + known_hosts_));
  EXPECT_FALSE(Exists(MarkerPath(2)));
  EXPECT_THAT(ReadFile(known_hosts_), Not(HasSubstr("[" + h_->ip(1) + "]")));

  options_.strict_host_keys = "accept-new";
  WriteSettings("");
  RunResult accept = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(accept.rc, 0) << accept.all();
  EXPECT_TRUE(Marker(2).is_object());
  EXPECT_THAT(ReadFile(known_hosts_), HasSubstr("[" + h_->ip(1) + "]:" + std::to_string(h_->port())));
}

// The marker's role and package hash edited on the nodes: the plan
// re-bootstraps each of them and names what differs; apply repairs them.
TEST_F(SshE2eOptionsTest, EditedMarkerIsReBootstrappedNamingWhatDiffers) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(3));
  ASSERT_EQ(Paiplan({"apply", "--auto-approve"}).rc, 0);
  auto role_edit = Marker(1);
  ASSERT_TRUE(role_edit.is_object());
  role_edit["role"] = "proxy";
  WriteFile(MarkerPath(1), role_edit.dump(2) + "\n");
  auto pkg_edit = Marker(2);
  ASSERT_TRUE(pkg_edit.is_object());
  std::string pkg = pkg_edit.value("package_hash", "");
  pkg_edit["package_hash"] = "0123456789abcdef";
  WriteFile(MarkerPath(2), pkg_edit.dump(2) + "\n");

  RunResult plan = Paiplan({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("-/+ node.node1"));
  EXPECT_THAT(plan.out, HasSubstr("bootstrap marker on the node differs from the state: role proxy (state: worker)"));
  EXPECT_THAT(plan.out, HasSubstr("-/+ node.node2"));
  EXPECT_THAT(plan.out, HasSubstr("differs from the state: package hash 0123456789ab (state: " +
                                  pkg.substr(0, 12) + ")"));
  EXPECT_THAT(PlannedChanges(), ElementsAre(Pair("node.node1", "replace"), Pair("node.node2", "replace")));

  ASSERT_EQ(Paiplan({"apply", "--auto-approve"}).rc, 0);
  EXPECT_EQ(Marker(1).value("role", ""), "worker");
  EXPECT_EQ(Marker(2).value("package_hash", ""), pkg);
  EXPECT_EQ(Paiplan({"drift"}).rc, 0);
}

// clean.sh hangs: ssh.command-timeout (not nodes.bootstrap-timeout, 1800 s)
// kills it, and the delete fails naming the timeout.
TEST_F(SshE2eOptionsTest, CommandTimeoutBoundsCleanScript) {
  ClusterOptions o;
  o.ssh_settings = "  command-timeout: 2\n";
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, o));
  ASSERT_EQ(Paiplan({"apply", "--auto-approve"}).rc, 0);
  WriteFile(ws_ + "/roles/worker/clean.sh", "#!/bin/bash\nsleep 1000\n");
  WriteLayout({0});
  RunResult del = Paiplan({"apply", "--auto-approve"}, 90);
  EXPECT_EQ(del.rc, 1) << del.all();
  EXPECT_THAT(del.err, HasSubstr("clean.sh: command timed out after 2.0 s"));
  EXPECT_TRUE(Exists(MarkerPath(1))) << "a failed clean leaves the marker";
}

}  // namespace
}  // namespace paiplan::ssh_e2e
