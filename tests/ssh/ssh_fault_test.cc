// SshTransport/SshPool under load and faults: 20 nodes in parallel, a stopped
// sshd, a server that never answers, a hung remote command, sshd killed in the
// middle of an upload and in the middle of a command.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/base/fs.h"
#include "providers/ssh/ssh_pool.h"
#include "providers/ssh/ssh_transport.h"
#include "tests/ssh/sshd_harness.h"

namespace paiplan::providers::ssh {
namespace {

ExecRequest Cmd(std::string command) {
  ExecRequest r;
  r.command = std::move(command);
  return r;
}

using ::paiplan::testing::FindProcessesByCmdline;
using ::paiplan::testing::SshdHarness;
using ::paiplan::testing::SshdHarnessOptions;
using ::testing::HasSubstr;

std::unique_ptr<SshdHarness> MakeHarness(int nodes) {
  SshdHarnessOptions o;
  o.nodes = nodes;
  auto h = SshdHarness::Create(o);
  EXPECT_TRUE(h.has_value()) << h.error().message();
  return h ? std::move(*h) : nullptr;
}

TEST(SshFaultTest, TwentyNodesInParallelThroughThePool) {
  auto h = MakeHarness(20);
  ASSERT_NE(h, nullptr);
  SshPool pool(4);  // fewer handshake slots than threads: the gate must not deadlock
  std::vector<std::thread> threads;
  std::vector<std::string> errors(h->size());
  std::string package(100 * 1024, 'p');
  for (int i = 0; i < h->size(); ++i) {
    threads.emplace_back([&, i] {
      Transport* t = pool.Get("node" + std::to_string(i), h->Target(i));
      Status s = t->Upload("/var/lib/paiplan/pkg/package.bin", package, 0644);
      if (!s.ok()) return void(errors[i] = s.message());
      ExecRequest req = Cmd("wc -c < /var/lib/paiplan/pkg/package.bin && "
                            "echo node-$N > /var/lib/paiplan/node.json");
      req.env = {{"N", std::to_string(i)}};
      auto r = t->Exec(req);
      if (!r) return void(errors[i] = r.error().message());
      if (r->stdout_tail != "102400\n") errors[i] = "bad output: " + r->stdout_tail;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < h->size(); ++i) {
    EXPECT_EQ(errors[i], "") << "node " << i;
    EXPECT_EQ(fs::ReadFile(h->var_lib_dir(i) + "/node.json").value_or(""),
              "node-" + std::to_string(i) + "\n");
  }
  EXPECT_EQ(pool.TotalHandshakes(), 20);
}

TEST(SshFaultTest, StoppedNodeIsUnavailableOthersAreFine) {
  auto h = MakeHarness(3);
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Stop(1).ok());
  SshPool pool;
  for (int i = 0; i < 3; ++i) {
    auto r = pool.Get("n" + std::to_string(i), h->Target(i))->Exec(Cmd("echo hi"));
    if (i == 1) {
      ASSERT_FALSE(r.has_value());
      EXPECT_EQ(r.error().code(), Code::kUnavailable);
      EXPECT_TRUE(r.error().retryable());
      EXPECT_EQ(r.error().message(), "cannot connect to root@127.0.0.3:" +
                                         std::to_string(h->port()) + ": connection refused");
    } else {
      ASSERT_TRUE(r.has_value()) << r.error().message();
      EXPECT_EQ(r->stdout_tail, "hi\n");
    }
  }
  // Back up: the same pooled transport connects on its next call.
  ASSERT_TRUE(h->Start(1).ok());
  auto r = pool.Get("n1", h->Target(1))->Exec(Cmd("echo back"));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->stdout_tail, "back\n");
}

TEST(SshFaultTest, ServerThatNeverSpeaksTimesOut) {
  // A TCP listener that accepts (kernel backlog) but never sends a banner.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  SshTarget t;
  t.host = "127.0.0.1";
  t.port = ntohs(a.sin_port);
  t.user = "root";
  t.connect_timeout = std::chrono::milliseconds(1500);
  SshTransport transport(t);
  auto r = transport.Exec(Cmd("true"));
  close(fd);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kTimeout) << r.error().message();
  EXPECT_THAT(r.error().message(), HasSubstr("cannot connect to root@127.0.0.1:"));
}

TEST(SshFaultTest, HungCommandTimesOutAndTheRemoteProcessIsGone) {
  auto h = MakeHarness(1);
  ASSERT_NE(h, nullptr);
  // A unique sleep duration is the marker we look for afterwards.
  std::mt19937 rng{std::random_device{}()};
  std::string marker = "1000." + std::to_string(100000 + rng() % 800000);
  SshTransport t(h->Target(0));
  ExecRequest r;
  r.command = "echo preparing >&2; echo stuck-here >&2; sleep " + marker + "; echo never";
  r.timeout = std::chrono::milliseconds(1500);
  auto res = t.Exec(r);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), Code::kDeadlineExceeded) << "a command that hung is not retried";
  EXPECT_THAT(res.error().message(), HasSubstr("timed out after 1.5 s on root@127.0.0.2"));
  EXPECT_THAT(res.error().message(), HasSubstr("stuck-here"));
  EXPECT_EQ(FindProcessesByCmdline("sleep " + marker), std::vector<pid_t>{});
  // The session is still usable afterwards.
  auto again = t.Exec(Cmd("echo alive"));
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->stdout_tail, "alive\n");
  EXPECT_EQ(t.stats().handshakes, 1);
}

