#include "state/group_committer.h"

#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/lmdb/lmdb_store.h"
#include "state/memory_store.h"
#include "tests/state/state_test_util.h"

namespace paiplan::state {
namespace {

using testing::PutBatch;
using testing::TempDir;

// Waits until `n` submissions are queued. The deadline only turns a broken
// test into a failure instead of a hang; it asserts nothing about speed.
void WaitForQueued(const GroupCommitter& committer, size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (committer.waiting() < n) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "only " << committer.waiting()
                                                          << " of " << n << " queued";
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

TEST(GroupCommitterTest, PausedSubmissionsGoOutInExactlyOneCommit) {
  MemoryStore store;
  ASSERT_TRUE(store.Lock("apply"));
  GroupCommitter committer(&store);
  committer.Pause();
  constexpr int kThreads = 16;
  std::vector<Result<uint64_t>> results(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = committer.Submit(PutBatch("action." + std::to_string(i), {{"i", i}}));
    });
  }
  WaitForQueued(committer, kThreads);
  EXPECT_EQ(committer.commits(), 0u);
  EXPECT_EQ(store.ReadHead()->second, 0u);  // nothing is durable yet, nobody returned
  committer.Resume();
  for (auto& t : threads) t.join();
  EXPECT_EQ(committer.commits(), 1u);
  EXPECT_EQ(store.commit_count(), 1u);
  for (const auto& r : results) {
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 1u);
  }
  EXPECT_EQ(store.ReadSnapshot()->resources.size(), size_t(kThreads));
}

TEST(GroupCommitterTest, ManyThreadsOnLmdbAllRecordsDurable) {
  TempDir tmp;
  auto opened = LmdbStore::Open(tmp.Sub("state"));
  ASSERT_TRUE(opened);
  StateStore& store = **opened;
  ASSERT_TRUE(store.Lock("apply"));
  GroupCommitter committer(&store);
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string address = "a." + std::to_string(t) + "." + std::to_string(i);
        auto serial = committer.Submit(PutBatch(address, {{"t", t}, {"i", i}}));
        // Returned means durable: a fresh read must already see the record.
        if (!serial || !store.ReadSnapshot()->resources.contains(address)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto snap = store.ReadSnapshot();
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->resources.size(), size_t(kThreads * kPerThread));
  EXPECT_EQ(committer.submissions(), uint64_t(kThreads * kPerThread));
  EXPECT_LE(committer.commits(), committer.submissions());
  EXPECT_EQ(snap->serial, committer.commits());
}

TEST(GroupCommitterTest, LaterSubmissionWinsWithinAGroup) {
  MemoryStore store;
  ASSERT_TRUE(store.Lock("apply"));
  ASSERT_TRUE(store.Commit(PutBatch("gone", nlohmann::json::object())));
  GroupCommitter committer(&store);
  committer.Pause();
  std::vector<std::thread> threads;
  // Queue in a known order: each waits until the previous one is queued.
  threads.emplace_back([&] { (void)committer.Submit(PutBatch("x", {{"v", 1}})); });
  WaitForQueued(committer, 1);
  threads.emplace_back([&] { (void)committer.Submit(PutBatch("x", {{"v", 2}})); });
  WaitForQueued(committer, 2);
  threads.emplace_back([&] {
    Batch b;
    b.deletes.push_back("gone");
    (void)committer.Submit(b);
  });
  WaitForQueued(committer, 3);
  committer.Resume();
  for (auto& t : threads) t.join();
  auto snap = store.ReadSnapshot();
  EXPECT_EQ(snap->resources.at("x")["v"], 2);
  EXPECT_FALSE(snap->resources.contains("gone"));
  EXPECT_EQ(committer.commits(), 1u);
}

TEST(GroupCommitterTest, FailedCommitReachesEveryWaiterOfTheGroup) {
  MemoryStore store;
  ASSERT_TRUE(store.Lock("apply"));
  store.FailNextCommits(1, Status::IOError("disk on fire"));
  GroupCommitter committer(&store);
  committer.Pause();
  std::vector<Result<uint64_t>> results(4, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { results[i] = committer.Submit(PutBatch("r" + std::to_string(i), nlohmann::json::object())); });
  }
  WaitForQueued(committer, 4);
  committer.Resume();
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), "disk on fire");
  }
  // The next group works again.
  EXPECT_TRUE(committer.Submit(PutBatch("after", nlohmann::json::object())));
}

TEST(GroupCommitterTest, InvalidBatchFailsAloneWithoutCommitting) {
  MemoryStore store;
  ASSERT_TRUE(store.Lock("apply"));
  GroupCommitter committer(&store);
  auto r = committer.Submit(PutBatch("", nlohmann::json::object()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(committer.commits(), 0u);
}

TEST(GroupCommitterTest, GroupsAreCappedByRecordCount) {
  MemoryStore store;
  ASSERT_TRUE(store.Lock("apply"));
  GroupCommitter committer(&store, GroupCommitter::Options{.max_group_records = 2});
  committer.Pause();
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] { (void)committer.Submit(PutBatch("r" + std::to_string(i), nlohmann::json::object())); });
  }
  WaitForQueued(committer, 5);
  committer.Resume();
  for (auto& t : threads) t.join();
  EXPECT_EQ(committer.commits(), 3u);  // 2 + 2 + 1
  EXPECT_EQ(store.ReadSnapshot()->resources.size(), 5u);
}

}  // namespace
}  // namespace paiplan::state
