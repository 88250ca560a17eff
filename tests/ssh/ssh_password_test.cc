// SshTransport password authentication against a real sshd that accepts a
// password for root (SshdHarnessOptions::root_password: a shadow copy bind-
// mounted over /etc/shadow in the node's own mount namespace). Every test
// also checks that the host's real /etc/shadow is untouched and not mounted
// over in the test's own namespace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "engine/base/fs.h"
#include "engine/base/sha256.h"
#include "providers/ssh/ssh_transport.h"
#include "tests/ssh/sshd_harness.h"

namespace paiplan::providers::ssh {
namespace {

using ::paiplan::testing::CountInFile;
using ::paiplan::testing::SshdHarness;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

ExecRequest Cmd(std::string command) {
  ExecRequest r;
  r.command = std::move(command);
  return r;
}

std::string ShadowHash() { return Sha256Hex(fs::ReadFile("/etc/shadow").value_or("unreadable")); }

// Lines of /proc/self/mountinfo whose mount point is /etc/shadow.
bool ShadowMountedHere() {
  return fs::ReadFile("/proc/self/mountinfo").value_or("").find(" /etc/shadow ") !=
         std::string::npos;
}

// root's entry in the shadow file that process `pid` sees (its mount namespace).
std::string RootEntrySeenBy(pid_t pid) {
  std::string shadow = fs::ReadFile("/proc/" + std::to_string(pid) + "/root/etc/shadow").value_or("");
  size_t at = shadow.rfind("root:", 0) == 0 ? 0 : shadow.find("\nroot:");
  if (at == std::string::npos) return "";
  if (at != 0) ++at;
  return shadow.substr(at, shadow.find('\n', at) - at);
}

class SshPasswordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(ShadowMountedHere()) << "/etc/shadow is already mounted over on this host";
    shadow_before_ = ShadowHash();
    root_entry_before_ = RootEntrySeenBy(getpid());
    ASSERT_THAT(root_entry_before_, StartsWith("root:"));
    password_ = "pp-Pw-" + std::to_string(std::random_device{}()) + "-x";
    testing::SshdHarnessOptions o;
    o.nodes = 1;
    o.root_password = password_;
    auto h = SshdHarness::Create(o);
    ASSERT_TRUE(h.has_value()) << h.error().message();
    h_ = std::move(*h);
  }
  void TearDown() override {
    std::string copy = h_ ? h_->dir() + "/shadow" : "";
    h_.reset();  // stops the nodes this test started
    EXPECT_EQ(ShadowHash(), shadow_before_) << "the real /etc/shadow changed";
    EXPECT_FALSE(ShadowMountedHere());
    if (!copy.empty()) EXPECT_FALSE(fs::Exists(copy)) << "the shadow copy outlived the harness";
  }
  // Node 0 with no key (no agent, no default keys here) and `password`.
  SshTarget PasswordOnly(const std::string& password) const {
    SshTarget t = h_->Target(0);
    t.identity_file.clear();
    t.password = password;
    return t;
  }

  std::unique_ptr<SshdHarness> h_;
  std::string password_;
  std::string shadow_before_;
  std::string root_entry_before_;
};

TEST_F(SshPasswordTest, OnlyTheNodeSeesTheReplacedRootHash) {
  std::string node_entry = RootEntrySeenBy(h_->pid(0));
  EXPECT_THAT(node_entry, StartsWith("root:$6$"));
  EXPECT_THAT(node_entry, Not(HasSubstr(password_)));
  EXPECT_EQ(RootEntrySeenBy(getpid()), root_entry_before_);
  EXPECT_EQ(ShadowHash(), shadow_before_) << "changed while the node runs";
  EXPECT_FALSE(ShadowMountedHere());
  std::string config = fs::ReadFile(h_->node_dir(0) + "/sshd_config").value_or("");
  EXPECT_THAT(config, HasSubstr("\nPasswordAuthentication yes\n"));
  EXPECT_THAT(config, HasSubstr("\nKbdInteractiveAuthentication no\n"));
  EXPECT_THAT(config, HasSubstr("\nUsePAM no\n"));
}

TEST_F(SshPasswordTest, RightPasswordWithoutKeyRunsACommand) {
  SshTransport t(PasswordOnly(password_));
  auto res = t.Exec(Cmd("echo via-password; id -un; test -d /var/lib/paiplan"));
  ASSERT_TRUE(res.has_value()) << res.error().message();
  EXPECT_EQ(res->exit_status, 0);
  EXPECT_EQ(res->stdout_tail, "via-password\nroot\n");
  EXPECT_EQ(CountInFile(h_->log_path(0), "Accepted password for root"), 1u);
  EXPECT_EQ(CountInFile(h_->log_path(0), "Accepted publickey"), 0u);
  EXPECT_THAT(t.Describe(), Not(HasSubstr(password_)));
  EXPECT_EQ(CountInFile(h_->log_path(0), password_), 0u);
  // The key keeps working on a password node.
  auto key = SshTransport(h_->Target(0)).Exec(Cmd("true"));
  ASSERT_TRUE(key.has_value()) << key.error().message();
}

TEST_F(SshPasswordTest, WrongPasswordFailsWithoutNamingIt) {
  const std::string wrong = password_ + "-wrong";
  SshTransport t(PasswordOnly(wrong));
  auto res = t.Exec(Cmd("true"));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), Code::kPermissionDenied) << res.error().message();
  EXPECT_THAT(res.error().message(),
              HasSubstr("authentication failed for root@" + h_->ip(0) + ":" +
                        std::to_string(h_->port()) + " (tried: agent, default keys, password)"));
  EXPECT_THAT(res.error().message(), Not(HasSubstr(password_)));  // also a prefix of `wrong`
  EXPECT_THAT(t.Describe(), Not(HasSubstr(password_)));
  // sshd really checked a password (the method is on; only the value was wrong).
  EXPECT_GE(CountInFile(h_->log_path(0), "Failed password for root"), 1u);
  EXPECT_EQ(CountInFile(h_->log_path(0), "Accepted password"), 0u);
  EXPECT_EQ(CountInFile(h_->log_path(0), password_), 0u);
}

}  // namespace
}  // namespace paiplan::providers::ssh
