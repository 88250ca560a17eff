// A damaged data.mdb must never crash paiplan: every single-byte corruption
// past the two meta pages, at deterministic pseudo-random offsets, read by a
// forked child (the way `state pull` reads), either reads exactly what was
// stored or fails with exit 1 and a message naming the file and the way back
// (a backup or `state push`). Never a signal, an abort or different data.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/lmdb/lmdb_env.h"
#include "state/lmdb/lmdb_store.h"
#include "state/state_json.h"
#include "tests/state/raw_lmdb.h"
#include "tests/state/state_test_util.h"

namespace paiplan::state {
namespace {

using ::testing::HasSubstr;
using testing::ForkChild;
using testing::RawLmdb;
using testing::TempDir;
using testing::WaitChild;

constexpr uint32_t kSeed = 20261126;
constexpr int kTrials = 400;

// Everything a reader can see, as one string.
Result<std::string> ReadAll(StateStore& store) {
  PP_ASSIGN_OR_RETURN(Snapshot snap, store.ReadSnapshot());
  PP_ASSIGN_OR_RETURN(auto history, store.ReadHistory());
  PP_ASSIGN_OR_RETURN(auto addresses, store.ListAddresses());
  PP_ASSIGN_OR_RETURN(auto lock, store.CurrentLock());
  nlohmann::json all = {{"snapshot", SnapshotToJson(snap)}, {"history", history},
                        {"addresses", addresses}, {"lock", lock ? lock->id : ""}};
  return all.dump();
}

// A store with records of many sizes (some spill onto overflow pages), a
// branch level, history and a lock; returns ReadAll of it.
std::string Populate(const std::string& dir) {
  auto store = LmdbStore::Open(dir);
  if (!store) return "open: " + store.error().message();
  if (!(*store)->Lock("apply")) return "lock failed";
  for (int round = 0; round < 3; ++round) {
    Batch b;
    for (int i = 0; i < 150; ++i) {
      std::string pad(size_t((i * 37 + round * 11) % 700), char('a' + i % 26));
      if (i % 50 == 7) pad.assign(6000, 'z');  // overflow pages
      b.puts.emplace_back("service.s-" + std::to_string(i),
                          nlohmann::json{{"kind", "service"}, {"hash", std::to_string(i * round)},
                                         {"attributes", {{"pad", pad}, {"n", i}}}});
    }
    if (round == 2) b.deletes = {"service.s-3", "service.s-77"};
    if (!(*store)->Commit(b)) return "commit failed";
    if (!(*store)->AppendHistory({{"id", std::to_string(round)}, {"operation", "apply"}}).ok()) {
      return "history failed";
    }
  }
  auto all = ReadAll(**store);
  return all ? *all : all.error().message();
}

// In a child: exit 0 if the store reads exactly `expected`, 1 with the error on
// stderr if it reports one, 3 if it read different data.
int ReadInChild(const std::string& dir, const std::string& expected, const std::string& err_file) {
  int fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(fd, 2);
  auto store = LmdbStore::Open(dir);
  Result<std::string> all = store ? ReadAll(**store) : Result<std::string>(Err(store.error()));
  if (!all) {
    std::fprintf(stderr, "error: %s\n", all.error().message().c_str());
    return 1;
  }
  return *all == expected ? 0 : 3;
}

TEST(LmdbCorruptionTest, EverySingleByteCorruptionIsAnErrorNamingTheFileOrChangesNothing) {
  TempDir tmp;
  std::string dir = tmp.Sub("state"), file = dir + "/data.mdb", err_file = tmp.Sub("stderr");
  std::string expected = Populate(dir);
  ASSERT_EQ(expected.rfind("{", 0), 0u) << expected;
  auto pristine = fs::ReadFile(file);
  ASSERT_TRUE(pristine);
  const size_t page = size_t(::sysconf(_SC_PAGESIZE)), size = pristine->size();
  ASSERT_GT(size, 20 * page);
  std::mt19937 rng(kSeed);
  int unchanged = 0, reported = 0, faults = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    size_t offset = 2 * page + rng() % (size - 2 * page);
    auto flip = static_cast<char>(1 + rng() % 255);
    std::string damaged = *pristine;
    damaged[offset] = static_cast<char>(damaged[offset] ^ flip);
    ASSERT_TRUE(fs::WriteFileAtomic(file, damaged, 0600).ok());
    (void)::unlink((dir + "/lock.mdb").c_str());
    int code = WaitChild(ForkChild([&] { return ReadInChild(dir, expected, err_file); }));
    std::string err = fs::ReadFile(err_file).value_or("");
    SCOPED_TRACE("seed " + std::to_string(kSeed) + " trial " + std::to_string(trial) +
                 ": byte " + std::to_string(offset) + " (page " + std::to_string(offset / page) +
                 ") ^ " + std::to_string(uint8_t(flip)) + "; stderr: " + err);
    ASSERT_TRUE(code == 0 || code == 1) << "exit " << code << (code < 0 ? " (signal)" : "");
    if (code == 0) {
      ++unchanged;
      continue;
    }
    ++reported;
    if (err.find("outside the file") != std::string::npos) ++faults;
    EXPECT_THAT(err, HasSubstr(file));
    EXPECT_THAT(err, HasSubstr("corrupt"));
    EXPECT_THAT(err, HasSubstr("paiplan state push"));
  }
  std::printf("%d trials: %d read unchanged data, %d reported corruption (%d of them by the "
              "fault handler)\n", kTrials, unchanged, reported, faults);
  EXPECT_GT(reported, kTrials / 10) << "the corruptions hit almost nothing: test too weak";
}

TEST(LmdbCorruptionTest, AVanishedRecordIsDetectedByTheDigest) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  ASSERT_EQ(Populate(dir).rfind("{", 0), 0u);
  { RawLmdb(dir).Del("resources", "service.s-10"); }
  auto store = LmdbStore::Open(dir);
  ASSERT_TRUE(store) << store.error().message();
  auto snap = (*store)->ReadSnapshot();
  ASSERT_FALSE(snap);
  EXPECT_EQ(snap.error().code(), Code::kCorruption);
  EXPECT_THAT(snap.error().message(), HasSubstr(dir + "/data.mdb"));
  EXPECT_THAT(snap.error().message(), HasSubstr("(147 records read, 148 recorded)"));
}

