// LMDB backend specifics: persistence, file modes, map growth, damaged files,
// and snapshot isolation against a writer in progress.
#include "state/lmdb/lmdb_store.h"

#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/base/fs.h"
#include "tests/state/state_test_util.h"

namespace paiplan::state {
namespace {

using ::testing::HasSubstr;
using testing::PutBatch;
using testing::TempDir;

std::unique_ptr<StateStore> MustOpen(const std::string& dir, LmdbOptions options = {}) {
  auto r = LmdbStore::Open(dir, options);
  EXPECT_TRUE(r) << r.error().message();
  return r ? std::move(*r) : nullptr;
}

// Writes one raw key/value with the LMDB API, bypassing LmdbStore (to damage
// a store on purpose). REQUIRES: no store open on `dir` in this process.
void RawPut(const std::string& dir, const char* table, const std::string& key,
            const std::string& value) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 8);
  ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0600), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi dbi;
  ASSERT_EQ(mdb_dbi_open(txn, table, 0, &dbi), 0);
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{value.size(), const_cast<char*>(value.data())};
  ASSERT_EQ(mdb_put(txn, dbi, &k, &v, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

int Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 07777;
}

// A store in `dir` holding `n` records of about 1 KiB, then closed.
void Fill(const std::string& dir, int n) {
  auto store = MustOpen(dir);
  ASSERT_TRUE(store->Lock("apply"));
  Batch b;
  for (int i = 0; i < n; ++i) {
    b.puts.emplace_back("res." + std::to_string(i), nlohmann::json{{"pad", std::string(1000, 'x')}});
  }
  ASSERT_TRUE(store->Commit(b));
}

TEST(LmdbStoreTest, ReopenShowsEverythingCommitted) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  std::string lineage, lock_id;
  {
    auto store = MustOpen(dir);
    auto lock = store->Lock("apply");
    ASSERT_TRUE(lock);
    lock_id = lock->id;
    ASSERT_TRUE(store->Commit(PutBatch("node.a", {{"kind", "node"}, {"n", 1}})));
    ASSERT_TRUE(store->Commit(PutBatch("node.b", {{"kind", "node"}, {"n", 2}})));
    ASSERT_TRUE(store->AppendHistory({{"operation", "apply"}}).ok());
    lineage = store->ReadHead()->first;
  }
  auto store = MustOpen(dir);
  auto snap = store->ReadSnapshot();
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->lineage, lineage);
  EXPECT_EQ(snap->serial, 2u);
  EXPECT_EQ(snap->resources.at("node.b")["n"], 2);
  EXPECT_EQ(store->ReadHistory()->size(), 1u);
  auto lock = store->CurrentLock();
  ASSERT_TRUE(lock && lock->has_value());
  EXPECT_EQ((*lock)->id, lock_id);
  // A new object does not own the old lock, even in the same process.
  EXPECT_EQ(store->Commit(PutBatch("x", nlohmann::json::object())).error().code(),
            Code::kFailedPrecondition);
}

TEST(LmdbStoreTest, DirectoryIs0700AndFilesAre0600) {
  TempDir tmp;
  std::string dir = tmp.Sub("nested/state");
  auto store = MustOpen(dir);
  EXPECT_EQ(Mode(dir), 0700);
  EXPECT_EQ(Mode(dir + "/data.mdb"), 0600);
  EXPECT_EQ(Mode(dir + "/lock.mdb"), 0600);
}

TEST(LmdbStoreTest, MapFullGrowsTheMapAndKeepsEveryRecord) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  LmdbOptions options;
  options.initial_map_size = 64 * 1024;
  auto store = MustOpen(dir, options);
  auto* lmdb = dynamic_cast<LmdbStore*>(store.get());
  ASSERT_NE(lmdb, nullptr);
  size_t initial = lmdb->map_size();
  ASSERT_TRUE(store->Lock("apply"));
  for (int round = 0; round < 4; ++round) {
    Batch b;
    for (int i = 0; i < 500; ++i) {
      b.puts.emplace_back("res." + std::to_string(round) + "." + std::to_string(i),
                          nlohmann::json{{"pad", std::string(1000, 'a' + round)}});
    }
    auto r = store->Commit(b);
    ASSERT_TRUE(r) << r.error().message();
  }
  EXPECT_GT(lmdb->map_resize_count(), 0);
  EXPECT_GT(lmdb->map_size(), initial);
  store.reset();
  auto reopened = MustOpen(dir, options);  // a small requested map adopts the file's size
  auto snap = reopened->ReadSnapshot();
  ASSERT_TRUE(snap) << snap.error().message();
  EXPECT_EQ(snap->serial, 4u);
  ASSERT_EQ(snap->resources.size(), 2000u);
  EXPECT_EQ(snap->resources.at("res.3.499")["pad"], std::string(1000, 'd'));
}

TEST(LmdbStoreTest, GarbageDataFileIsCorruptionNamingTheFile) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  ASSERT_TRUE(fs::MakeDirs(dir, 0700).ok());
  ASSERT_TRUE(fs::WriteFileAtomic(dir + "/data.mdb", std::string(65536, '\x5a'), 0600).ok());
  auto r = LmdbStore::Open(dir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kCorruption);
  EXPECT_THAT(r.error().message(), HasSubstr(dir + "/data.mdb"));
  EXPECT_THAT(r.error().message(), HasSubstr("backup"));
  EXPECT_THAT(r.error().message(), HasSubstr("paiplan state push"));
}

