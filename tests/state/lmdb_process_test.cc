// The LMDB store across processes: lock races, a writer killed with SIGKILL,
// locks of dead processes (released by the kernel) and of live ones. Each process opens its own store (LMDB
// environments must not cross fork()); children report through pipes.
#include <signal.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/lmdb/lmdb_records.h"
#include "state/lmdb/lmdb_store.h"
#include "tests/state/raw_lmdb.h"
#include "tests/state/state_test_util.h"

namespace paiplan::state {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::ForkChild;
using testing::LinePipe;
using testing::TempDir;
using testing::WaitChild;

// Creates the store so that children only open it.
void CreateStore(const std::string& dir) {
  auto store = LmdbStore::Open(dir);
  ASSERT_TRUE(store) << store.error().message();
}

TEST(LmdbProcessTest, TwoProcessesRaceForTheLockAndExactlyOneWins) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  CreateStore(dir);
  LinePipe go, results, release;
  auto contender = [&]() -> int {
    go.CloseWrite();
    results.CloseRead();
    release.CloseWrite();
    auto store = LmdbStore::Open(dir);
    if (!store) return 10;
    std::string line;
    if (!go.Read(&line)) return 11;
    auto lock = (*store)->Lock("apply");
    results.Write(lock ? "won " + lock->id : "lost " + lock.error().message());
    release.Read(&line);  // hold the lock until the parent has both answers
    return 0;
  };
  pid_t a = ForkChild(contender);
  pid_t b = ForkChild(contender);
  go.CloseRead();
  results.CloseWrite();
  release.CloseRead();
  go.Write("go");
  go.Write("go");
  std::string first, second;
  ASSERT_TRUE(results.Read(&first));
  ASSERT_TRUE(results.Read(&second));
  release.CloseWrite();
  EXPECT_EQ(WaitChild(a), 0);
  EXPECT_EQ(WaitChild(b), 0);
  std::string won = first.starts_with("won ") ? first : second;
  std::string lost = won == first ? second : first;
  ASSERT_THAT(won, StartsWith("won "));
  ASSERT_THAT(lost, StartsWith("lost state locked by "));
  std::string id = won.substr(4);
  EXPECT_THAT(lost, HasSubstr(", apply) since "));
  EXPECT_THAT(lost, ::testing::EndsWith("; lock id " + id));  // holder alive: not stale
}

// A child commits large batches forever; after it reported `reports` commits
// it is SIGKILLed (most likely in the middle of a write transaction).
void KillWriterAndCheck(int reports) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  CreateStore(dir);
  constexpr int kRecords = 2000;
  LinePipe progress;
  pid_t child = ForkChild([&]() -> int {
    progress.CloseRead();
    auto store = LmdbStore::Open(dir);
    if (!store || !(*store)->Lock("apply")) return 10;
    for (uint64_t gen = 1;; ++gen) {
      Batch b;
      for (int i = 0; i < kRecords; ++i) {
        b.puts.emplace_back("fixed." + std::to_string(i),
                            nlohmann::json{{"gen", gen}, {"pad", std::string(200, 'p')}});
      }
      b.puts.emplace_back("added." + std::to_string(gen), nlohmann::json{{"gen", gen}});
      auto serial = (*store)->Commit(b);
      if (!serial || *serial != gen) return 11;
      progress.Write(std::to_string(*serial));
    }
  });
  progress.CloseWrite();
  std::string line;
  uint64_t reported = 0;
  for (int i = 0; i < reports; ++i) {
    ASSERT_TRUE(progress.Read(&line)) << "writer died early: " << WaitChild(child);
    reported = std::stoull(line);
  }
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  EXPECT_EQ(WaitChild(child), -SIGKILL);
  while (progress.Read(&line)) reported = std::stoull(line);  // drain what was durable

  auto store = LmdbStore::Open(dir);
  ASSERT_TRUE(store) << store.error().message();
  auto snap = (*store)->ReadSnapshot();
  ASSERT_TRUE(snap) << snap.error().message();
  const uint64_t serial = snap->serial;
  EXPECT_GE(serial, reported);      // every reported commit was durable
  EXPECT_LE(serial, reported + 1);  // at most the one in flight also made it
  ASSERT_EQ(snap->resources.size(), kRecords + serial);
  for (const auto& [address, record] : snap->resources) {
    if (address.starts_with("fixed.")) {
      ASSERT_EQ(record["gen"], serial) << address;
      ASSERT_EQ(record["pad"].get<std::string>().size(), 200u);
    }
  }
  for (uint64_t gen = 1; gen <= serial; ++gen) {
    EXPECT_TRUE(snap->resources.contains("added." + std::to_string(gen)));
  }
  // The dead writer's record is left, but the kernel released its lock.
  auto left = (*store)->CurrentLock();
  ASSERT_TRUE(left && left->has_value());
  EXPECT_EQ((*left)->pid, child);
  auto lock = (*store)->Lock("apply");
  EXPECT_TRUE(lock) << lock.error().message();
}

TEST(LmdbProcessTest, SigkillDuringWritesLeavesTheLastCommittedSerialIntact) {
  for (int reports : {1, 3, 6}) {
    SCOPED_TRACE(reports);
    KillWriterAndCheck(reports);
  }
}

