// Format migrations: a store written in format version 1 (plain JSON values,
// no checksums; built here with the LMDB API exactly as version 1 of
// state/FORMAT.md lays it out) is migrated on open by the kMigrations hook.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/lmdb/lmdb_records.h"
#include "state/lmdb/lmdb_store.h"
#include "tests/state/raw_lmdb.h"
#include "tests/state/state_test_util.h"

namespace paiplan::state {
namespace {

using ::testing::HasSubstr;
using testing::RawLmdb;
using testing::TempDir;

constexpr const char* kLineage = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

// A version-1 store: meta, resources (compact JSON), history (8-byte keys), lock.
void WriteVersion1(const std::string& dir, const std::string& broken_record = "") {
  RawLmdb raw(dir);
  raw.Put("meta", "format_version", "1");
  raw.Put("meta", "lineage", kLineage);
  raw.Put("meta", "serial", "7");
  raw.Put("meta", "created_at", "2024-11-25T11:12:13Z");
  raw.Put("resources", "node.worker-1", R"({"attributes":{"ip":"10.0.0.1"},"kind":"node"})");
  raw.Put("resources", "service.t-app", R"({"hash":"abc","kind":"service","last_outcome":"failed"})");
  raw.Put("resources", "label.w/\u00e9t\u00e9", R"({"kind":"label","v":"\u00e9"})");
  if (!broken_record.empty()) raw.Put("resources", "render.broken", broken_record);
  for (uint64_t seq = 1; seq <= 300; ++seq) {  // keys past 0x7f are not UTF-8: must still migrate
    raw.Put("history", lmdb::HistoryKey(seq), R"({"id":")" + std::to_string(seq) + R"(","operation":"apply"})");
  }
  raw.Put("lock", "current", R"({"host":"h","id":"00000000000000aa","operation":"apply","pid":1,"since":"t","who":"u"})");
}

TEST(LmdbMigrationTest, Version1StoreIsMigratedToVersion2WithEveryRecord) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  ASSERT_TRUE(fs::MakeDirs(dir, 0700).ok());
  WriteVersion1(dir);
  {
    auto store = LmdbStore::Open(dir);
    ASSERT_TRUE(store) << store.error().message();
    auto snap = (*store)->ReadSnapshot();
    ASSERT_TRUE(snap) << snap.error().message();
    EXPECT_EQ(snap->lineage, kLineage);
    EXPECT_EQ(snap->serial, 7u);
    ASSERT_EQ(snap->resources.size(), 3u);
    EXPECT_EQ(snap->resources.at("node.worker-1")["attributes"]["ip"], "10.0.0.1");
    EXPECT_EQ(snap->resources.at("label.w/\u00e9t\u00e9")["v"], "\u00e9");
    auto history = (*store)->ReadHistory();
    ASSERT_TRUE(history) << history.error().message();
    ASSERT_EQ(history->size(), 300u);
    EXPECT_EQ((*history)[299]["id"], "300");
    auto lock = (*store)->CurrentLock();
    ASSERT_TRUE(lock && *lock);
    EXPECT_EQ((*lock)->id, "00000000000000aa");
    // Writes after the migration keep the digest right.
    ASSERT_TRUE((*store)->ForceUnlock("00000000000000aa").ok());
    ASSERT_TRUE((*store)->Lock("apply"));
    Batch b;
    b.puts.emplace_back("node.worker-2", nlohmann::json{{"kind", "node"}});
    b.deletes.push_back("service.t-app");
    ASSERT_TRUE((*store)->Commit(b));
    ASSERT_TRUE((*store)->AppendHistory({{"id", "301"}}).ok());
  }
  {
    RawLmdb raw(dir);
    EXPECT_EQ(raw.Get("meta", "format_version"), "2");
    auto value = raw.Get("resources", "node.worker-1");
    ASSERT_TRUE(value);
    EXPECT_EQ(value->substr(lmdb::kSealBytes), R"({"attributes":{"ip":"10.0.0.1"},"kind":"node"})");
    EXPECT_EQ(value->substr(0, lmdb::kSealBytes),
              lmdb::Seal("node.worker-1", value->substr(lmdb::kSealBytes)).value.substr(0, 9));
  }
  auto reopened = LmdbStore::Open(dir);  // now current: no migration, same data
  ASSERT_TRUE(reopened) << reopened.error().message();
  auto snap = (*reopened)->ReadSnapshot();
  ASSERT_TRUE(snap) << snap.error().message();
  EXPECT_EQ(snap->serial, 8u);
  EXPECT_EQ(snap->resources.size(), 3u);
  EXPECT_TRUE(snap->resources.count("node.worker-2"));
  EXPECT_EQ((*reopened)->ReadHistory()->size(), 301u);
}

TEST(LmdbMigrationTest, Version1StoreWithAnUndecodableRecordIsRefusedAndLeftUnchanged) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  ASSERT_TRUE(fs::MakeDirs(dir, 0700).ok());
  WriteVersion1(dir, R"({"kind": )");
  auto store = LmdbStore::Open(dir);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), Code::kCorruption);
  EXPECT_THAT(store.error().message(), HasSubstr(dir + "/data.mdb"));
  EXPECT_THAT(store.error().message(), HasSubstr("cannot migrate"));
  EXPECT_THAT(store.error().message(), HasSubstr("state push"));
  RawLmdb raw(dir);
  EXPECT_EQ(raw.Get("meta", "format_version"), "1");
  EXPECT_EQ(raw.Get("resources", "node.worker-1"), R"({"attributes":{"ip":"10.0.0.1"},"kind":"node"})");
}

}  // namespace
}  // namespace paiplan::state
