// --lock-timeout: waiting for the state lock, reporting its holder, giving up
// naming it; with a fake clock (MemoryStore) and with a real etcd whose
// holder is killed with SIGKILL (its lease expires, the waiter proceeds).
#include "engine/cli/lock_wait.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/base/duration.h"
#include "state/etcd/etcd_store.h"
#include "state/memory_store.h"
#include "state/store_util.h"
#include "tests/state/etcd_server.h"

namespace paiplan::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

state::LockInfo OtherHolder() {
  state::LockInfo l = state::NewLockInfo("apply");
  l.host = "ci-runner-7";
  l.who = "ci";
  l.pid = 4242;
  return l;
}

// A fake clock that only moves when the waiter sleeps.
struct FakeTime {
  double t = 1000;
  int sleeps = 0;
  std::function<void()> on_sleep;
  LockWaitOptions Options(double timeout) {
    LockWaitOptions o;
    o.timeout_s = timeout;
    o.poll_s = 1;
    o.now = [this] { return t; };
    o.sleep = [this](double s) {
      t += s;
      ++sleeps;
      if (on_sleep) on_sleep();
    };
    return o;
  }
};

TEST(DurationTest, ParsesTerraformStyleDurations) {
  EXPECT_EQ(ParseDuration("0"), 0);
  EXPECT_EQ(ParseDuration("90"), 90);
  EXPECT_EQ(ParseDuration("500ms"), 0.5);
  EXPECT_EQ(ParseDuration("30s"), 30);
  EXPECT_EQ(ParseDuration("5m"), 300);
  EXPECT_EQ(ParseDuration("1h"), 3600);
  EXPECT_EQ(ParseDuration("1m30s"), 90);
  for (const char* bad : {"", "-1s", "5x", "m", "1m30", "1.2.3s", "s5", "99999999999999h"})
    EXPECT_FALSE(ParseDuration(bad)) << bad;
  EXPECT_EQ(FormatDuration(90), "1m30s");
  EXPECT_EQ(FormatDuration(300), "5m");
  EXPECT_EQ(FormatDuration(0), "0s");
}

TEST(LockWaitTest, WithoutATimeoutAConflictFailsAtOnce) {
  state::MemoryStore store;
  store.SetLockRecordForTest(OtherHolder());
  FakeTime clock;
  std::ostringstream out;
  auto lock = AcquireStateLock(store, "apply", clock.Options(0), out);
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code(), Code::kConflict);
  EXPECT_THAT(lock.error().message(), StartsWith("state locked by ci@ci-runner-7 (pid 4242, apply)"));
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(clock.sleeps, 0);
}

TEST(LockWaitTest, NamesTheHolderOnceThenEveryTenSecondsAndFailsNamingItOnExpiry) {
  state::MemoryStore store;
  store.SetLockRecordForTest(OtherHolder());
  FakeTime clock;
  std::ostringstream out;
  auto lock = AcquireStateLock(store, "apply", clock.Options(25), out);
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code(), Code::kConflict);
  EXPECT_THAT(lock.error().message(),
              StartsWith("timed out after 25s waiting for the state lock: state locked by ci@ci-runner-7 (pid 4242"));
  std::string text = out.str();
  EXPECT_THAT(text, StartsWith("Waiting up to 25s for the state lock: state locked by ci@ci-runner-7"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
  EXPECT_THAT(text, HasSubstr("\nStill waiting for the state lock (10s of 25s): state locked by ci@ci-runner-7"));
  EXPECT_THAT(text, HasSubstr("\nStill waiting for the state lock (20s of 25s): "));
  EXPECT_EQ(clock.sleeps, 25);  // polled every second, not longer than the timeout
}

TEST(LockWaitTest, AcquiresWhenTheHolderReleases) {
  state::MemoryStore store;
  state::LockInfo holder = OtherHolder();
  store.SetLockRecordForTest(holder);
  FakeTime clock;
  clock.on_sleep = [&] {
    if (clock.sleeps == 3) {
      ASSERT_TRUE(store.ForceUnlock(holder.id).ok());
    }
  };
  std::ostringstream out;
  auto lock = AcquireStateLock(store, "state rm", clock.Options(60), out);
  ASSERT_TRUE(lock) << lock.error().message();
  EXPECT_EQ(lock->operation, "state rm");
  EXPECT_THAT(out.str(), HasSubstr("Acquired the state lock after 3s."));
  EXPECT_TRUE(store.Commit(state::testing::PutBatch("node.a", {{"kind", "node"}})));
}

TEST(LockWaitTest, AnInterruptStopsTheWait) {
  state::MemoryStore store;
  store.SetLockRecordForTest(OtherHolder());
  std::atomic<bool> interrupted{false};
  FakeTime clock;
  clock.on_sleep = [&] { interrupted = clock.sleeps == 2; };
  LockWaitOptions o = clock.Options(600);
  o.interrupted = &interrupted;
  std::ostringstream out;
  auto lock = AcquireStateLock(store, "apply", o, out);
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code(), Code::kCancelled);
  EXPECT_EQ(clock.sleeps, 2);
}

class EtcdLockWaitTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(error_ = server_.Start(), "") << "cannot start etcd"; }
  state::testing::EtcdServer server_;
  std::string error_;
};

TEST_F(EtcdLockWaitTest, AHolderKilledWithSigkillLosesItsLeaseAndTheWaiterProceeds) {
  state::EtcdOptions o;
  o.endpoint = server_.endpoint();
  o.prefix = "/paiplan-test/lockwait/" + state::RandomHex(4);
  o.lock_ttl_seconds = 2;
  state::testing::LinePipe ready;
  pid_t holder = state::testing::ForkChild([&]() -> int {
    ready.CloseRead();
    auto store = state::EtcdStore::Open(o);
    if (!store) return 10;
    auto lock = (*store)->Lock("apply");
    if (!lock) return 11;
    ready.Write(lock->id);
    for (;;) ::pause();  // keeps its lease alive until killed
  });
  ready.CloseWrite();
  std::string id;
  ASSERT_TRUE(ready.Read(&id));
  auto store = state::EtcdStore::Open(o);
  ASSERT_TRUE(store) << store.error().message();
  auto busy = (*store)->Lock("apply");
  ASSERT_FALSE(busy);
  EXPECT_THAT(busy.error().message(), HasSubstr("(pid " + std::to_string(holder) + ", apply)"));

  ::kill(holder, SIGKILL);
  EXPECT_EQ(state::testing::WaitChild(holder), -SIGKILL);
  LockWaitOptions w;
  w.timeout_s = 120;  // the lease lasts 2 s; a generous bound for a loaded machine
  std::ostringstream out;
  auto lock = AcquireStateLock(**store, "apply", w, out);
  ASSERT_TRUE(lock) << lock.error().message() << "\n" << out.str();
  EXPECT_NE(lock->id, id);
  EXPECT_THAT(out.str(), StartsWith("Waiting up to 2m for the state lock: state locked by "));
  EXPECT_THAT(out.str(), HasSubstr("lock id " + id));
  EXPECT_THAT(out.str(), HasSubstr("Acquired the state lock after "));
  EXPECT_TRUE((*store)->Commit(state::testing::PutBatch("node.a", {{"kind", "node"}})));
}

}  // namespace
}  // namespace paiplan::cli