TEST(SshFaultTest, SshdKilledDuringUploadLeavesNoPartialFile) {
  auto h = MakeHarness(1);
  ASSERT_NE(h, nullptr);
  SshTransport t(h->Target(0));
  ASSERT_TRUE(t.Connect().ok());
  const std::string dir = h->var_lib_dir(0) + "/big";
  std::atomic<bool> done{false}, killed{false};
  // Kill the node as soon as the temp file has grown past 4 MiB.
  std::thread killer([&] {
    while (!done) {
      for (const auto& n : fs::ListDir(dir).value_or(std::vector<std::string>{})) {
        struct stat st{};
        if (n.starts_with(".image.bin.paiplan-tmp-") && stat((dir + "/" + n).c_str(), &st) == 0 &&
            st.st_size > (4 << 20)) {
          h->Stop(0).ok();
          killed = true;
          return;
        }
      }
      usleep(2000);
    }
  });
  std::string big(256u << 20, 'x');
  Status s = t.Upload("/var/lib/paiplan/big/image.bin", big, 0644);
  done = true;
  killer.join();
  ASSERT_TRUE(killed) << "upload finished before the node could be killed";
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.message();
  EXPECT_TRUE(s.retryable());
  EXPECT_FALSE(fs::Exists(dir + "/image.bin"));
  // The node comes back; the retried upload succeeds and lands complete.
  ASSERT_TRUE(h->Start(0).ok());
  std::string small(1u << 20, 'y');
  ASSERT_TRUE(t.Upload("/var/lib/paiplan/big/image.bin", small, 0644).ok());
  EXPECT_EQ(fs::ReadFile(dir + "/image.bin").value_or("").size(), small.size());
}

// sshd (with the session's shell) killed while a command runs on one node:
// that command fails Unavailable naming the node and saying the connection
// was lost, the other nodes' commands finish, and the node works again once
// sshd is back.
TEST(SshFaultTest, SshdKilledDuringCommandFailsClearlyOthersFinish) {
  auto h = MakeHarness(3);
  ASSERT_NE(h, nullptr);
  SshPool pool;
  std::vector<Result<ExecResult>> results(3, std::unexpected(Status::Internal("not run")));
  const std::string started = h->var_lib_dir(0) + "/started";
  std::vector<std::thread> runs;
  for (int i = 0; i < 3; ++i) {
    runs.emplace_back([&, i] {
      std::string cmd = i == 0 ? "touch /var/lib/paiplan/started; sleep 30; echo never" : "sleep 1; echo done";
      results[i] = pool.Get("n" + std::to_string(i), h->Target(i))->Exec(Cmd(cmd));
    });
  }
  for (int waited = 0; !fs::Exists(started) && waited < 20000; waited += 10) usleep(10000);
  ASSERT_TRUE(fs::Exists(started)) << "the command on node 0 never started";
  ASSERT_TRUE(h->Stop(0).ok());
  for (auto& t : runs) t.join();
  ASSERT_FALSE(results[0].has_value()) << "a command whose sshd died reported success";
  EXPECT_EQ(results[0].error().code(), Code::kUnavailable) << results[0].error().message();
  EXPECT_THAT(results[0].error().message(), HasSubstr("root@127.0.0.2"));
  for (int i = 1; i < 3; ++i) {
    ASSERT_TRUE(results[i].has_value()) << results[i].error().message();
    EXPECT_EQ(results[i]->stdout_tail, "done\n");
  }
  ASSERT_TRUE(h->Start(0).ok());
  auto again = pool.Get("n0", h->Target(0))->Exec(Cmd("echo back"));
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->stdout_tail, "back\n");
}

}  // namespace
}  // namespace paiplan::providers::ssh
