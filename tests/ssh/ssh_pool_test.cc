// SshPool against real sshd nodes: the bound on concurrent handshakes holds,
// and idle pooled sessions get SSH-level keepalives (seen by sshd).
#include <barrier>
#include <chrono>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/base/fs.h"
#include "providers/ssh/ssh_pool.h"
#include "tests/ssh/sshd_harness.h"

namespace paiplan::providers::ssh {
namespace {

using ::paiplan::testing::CountInFile;
using ::paiplan::testing::SshdHarness;

constexpr int kNodes = 8;
// What OpenSSH's sshd logs at DEBUG3 for each SSH_MSG_IGNORE it receives.
constexpr const char* kIgnoreLogLine = "Received SSH2_MSG_IGNORE";

class SshPoolNodesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::SshdHarnessOptions o;
    o.nodes = kNodes;
    o.log_level = "DEBUG3";  // shows the keepalive packets
    auto h = SshdHarness::Create(o);
    ASSERT_TRUE(h.has_value()) << h.error().message();
    harness_ = h->release();
  }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(harness_, nullptr); }
  static SshdHarness& H() { return *harness_; }

  // Connects all kNodes machines at once (threads released together) through
  // `pool`; returns how many connected.
  static int ConnectAllAtOnce(SshPool* pool) {
    std::barrier start(kNodes);
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kNodes; ++i) {
      threads.emplace_back([&, i] {
        SshTransport* t = pool->GetSsh("m" + std::to_string(i), H().Target(i));
        start.arrive_and_wait();
        if (t->Connect().ok()) ++ok;
      });
    }
    for (auto& th : threads) th.join();
    return ok.load();
  }

  static SshdHarness* harness_;
};
SshdHarness* SshPoolNodesTest::harness_ = nullptr;

TEST_F(SshPoolNodesTest, NoMoreThanTheBoundOfHandshakesOverlap) {
  SshPool pool(2);
  ASSERT_EQ(ConnectAllAtOnce(&pool), kNodes);
  EXPECT_EQ(pool.TotalHandshakes(), kNodes);
  EXPECT_LE(pool.MaxConcurrentHandshakes(), 2);
  EXPECT_GE(pool.MaxConcurrentHandshakes(), 1);
}

// The same load with a bound of kNodes does overlap: the hook above would
// see it if the bound were not enforced.
TEST_F(SshPoolNodesTest, HandshakesOverlapWhenTheBoundAllowsIt) {
  SshPool pool(kNodes);
  ASSERT_EQ(ConnectAllAtOnce(&pool), kNodes);
  EXPECT_GT(pool.MaxConcurrentHandshakes(), 2);
}

TEST_F(SshPoolNodesTest, IdleSessionsGetSshKeepalives) {
  size_t before = CountInFile(H().log_path(0), kIgnoreLogLine);
  SshPool pool(2, /*keepalive_seconds=*/1);
  SshTarget target = H().Target(0);
  target.keepalive_seconds = 1;
  SshTransport* t = pool.GetSsh("m0", target);
  ASSERT_TRUE(t->Connect().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(3300));
  EXPECT_GE(t->stats().keepalives, 2);
  EXPECT_EQ(pool.TotalKeepalives(), t->stats().keepalives);
  EXPECT_GE(CountInFile(H().log_path(0), kIgnoreLogLine) - before, 2u) << "sshd saw the keepalives";
  ExecRequest r;
  r.command = "echo still-here";
  auto res = t->Exec(r);
  ASSERT_TRUE(res.has_value()) << res.error().message();
  EXPECT_EQ(res->stdout_tail, "still-here\n");
  EXPECT_EQ(t->stats().handshakes, 1) << "the keepalives kept the one session usable";
}

TEST_F(SshPoolNodesTest, KeepaliveZeroSendsNone) {
  SshPool pool(2, /*keepalive_seconds=*/0);
  SshTarget target = H().Target(1);
  target.keepalive_seconds = 0;
  SshTransport* t = pool.GetSsh("m1", target);
  ASSERT_TRUE(t->Connect().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_FALSE(t->SendKeepaliveIfIdle());
  EXPECT_EQ(pool.TotalKeepalives(), 0);
}

TEST_F(SshPoolNodesTest, KeepaliveWaitsForTheIdleTime) {
  SshTarget target = H().Target(2);
  target.keepalive_seconds = 30;
  SshTransport t(target);
  ASSERT_TRUE(t.Connect().ok());
  EXPECT_FALSE(t.SendKeepaliveIfIdle()) << "just used: not idle for 30 s";
  EXPECT_EQ(t.stats().keepalives, 0);
}

}  // namespace
}  // namespace paiplan::providers::ssh
