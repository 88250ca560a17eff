// ssh-agent authentication against a real sshd: a real `ssh-agent` with its
// own socket in a temp dir (killed by pid at the end), the harness key added
// with `ssh-add`, and an SshTarget with no identity file.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/ssh/ssh_transport.h"
#include "tests/ssh/sshd_harness.h"

namespace paiplan::providers::ssh {
namespace {

using ::paiplan::testing::RunCommand;
using ::paiplan::testing::SshdHarness;
using ::testing::HasSubstr;

// One ssh-agent in the foreground (-D) on a socket in its own temp dir, with
// SSH_AUTH_SOCK pointing at it while the object lives (the previous value is
// restored). Stops exactly the agent it started, by pid.
class TestAgent {
 public:
  TestAgent() {
    std::string tmpl = "/tmp/pp-ssh-agent-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) return;
    dir_ = tmpl;
    sock_ = dir_ + "/agent.sock";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execlp("ssh-agent", "ssh-agent", "-D", "-a", sock_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100 && !std::filesystem::exists(sock_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (const char* old = ::getenv("SSH_AUTH_SOCK")) old_sock_ = old;
    ::setenv("SSH_AUTH_SOCK", sock_.c_str(), 1);
  }
  ~TestAgent() {
    if (old_sock_) ::setenv("SSH_AUTH_SOCK", old_sock_->c_str(), 1);
    else ::unsetenv("SSH_AUTH_SOCK");
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st;
      ::waitpid(pid_, &st, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  bool ok() const { return pid_ > 0 && std::filesystem::exists(sock_); }
  pid_t pid() const { return pid_; }
  // ssh-add / ssh-add -D against this agent (SSH_AUTH_SOCK is set).
  int Add(const std::string& key) { return RunCommand({"ssh-add", "-q", key}); }
  int RemoveAll() { return RunCommand({"ssh-add", "-q", "-D"}); }

 private:
  std::string dir_, sock_;
  pid_t pid_ = -1;
  std::optional<std::string> old_sock_;
};

SshTarget AgentTarget(const SshdHarness& h) {
  SshTarget t = h.Target(0);
  t.identity_file.clear();  // agent + default keys only
  return t;
}

class SshAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SshdHarnessOptions o;
    o.nodes = 1;
    auto h = SshdHarness::Create(o);
    ASSERT_TRUE(h.has_value()) << h.error().message();
    h_ = std::move(*h);
  }
  std::unique_ptr<SshdHarness> h_;
};

TEST_F(SshAgentTest, AuthenticatesWithAKeyHeldByTheAgent) {
  TestAgent agent;
  ASSERT_TRUE(agent.ok()) << "ssh-agent did not start";
  ASSERT_EQ(agent.Add(h_->client_key()), 0);
  SshTransport t(AgentTarget(*h_));
  ExecRequest r;
  r.command = "echo agent-ok";
  auto res = t.Exec(r);
  ASSERT_TRUE(res.has_value()) << res.error().message();
  EXPECT_EQ(res->stdout_tail, "agent-ok\n");
  EXPECT_EQ(t.stats().handshakes, 1);
}

TEST_F(SshAgentTest, EmptyAgentFailsNamingTheMethodsTried) {
  TestAgent agent;
  ASSERT_TRUE(agent.ok()) << "ssh-agent did not start";
  ASSERT_EQ(agent.Add(h_->client_key()), 0);
  ASSERT_EQ(agent.RemoveAll(), 0);
  SshTransport t(AgentTarget(*h_));
  Status s = t.Connect();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kPermissionDenied) << s.message();
  EXPECT_THAT(s.message(), HasSubstr("authentication failed for root@127.0.0.2:" +
                                     std::to_string(h_->port()) + " (tried: agent, default keys)"));
  EXPECT_TRUE(::kill(agent.pid(), 0) == 0) << "the agent is still ours to stop";
}

}  // namespace
}  // namespace paiplan::providers::ssh
