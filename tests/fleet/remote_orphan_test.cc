// No orphans on the nodes: a remote command stops when its SSH session
// closes, here because the process that ran it was killed with SIGKILL.
// Real sshd nodes (tests/ssh/sshd_harness.h).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "providers/ssh/ssh_transport.h"
#include "tests/ssh/sshd_harness.h"

namespace paiplan::providers::ssh {
namespace {

bool Alive(pid_t pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  auto rp = stat.rfind(')');
  return rp != std::string::npos && rp + 2 < stat.size() && stat[rp + 2] != 'Z';
}

pid_t ReadPid(const std::string& path) {
  std::ifstream in(path);
  pid_t p = 0;
  return in >> p ? p : 0;
}

TEST(FleetRemoteOrphanTest, ARemoteCommandStopsWhenItsSessionDies) {
  testing::SshdHarnessOptions o;
  o.nodes = 1;
  auto h = testing::SshdHarness::Create(o);
  ASSERT_TRUE(h.has_value()) << h.error().message();
  std::string pid_file = (*h)->dir() + "/remote.pid";
  SshTarget target = (*h)->Target(0);
  pid_t client = ::fork();
  if (client == 0) {
    SshTransport t(target);
    ExecRequest r;
    // Ignores SIGTERM, as a stubborn script would: only the SIGKILL after the
    // grace period stops it.
    r.command = "trap '' TERM; echo $$ > " + pid_file + "; exec sleep 300";
    r.timeout = std::chrono::seconds(600);
    auto res = t.Exec(r);
    ::_exit(res ? 0 : 1);
  }
  pid_t remote = 0;
  for (int i = 0; i < 3000 && remote == 0; ++i) {
    remote = ReadPid(pid_file);
    if (remote == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(remote, 0) << "the remote command did not start";
  EXPECT_TRUE(Alive(remote));
  ::kill(client, SIGKILL);
  int status = 0;
  ::waitpid(client, &status, 0);
  for (int i = 0; i < 1500 && Alive(remote); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  bool survived = Alive(remote);
  if (survived) ::kill(remote, SIGKILL);  // stop what the test started
  EXPECT_FALSE(survived) << "the remote command outlived its SSH session";
}

TEST(FleetRemoteOrphanTest, ACommandThatFinishesIsNotDisturbedByTheWatcher) {
  testing::SshdHarnessOptions o;
  o.nodes = 1;
  auto h = testing::SshdHarness::Create(o);
  ASSERT_TRUE(h.has_value()) << h.error().message();
  SshTransport t((*h)->Target(0));
  ExecRequest r;
  r.command = "read -r x; echo \"stdin=[$x]\"; sleep 0.2; echo done; exit 4";
  auto res = t.Exec(r);
  ASSERT_TRUE(res.has_value()) << res.error().message();
  EXPECT_EQ(res->exit_status, 4);
  EXPECT_EQ(res->stdout_tail, "stdin=[]\ndone\n");  // the command's stdin is /dev/null
}

}  // namespace
}  // namespace paiplan::providers::ssh
