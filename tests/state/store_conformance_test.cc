// Behaviour every StateStore backend must share, run against each of them.
#include <unistd.h>

#include <functional>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/etcd/etcd_store.h"
#include "state/lmdb/lmdb_store.h"
#include "state/memory_store.h"
#include "state/store_util.h"
#include "tests/state/etcd_server.h"
#include "tests/state/state_test_util.h"

namespace paiplan::state {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::PutBatch;
using testing::TempDir;

struct Backend {
  std::string name;
  std::function<std::unique_ptr<StateStore>(const std::string& dir)> open;
};

class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.Sub("state"));
    ASSERT_NE(store_, nullptr);
  }
  LockInfo MustLock() {
    auto lock = store_->Lock("apply");
    EXPECT_TRUE(lock.has_value()) << lock.error().message();
    return lock.value_or(LockInfo());
  }
  TempDir dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_P(StoreConformanceTest, NewStoreHasUuidLineageAndSerialZero) {
  auto head = store_->ReadHead();
  ASSERT_TRUE(head) << head.error().message();
  EXPECT_EQ(head->first.size(), 36u);
  EXPECT_EQ(head->first[14], '4');  // version-4 uuid
  EXPECT_EQ(head->second, 0u);
  auto snap = store_->ReadSnapshot();
  ASSERT_TRUE(snap);
  EXPECT_TRUE(snap->resources.empty());
  EXPECT_EQ(snap->lineage, head->first);
}

TEST_P(StoreConformanceTest, CommitIncrementsSerialAndStoresRecords) {
  MustLock();
  Batch b;
  b.puts.emplace_back("node.worker-1", nlohmann::json{{"kind", "node"}, {"hash", "h1"}});
  b.puts.emplace_back("label.worker-1.pai-worker", nlohmann::json{{"kind", "label"}});
  auto s1 = store_->Commit(b);
  ASSERT_TRUE(s1) << s1.error().message();
  EXPECT_EQ(*s1, 1u);
  auto s2 = store_->Commit(PutBatch("node.worker-1", {{"kind", "node"}, {"hash", "h2"}}));
  ASSERT_TRUE(s2);
  EXPECT_EQ(*s2, 2u);
  auto snap = store_->ReadSnapshot();
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->serial, 2u);
  ASSERT_EQ(snap->resources.size(), 2u);
  EXPECT_EQ(snap->resources.at("node.worker-1")["hash"], "h2");
  EXPECT_EQ(snap->resources.begin()->first, "label.worker-1.pai-worker");  // sorted
  auto addresses = store_->ListAddresses();
  ASSERT_TRUE(addresses);
  EXPECT_THAT(*addresses, ::testing::ElementsAre("label.worker-1.pai-worker", "node.worker-1"));
}

TEST_P(StoreConformanceTest, DeletesRemoveRecordsAndMissingDeletesAreFine) {
  MustLock();
  Batch b;
  b.puts.emplace_back("a", nlohmann::json::object());
  b.puts.emplace_back("b", nlohmann::json::object());
  ASSERT_TRUE(store_->Commit(b));
  Batch d;
  d.deletes = {"a", "never-existed"};
  auto serial = store_->Commit(d);
  ASSERT_TRUE(serial);
  EXPECT_EQ(*serial, 2u);
  auto snap = store_->ReadSnapshot();
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->resources.size(), 1u);
  EXPECT_TRUE(snap->resources.contains("b"));
}

TEST_P(StoreConformanceTest, PutThenDeleteInOneBatchDeletes) {
  MustLock();
  Batch b;
  b.puts.emplace_back("x", nlohmann::json::object());
  b.deletes.push_back("x");
  ASSERT_TRUE(store_->Commit(b));
  EXPECT_FALSE(store_->ReadSnapshot()->resources.contains("x"));
}

TEST_P(StoreConformanceTest, EmptyBatchKeepsSerial) {
  MustLock();
  ASSERT_TRUE(store_->Commit(PutBatch("a", nlohmann::json::object())));
  auto serial = store_->Commit(Batch());
  ASSERT_TRUE(serial);
  EXPECT_EQ(*serial, 1u);
}

