// EtcdStore against a real etcd started by the test.
#include "state/etcd/etcd_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/store_util.h"
#include "tests/state/etcd_server.h"

namespace paiplan::state {
namespace {

using ::testing::HasSubstr;
using testing::PutBatch;

class EtcdStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::EtcdServer();
    error_ = server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(error_, "") << "cannot start etcd"; }
  EtcdOptions Options(const std::string& name, int ttl = 30) {
    EtcdOptions o;
    o.endpoint = server_->endpoint();
    o.prefix = "/paiplan-test/" + name + "/" + RandomHex(4);
    o.lock_ttl_seconds = ttl;
    return o;
  }
  std::unique_ptr<StateStore> MustOpen(const EtcdOptions& o) {
    auto r = EtcdStore::Open(o);
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::move(*r) : nullptr;
  }
  static testing::EtcdServer* server_;
  static std::string error_;
};
testing::EtcdServer* EtcdStoreTest::server_ = nullptr;
std::string EtcdStoreTest::error_;

TEST_F(EtcdStoreTest, CommitsReadsAndReopens) {
  EtcdOptions o = Options("basic");
  auto store = MustOpen(o);
  ASSERT_TRUE(store);
  auto head = store->ReadHead();
  ASSERT_TRUE(head) << head.error().message();
  EXPECT_EQ(head->second, 0u);
  EXPECT_EQ(store->Commit(PutBatch("a", {})).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(store->Commit(PutBatch("a", nlohmann::json::object())).error().code(),
            Code::kFailedPrecondition);
  auto lock = store->Lock("apply");
  ASSERT_TRUE(lock) << lock.error().message();
  Batch b;
  b.puts.emplace_back("node.w1", nlohmann::json{{"kind", "node"}});
  b.puts.emplace_back("svc/x", nlohmann::json{{"kind", "service"}, {"v", 1}});
  b.puts.emplace_back("gone", nlohmann::json::object());
  b.deletes.push_back("gone");  // same key twice in one etcd txn must be merged
  auto serial = store->Commit(b);
  ASSERT_TRUE(serial) << serial.error().message();
  EXPECT_EQ(*serial, 1u);
  ASSERT_TRUE(store->AppendHistory({{"operation", "apply"}}).ok());
  ASSERT_TRUE(store->AppendHistory({{"operation", "destroy"}}).ok());
  auto reopened = MustOpen(o);
  auto snap = reopened->ReadSnapshot();
  ASSERT_TRUE(snap) << snap.error().message();
  EXPECT_EQ(snap->lineage, head->first);
  EXPECT_EQ(snap->serial, 1u);
  ASSERT_EQ(snap->resources.size(), 2u);
  EXPECT_EQ(snap->resources.at("svc/x")["v"], 1);
  EXPECT_THAT(*reopened->ListAddresses(), ::testing::ElementsAre("node.w1", "svc/x"));
  auto history = reopened->ReadHistory();
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1]["operation"], "destroy");
  EXPECT_TRUE(store->Unlock(lock->id).ok());
}

TEST_F(EtcdStoreTest, SecondLockerGetsTheConflictMessage) {
  EtcdOptions o = Options("conflict");
  auto a = MustOpen(o);
  auto b = MustOpen(o);
  auto lock = a->Lock("apply");
  ASSERT_TRUE(lock) << lock.error().message();
  auto second = b->Lock("destroy");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), Code::kConflict);
  EXPECT_EQ(second.error().message(),
            "state locked by " + lock->who + "@" + lock->host + " (pid " + std::to_string(lock->pid) +
                ", apply) since " + lock->since + "; lock id " + lock->id);
  // b never took the lock, so it cannot write; a force-unlock lets b in and
  // locks a out.
  EXPECT_EQ(b->Commit(PutBatch("x", nlohmann::json::object())).error().code(),
            Code::kFailedPrecondition);
  ASSERT_TRUE(b->ForceUnlock(lock->id).ok());
  ASSERT_TRUE(b->Lock("destroy"));
  auto lost = a->Commit(PutBatch("x", nlohmann::json::object()));
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code(), Code::kConflict);
  EXPECT_TRUE(b->Commit(PutBatch("x", nlohmann::json::object())));
}

TEST_F(EtcdStoreTest, LockOfADeadHolderExpiresWithItsLease) {
  EtcdOptions o = Options("lease", /*ttl=*/2);
  {
    auto holder = MustOpen(o);
    ASSERT_TRUE(holder->Lock("apply"));
  }  // keepalive stops without unlocking, as if the process died
  auto store = MustOpen(o);
  bool released = false;
  for (int i = 0; i < 600 && !released; ++i) {  // TTL 2 s; allow a loaded machine
    auto lock = store->CurrentLock();
    ASSERT_TRUE(lock);
    released = !lock->has_value();
    if (!released) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(released);
  EXPECT_TRUE(store->Lock("apply"));
}

TEST_F(EtcdStoreTest, KeepaliveHoldsTheLockPastItsTtl) {
  EtcdOptions o = Options("keepalive", /*ttl=*/3);
  auto store = MustOpen(o);
  auto lock = store->Lock("apply");
  ASSERT_TRUE(lock);
  std::this_thread::sleep_for(std::chrono::seconds(7));  // > 2 TTLs: only keepalive saves it
  auto current = store->CurrentLock();
  ASSERT_TRUE(current && current->has_value());
  EXPECT_EQ((*current)->id, lock->id);
  EXPECT_TRUE(store->Commit(PutBatch("a", nlohmann::json::object())));
}

TEST_F(EtcdStoreTest, ReplaceAllChecksLineageAndReplaces) {
  EtcdOptions o = Options("push");
  auto store = MustOpen(o);
  ASSERT_TRUE(store->Lock("state push"));
  ASSERT_TRUE(store->Commit(PutBatch("old", nlohmann::json::object())));
  Snapshot doc;
  doc.lineage = NewUuid();
  doc.serial = 9;
  doc.resources["new"] = {{"k", 1}};
  auto rejected = store->ReplaceAll(doc);
  ASSERT_FALSE(rejected);
  EXPECT_THAT(rejected.error().message(), HasSubstr("lineage mismatch"));
  doc.lineage = store->ReadHead()->first;
  auto serial = store->ReplaceAll(doc);
  ASSERT_TRUE(serial) << serial.error().message();
  EXPECT_EQ(*serial, 10u);
  auto snap = store->ReadSnapshot();
  ASSERT_EQ(snap->resources.size(), 1u);
  EXPECT_TRUE(snap->resources.contains("new"));
}

TEST(EtcdUnavailableTest, NoServerIsUnavailable) {
  EtcdOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(testing::FreePort());
  auto r = EtcdStore::Open(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_TRUE(r.error().retryable());
}

}  // namespace
}  // namespace paiplan::state