TEST(LmdbCorruptionTest, AChangedSerialIsDetectedByTheHeadCheck) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  ASSERT_EQ(Populate(dir).rfind("{", 0), 0u);
  { RawLmdb(dir).Put("meta", "serial", "2"); }
  auto store = LmdbStore::Open(dir);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), Code::kCorruption);
  EXPECT_THAT(store.error().message(), HasSubstr("meta record"));
  EXPECT_THAT(store.error().message(), HasSubstr("state push"));
}

TEST(LmdbCorruptionTest, ARecordMovedUnderAnotherAddressDoesNotVerify) {
  TempDir tmp;
  std::string dir = tmp.Sub("state");
  ASSERT_EQ(Populate(dir).rfind("{", 0), 0u);
  {
    RawLmdb raw(dir);
    raw.Put("resources", "service.s-11", raw.Get("resources", "service.s-12").value());
  }
  auto store = LmdbStore::Open(dir);
  ASSERT_TRUE(store) << store.error().message();
  auto snap = (*store)->ReadSnapshot();
  ASSERT_FALSE(snap);
  EXPECT_THAT(snap.error().message(), HasSubstr("record service.s-11 is damaged (checksum mismatch)"));
  auto held = (*store)->CurrentLock();  // Populate's, left behind
  ASSERT_TRUE(held && *held);
  ASSERT_TRUE((*store)->ForceUnlock((*held)->id).ok());
  ASSERT_TRUE((*store)->Lock("apply"));
  auto commit = (*store)->Commit(testing::PutBatch("service.s-11", {{"kind", "service"}}));
  EXPECT_FALSE(commit) << "a commit over a damaged record must be refused";
}

TEST(LmdbCorruptionTest, AnAddressThatIsNotUtf8IsRefusedOnWrite) {
  TempDir tmp;
  auto store = LmdbStore::Open(tmp.Sub("state"));
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->Lock("apply"));
  auto r = (*store)->Commit(testing::PutBatch("node.\xff\xfe", {{"kind", "node"}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
}

// A full disk is named as such, with what to do; LMDB's short write (EIO) on
// a file system with space left stays a plain I/O error.
TEST(LmdbErrorTextTest, NoSpaceSaysTheDiskIsFullAndWhatToDo) {
  TempDir dir;
  Status s = lmdb::LmdbStatus(ENOSPC, "cannot commit to", dir.path() + "/data.mdb", dir.path());
  EXPECT_THAT(s.message(), ::testing::HasSubstr("No space left on device"));
  EXPECT_THAT(s.message(), ::testing::HasSubstr("the file system holding the state (" + dir.path() + ") is full"));
  EXPECT_THAT(s.message(), ::testing::HasSubstr("`state.path` in paiplan.yaml"));
  Status io = lmdb::LmdbStatus(EIO, "cannot commit to", dir.path() + "/data.mdb", dir.path());
  EXPECT_THAT(io.message(), ::testing::HasSubstr("Input/output error"));
  EXPECT_THAT(io.message(), ::testing::Not(::testing::HasSubstr("is full")));  // a test machine has space
}

}  // namespace
}  // namespace paiplan::state