TEST_P(StoreConformanceTest, CommitWithoutLockIsRefused) {
  auto r = store_->Commit(PutBatch("a", nlohmann::json::object()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->ReadHead()->second, 0u);
}

TEST_P(StoreConformanceTest, CommitAfterForceUnlockIsRefused) {
  LockInfo lock = MustLock();
  ASSERT_TRUE(store_->ForceUnlock(lock.id).ok());
  auto r = store_->Commit(PutBatch("a", nlohmann::json::object()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kFailedPrecondition);
}

TEST_P(StoreConformanceTest, BadBatchesAreInvalidArgument) {
  MustLock();
  EXPECT_EQ(store_->Commit(PutBatch("", nlohmann::json::object())).error().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->Commit(PutBatch("a", nlohmann::json::array())).error().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->Commit(PutBatch(std::string(600, 'a'), nlohmann::json::object())).error().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->ReadHead()->second, 0u);
}

TEST_P(StoreConformanceTest, LockRecordAndConflictMessage) {
  auto lock = store_->Lock("apply");
  ASSERT_TRUE(lock) << lock.error().message();
  EXPECT_EQ(lock->id.size(), 16u);
  EXPECT_EQ(lock->pid, ::getpid());
  EXPECT_EQ(lock->operation, "apply");
  EXPECT_THAT(lock->since, ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"));
  auto current = store_->CurrentLock();
  ASSERT_TRUE(current && current->has_value());
  EXPECT_EQ((*current)->id, lock->id);

  auto second = store_->Lock("destroy");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), Code::kConflict);
  EXPECT_EQ(second.error().message(),
            "state locked by " + lock->who + "@" + lock->host + " (pid " +
                std::to_string(::getpid()) + ", apply) since " + lock->since + "; lock id " +
                lock->id);
  EXPECT_THAT(second.error().message(), ::testing::Not(HasSubstr("stale")));
}

TEST_P(StoreConformanceTest, UnlockNeedsTheCurrentId) {
  LockInfo lock = MustLock();
  EXPECT_EQ(store_->Unlock("0000000000000000").code(), Code::kNotFound);
  EXPECT_TRUE(store_->Unlock(lock.id).ok());
  EXPECT_FALSE(store_->CurrentLock()->has_value());
  EXPECT_EQ(store_->Unlock(lock.id).code(), Code::kNotFound);
  EXPECT_EQ(store_->ForceUnlock(lock.id).code(), Code::kNotFound);
  EXPECT_TRUE(store_->Lock("apply"));  // free again
}

TEST_P(StoreConformanceTest, HistoryAppendsInOrderWithoutChangingSerial) {
  for (int i = 0; i < 300; ++i) {  // past 255: the key byte order matters
    ASSERT_TRUE(store_->AppendHistory({{"id", i}, {"operation", "apply"}}).ok());
  }
  auto history = store_->ReadHistory();
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ((*history)[i]["id"], i);
  EXPECT_EQ(store_->ReadHead()->second, 0u);
}

TEST_P(StoreConformanceTest, ReplaceAllWithSameLineage) {
  MustLock();
  ASSERT_TRUE(store_->Commit(PutBatch("old", nlohmann::json::object())));
  Snapshot doc;
  doc.lineage = store_->ReadHead()->first;
  doc.serial = 7;
  doc.resources["new"] = {{"kind", "service"}};
  auto serial = store_->ReplaceAll(doc);
  ASSERT_TRUE(serial) << serial.error().message();
  EXPECT_EQ(*serial, 8u);
  auto snap = store_->ReadSnapshot();
  EXPECT_EQ(snap->serial, 8u);
  ASSERT_EQ(snap->resources.size(), 1u);
  EXPECT_EQ(snap->resources.at("new")["kind"], "service");
}

TEST_P(StoreConformanceTest, ReplaceAllWithOtherLineageIsRejected) {
  MustLock();
  ASSERT_TRUE(store_->Commit(PutBatch("old", {{"v", 1}})));
  Snapshot doc;
  doc.lineage = NewUuid();
  doc.serial = 50;
  doc.resources["new"] = nlohmann::json::object();
  auto r = store_->ReplaceAll(doc);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kConflict);
  EXPECT_THAT(r.error().message(), HasSubstr("lineage mismatch"));
  auto snap = store_->ReadSnapshot();
  EXPECT_EQ(snap->serial, 1u);
  EXPECT_TRUE(snap->resources.contains("old"));
  EXPECT_FALSE(snap->resources.contains("new"));
}

TEST_P(StoreConformanceTest, EmptyStoreAdoptsPushedLineage) {
  MustLock();
  Snapshot doc;
  doc.lineage = NewUuid();
  doc.serial = 3;
  doc.resources["a"] = nlohmann::json::object();
  auto r = store_->ReplaceAll(doc);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, 4u);
  EXPECT_EQ(store_->ReadHead()->first, doc.lineage);
}

std::unique_ptr<StateStore> OpenLmdb(const std::string& dir) {
  auto r = LmdbStore::Open(dir);
  if (!r) {
    ADD_FAILURE() << r.error().message();
    return nullptr;
  }
  return std::move(*r);
}

// One etcd for all conformance tests, started on first use and stopped when
// the test program ends; each test gets its own key prefix.
class SharedEtcd : public ::testing::Environment {
 public:
  static testing::EtcdServer* Get(std::string* error) {
    static std::string start_error;
    if (server_ == nullptr) {
      server_ = new testing::EtcdServer();
      start_error = server_->Start();
    }
    *error = start_error;
    return server_;
  }
  void TearDown() override {
    delete server_;
    server_ = nullptr;
  }

 private:
  static testing::EtcdServer* server_;
};
testing::EtcdServer* SharedEtcd::server_ = nullptr;
[[maybe_unused]] ::testing::Environment* const kSharedEtcd =
    ::testing::AddGlobalTestEnvironment(new SharedEtcd);

std::unique_ptr<StateStore> OpenEtcd(const std::string& dir) {
  std::string error;
  testing::EtcdServer* server = SharedEtcd::Get(&error);
  if (!error.empty()) {
    ADD_FAILURE() << "cannot start etcd: " << error;
    return nullptr;
  }
  EtcdOptions options;
  options.endpoint = server->endpoint();
  options.prefix = "/conformance" + dir;  // the temp dir is unique per test
  auto r = EtcdStore::Open(options);
  if (!r) {
    ADD_FAILURE() << r.error().message();
    return nullptr;
  }
  return std::move(*r);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StoreConformanceTest,
    ::testing::Values(Backend{"memory", [](const std::string&) -> std::unique_ptr<StateStore> {
                                return std::make_unique<MemoryStore>();
                              }},
                      Backend{"lmdb", OpenLmdb}, Backend{"etcd", OpenEtcd}),
    [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

}  // namespace
}  // namespace paiplan::state