TEST(LmdbStoreTest, TruncatedDataFileIsCorruptionNotACrash) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  Fill(dir, 400);
  for (off_t size : {off_t(3 * 4096), off_t(100), off_t(0)}) {
    SCOPED_TRACE(size);
    ASSERT_EQ(::truncate((dir + "/data.mdb").c_str(), size), 0);
    auto r = LmdbStore::Open(dir);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Code::kCorruption);
    EXPECT_THAT(r.error().message(), HasSubstr(dir + "/data.mdb"));
    EXPECT_THAT(r.error().message(), HasSubstr("state push"));
  }
}

TEST(LmdbStoreTest, DamagedMetaRecordIsCorruption) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  Fill(dir, 1);
  RawPut(dir, "meta", "serial", "twelve");
  auto r = LmdbStore::Open(dir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kCorruption);
  EXPECT_THAT(r.error().message(), HasSubstr(dir + "/data.mdb"));
  EXPECT_THAT(r.error().message(), HasSubstr("serial"));
}

TEST(LmdbStoreTest, UndecodableRecordIsCorruptionNamingTheAddress) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  Fill(dir, 3);
  RawPut(dir, "resources", "node.broken", "{\"kind\": ");
  auto store = MustOpen(dir);
  auto snap = store->ReadSnapshot();
  ASSERT_FALSE(snap);
  EXPECT_EQ(snap.error().code(), Code::kCorruption);
  EXPECT_THAT(snap.error().message(), HasSubstr("node.broken"));
  EXPECT_THAT(snap.error().message(), HasSubstr(dir + "/data.mdb"));
  // Listing addresses does not decode, so it still works for diagnosis.
  EXPECT_EQ(store->ListAddresses()->size(), 4u);
}

TEST(LmdbStoreTest, NewerFormatVersionIsRefused) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  Fill(dir, 1);
  RawPut(dir, "meta", "format_version", "99");
  auto r = LmdbStore::Open(dir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kFailedPrecondition);
  EXPECT_THAT(r.error().message(), HasSubstr("format version 99"));
}

TEST(LmdbStoreTest, ReaderIsNotBlockedByAWriteInProgress) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  std::promise<void> writer_inside, release_writer;
  std::shared_future<void> release = release_writer.get_future().share();
  std::atomic<bool> hook_armed{false};
  LmdbOptions options;
  options.before_commit_for_test = [&] {
    if (!hook_armed.exchange(false)) return;
    writer_inside.set_value();
    release.wait();
  };
  auto store = MustOpen(dir, options);
  ASSERT_TRUE(store->Lock("apply"));
  ASSERT_TRUE(store->Commit(PutBatch("a", {{"v", 1}})));

  hook_armed = true;
  std::thread writer([&] {
    Batch b;
    b.puts.emplace_back("a", nlohmann::json{{"v", 2}});
    b.puts.emplace_back("b", nlohmann::json{{"v", 2}});
    EXPECT_TRUE(store->Commit(b));
  });
  writer_inside.get_future().wait();  // the write txn is open, uncommitted
  auto reader = std::async(std::launch::async, [&] { return store->ReadSnapshot(); });
  bool finished = reader.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  EXPECT_TRUE(finished) << "ReadSnapshot blocked behind the writer";
  release_writer.set_value();
  writer.join();
  auto during = reader.get();
  ASSERT_TRUE(during);
  EXPECT_EQ(during->serial, 1u);
  EXPECT_EQ(during->resources.at("a")["v"], 1);
  EXPECT_FALSE(during->resources.contains("b"));
  auto after = store->ReadSnapshot();
  EXPECT_EQ(after->serial, 2u);
  EXPECT_EQ(after->resources.at("a")["v"], 2);
}

TEST(LmdbStoreTest, SnapshotsAreConsistentWhileCommitsRun) {
  TempDir tmp;
  auto store = MustOpen(tmp.Sub("state"));
  ASSERT_TRUE(store->Lock("apply"));
  constexpr int kRecords = 200, kCommits = 40;
  std::atomic<bool> done{false};
  std::atomic<int> snapshots{0}, inconsistent{0};
  std::thread reader([&] {
    while (!done) {
      auto snap = store->ReadSnapshot();
      if (!snap) {
        ++inconsistent;
        continue;
      }
      ++snapshots;
      if (snap->serial == 0) continue;
      if (snap->resources.size() != size_t(kRecords)) ++inconsistent;
      for (const auto& [address, record] : snap->resources) {
        if (record["gen"] != snap->serial) ++inconsistent;
      }
    }
  });
  for (int gen = 1; gen <= kCommits; ++gen) {
    Batch b;
    for (int i = 0; i < kRecords; ++i) b.puts.emplace_back("r" + std::to_string(i), nlohmann::json{{"gen", gen}});
    ASSERT_TRUE(store->Commit(b));
  }
  done = true;
  reader.join();
  EXPECT_GT(snapshots.load(), 0);
  EXPECT_EQ(inconsistent.load(), 0);
}

TEST(LmdbStoreTest, SecondOpenOfTheSameDirInOneProcessIsRefused) {
  TempDir tmp;
  auto first = MustOpen(tmp.Sub("state"));
  auto second = LmdbStore::Open(tmp.Sub("state") + "/.");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), Code::kFailedPrecondition);
  first.reset();
  EXPECT_TRUE(LmdbStore::Open(tmp.Sub("state")));  // released on close
}

TEST(LmdbStoreTest, OpenOnAFileIsInvalidArgument) {
  TempDir tmp;
  ASSERT_TRUE(fs::WriteFileAtomic(tmp.Sub("file"), "x").ok());
  auto r = LmdbStore::Open(tmp.Sub("file"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace paiplan::state
