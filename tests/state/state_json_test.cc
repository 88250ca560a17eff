#include "state/state_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/memory_store.h"
#include "state/store_util.h"

namespace paiplan::state {
namespace {

using ::testing::HasSubstr;

TEST(StateJsonTest, SnapshotRoundTripsThroughTheDocument) {
  Snapshot snap;
  snap.lineage = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  snap.serial = 42;
  snap.resources["service.rest-server"] = {{"kind", "service"}, {"hash", "abc"}};
  snap.resources["node.worker-1"] = {{"kind", "node"}};
  nlohmann::json doc = SnapshotToJson(snap);
  EXPECT_EQ(doc.dump(),
            R"({"format_version":1,"lineage":"1b4e28ba-2fa1-41d2-883f-0016d3cca427",)"
            R"("resources":{"node.worker-1":{"kind":"node"},)"
            R"("service.rest-server":{"hash":"abc","kind":"service"}},"serial":42})");
  auto back = SnapshotFromJson(doc, "pulled.json");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->lineage, snap.lineage);
  EXPECT_EQ(back->serial, 42u);
  EXPECT_EQ(back->resources, snap.resources);
}

TEST(StateJsonTest, EmptyStateHasAnEmptyResourcesObject) {
  Snapshot snap;
  snap.lineage = NewUuid();
  EXPECT_TRUE(SnapshotToJson(snap)["resources"].is_object());
}

struct BadDoc {
  const char* text;
  const char* expected;
};

class StateJsonErrorTest : public ::testing::TestWithParam<BadDoc> {};

TEST_P(StateJsonErrorTest, NamesTheSourceAndTheProblem) {
  auto r = SnapshotFromText(GetParam().text, "backup.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.error().message(), ::testing::StartsWith("backup.json: "));
  EXPECT_THAT(r.error().message(), HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Docs, StateJsonErrorTest,
    ::testing::Values(
        BadDoc{"{", "not valid JSON"}, BadDoc{"[]", "must be a JSON object"},
        BadDoc{R"({"lineage":"x","serial":1,"resources":{}})", "missing \"format_version\""},
        BadDoc{R"({"format_version":2,"lineage":"x","serial":1,"resources":{}})",
               "unsupported format_version 2"},
        BadDoc{R"({"format_version":1,"serial":1,"resources":{}})", "\"lineage\""},
        BadDoc{R"({"format_version":1,"lineage":"x","serial":-1,"resources":{}})", "\"serial\""},
        BadDoc{R"({"format_version":1,"lineage":"x","serial":"1","resources":{}})", "\"serial\""},
        BadDoc{R"({"format_version":1,"lineage":"x","serial":1})", "\"resources\""},
        BadDoc{R"({"format_version":1,"lineage":"x","serial":1,"resources":{"a":1}})",
               "resource a must be a JSON object"},
        BadDoc{R"({"format_version":1,"lineage":"x","serial":1,"resources":{"":{}}})",
               "empty or too long"}));

TEST(MemoryStoreTest, ReportsAStaleLockOfADeadProcess) {
  MemoryStore store;
  LockInfo dead = NewLockInfo("apply");
  dead.pid = 0x7ffffff0;  // above pid_max: no such process
  store.SetLockRecordForTest(dead);
  auto r = store.Lock("apply");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("stale"));
  EXPECT_THAT(r.error().message(), HasSubstr("paiplan force-unlock " + dead.id));
}

TEST(MemoryStoreTest, LockOfAnotherHostIsNeverCalledStale) {
  MemoryStore store;
  LockInfo other = NewLockInfo("apply");
  other.host = "some-other-host.example";
  other.pid = 0x7ffffff0;
  store.SetLockRecordForTest(other);
  auto r = store.Lock("apply");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), ::testing::Not(HasSubstr("stale")));
}

TEST(MemoryStoreTest, SnapshotsAreCopies) {
  MemoryStore store;
  ASSERT_TRUE(store.Lock("apply"));
  Batch b;
  b.puts.emplace_back("a", nlohmann::json{{"v", 1}});
  ASSERT_TRUE(store.Commit(b));
  auto before = store.ReadSnapshot();
  b.puts[0].second["v"] = 2;
  ASSERT_TRUE(store.Commit(b));
  EXPECT_EQ(before->resources.at("a")["v"], 1);
  EXPECT_EQ(before->serial, 1u);
}

}  // namespace
}  // namespace paiplan::state