TEST(LmdbProcessTest, AReaderAdoptsAMapGrownByAnotherProcess) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  LmdbOptions tiny;
  tiny.initial_map_size = 64 * 1024;
  ASSERT_TRUE(LmdbStore::Open(dir, tiny));
  LinePipe go, done;
  pid_t child = ForkChild([&]() -> int {
    go.CloseWrite();
    done.CloseRead();
    auto store = LmdbStore::Open(dir, tiny);
    std::string line;
    if (!store || !go.Read(&line) || !(*store)->Lock("apply")) return 10;
    Batch b;
    for (int i = 0; i < 3000; ++i) {
      b.puts.emplace_back("r" + std::to_string(i), nlohmann::json{{"pad", std::string(1000, 'q')}});
    }
    if (!(*store)->Commit(b)) return 11;
    done.Write("committed");
    return 0;
  });
  go.CloseRead();
  done.CloseWrite();
  auto store = LmdbStore::Open(dir, tiny);  // maps the small file before it grows
  ASSERT_TRUE(store) << store.error().message();
  ASSERT_TRUE((*store)->ReadHead());
  go.Write("go");
  std::string line;
  ASSERT_TRUE(done.Read(&line));
  ASSERT_EQ(WaitChild(child), 0);
  auto snap = (*store)->ReadSnapshot();
  ASSERT_TRUE(snap) << snap.error().message();
  EXPECT_EQ(snap->serial, 1u);
  EXPECT_EQ(snap->resources.size(), 3000u);
}

TEST(LmdbProcessTest, LockOfAProcessThatExitedWithoutUnlockingIsFreeAtOnce) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  CreateStore(dir);
  LinePipe id_pipe;
  pid_t child = ForkChild([&]() -> int {
    id_pipe.CloseRead();
    auto store = LmdbStore::Open(dir);
    if (!store) return 10;
    auto lock = (*store)->Lock("destroy");
    if (!lock) return 11;
    id_pipe.Write(lock->id);
    std::_Exit(0);  // no destructors: the lock record stays, only the kernel releases the flock
  });
  id_pipe.CloseWrite();
  std::string id;
  ASSERT_TRUE(id_pipe.Read(&id));
  ASSERT_EQ(WaitChild(child), 0);

  auto store = LmdbStore::Open(dir);
  ASSERT_TRUE(store);
  auto left = (*store)->CurrentLock();  // the record is still there, for display only
  ASSERT_TRUE(left && left->has_value());
  EXPECT_EQ((*left)->id, id);
  auto lock = (*store)->Lock("apply");
  ASSERT_TRUE(lock) << lock.error().message();
  EXPECT_NE(lock->id, id);
  EXPECT_TRUE((*store)->Commit(testing::PutBatch("node.a", {{"kind", "node"}})));
}

TEST(LmdbProcessTest, ALiveHolderBlocksAndIsNeverForceUnlockedThenSigkillFreesIt) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  CreateStore(dir);
  LinePipe id_pipe, hold;
  pid_t child = ForkChild([&]() -> int {
    id_pipe.CloseRead();
    hold.CloseWrite();
    auto store = LmdbStore::Open(dir);
    if (!store) return 10;
    auto lock = (*store)->Lock("apply");
    if (!lock) return 11;
    id_pipe.Write(lock->id);
    std::string line;
    hold.Read(&line);  // until killed
    return 0;
  });
  id_pipe.CloseWrite();
  hold.CloseRead();
  std::string id;
  ASSERT_TRUE(id_pipe.Read(&id));

  auto store = LmdbStore::Open(dir);
  ASSERT_TRUE(store);
  auto lock = (*store)->Lock("apply");
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code(), Code::kConflict);
  const std::string& msg = lock.error().message();
  EXPECT_THAT(msg, StartsWith("state locked by "));
  EXPECT_THAT(msg, HasSubstr("(pid " + std::to_string(child) + ", apply) since "));
  EXPECT_THAT(msg, HasSubstr("; lock id " + id));
  EXPECT_THAT(msg, Not(HasSubstr("stale")));
  Status force = (*store)->ForceUnlock(id);
  EXPECT_EQ(force.code(), Code::kFailedPrecondition) << force.message();
  EXPECT_THAT(force.message(), HasSubstr("live process on this host"));
  auto still = (*store)->CurrentLock();
  ASSERT_TRUE(still && still->has_value());
  EXPECT_EQ((*still)->id, id);

  ::kill(child, SIGKILL);
  EXPECT_EQ(WaitChild(child), -SIGKILL);
  auto after = (*store)->Lock("apply");
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_TRUE((*store)->Commit(testing::PutBatch("node.a", {{"kind", "node"}})));
}

TEST(LmdbProcessTest, ARecordFromAnotherHostIsNeverBrokenAutomatically) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  CreateStore(dir);
  {
    auto store = LmdbStore::Open(dir);
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->Lock("apply"));
  }
  // Rewrite the record as if another host had written it.
  std::string id;
  {
    testing::RawLmdb raw(dir);
    auto sealed = raw.Get("lock", "current");
    ASSERT_TRUE(sealed);
    auto text = lmdb::Unseal("current", *sealed, "lock", "data.mdb", dir);
    ASSERT_TRUE(text);
    auto record = nlohmann::json::parse(text->text);
    record["host"] = "elsewhere.example";
    id = record["id"];
    raw.Put("lock", "current", lmdb::Seal("current", record.dump()).value);
  }
  auto store = LmdbStore::Open(dir);
  ASSERT_TRUE(store);
  auto lock = (*store)->Lock("apply");
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code(), Code::kConflict);
  EXPECT_THAT(lock.error().message(), HasSubstr("@elsewhere.example"));
  EXPECT_THAT(lock.error().message(), HasSubstr("paiplan force-unlock " + id));
  ASSERT_TRUE((*store)->ForceUnlock(id).ok());
  EXPECT_TRUE((*store)->Lock("apply"));
}

}  // namespace
}  // namespace paiplan::state
