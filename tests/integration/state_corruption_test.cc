// The real binary on a damaged state: byte flips in data.mdb never crash
// `state pull`, `state list --json` or `plan` (same output, or exit 1 naming the
// file); `state list` lists keys without decoding records; `state history`
// shows the applies, and a failed history write is a warning, not lost.
#include <unistd.h>

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/lmdb/lmdb_records.h"
#include "tests/integration/test_workspace.h"
#include "tests/state/raw_lmdb.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using state::testing::RawLmdb;

constexpr uint32_t kSeed = 7321;
constexpr int kTrials = 60;

// Exit 0 with `expected` on stdout, or exit 1 with the corruption message.
void ExpectSameOrReported(const RunResult& r, const std::string& expected, const std::string& file) {
  ASSERT_EQ(r.term_signal, 0) << r.All();
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << r.All();
  if (r.exit_code == 0) {
    EXPECT_EQ(r.out, expected);
    return;
  }
  EXPECT_THAT(r.err, HasSubstr("state " + file + " is corrupted"));
  EXPECT_THAT(r.err, HasSubstr("paiplan state push"));
}

TEST(IntegStateCorruptionTest, ByteFlipsInDataMdbNeverCrashTheCli) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string file = ws.Path(".paiplan/state/data.mdb");
  RunResult pull = ws.Paiplan({"state", "pull"}), list = ws.Paiplan({"--json", "state", "list"});
  RunResult plan = ws.Paiplan({"plan"});
  ASSERT_EQ(pull.exit_code, 0);
  ASSERT_EQ(list.exit_code, 0);
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  std::string pristine = ReadFileOr(file);
  const size_t page = size_t(::sysconf(_SC_PAGESIZE));
  ASSERT_GT(pristine.size(), 4 * page);
  std::mt19937 rng(kSeed);
  int reported = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    size_t offset = 2 * page + rng() % (pristine.size() - 2 * page);
    std::string damaged = pristine;
    damaged[offset] = static_cast<char>(damaged[offset] ^ (1 + rng() % 255));
    WriteFile(file, damaged);
    SCOPED_TRACE("seed " + std::to_string(kSeed) + " trial " + std::to_string(trial) + " byte " +
                 std::to_string(offset));
    RunResult p = ws.Paiplan({"state", "pull"});
    ExpectSameOrReported(p, pull.out, file);
    ExpectSameOrReported(ws.Paiplan({"--json", "state", "list"}), list.out, file);
    RunResult pl = ws.Paiplan({"plan"});
    ExpectSameOrReported(pl, plan.out, file);
    reported += p.exit_code == 1;
    EXPECT_EQ(ReadFileOr(file), damaged) << "a read command wrote to the damaged state";
  }
  WriteFile(file, pristine);
  EXPECT_GT(reported, 0) << "no flip was detected: the test is too weak";
}

TEST(IntegStateCorruptionTest, PlainListReadsOnlyKeysSoItWorksWhenARecordIsDamaged) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string before = ws.Paiplan({"state", "list"}).out;
  {
    RawLmdb raw(ws.Path(".paiplan/state"));
    std::string value = raw.Get("resources", "service.t-app").value();
    value[value.size() / 2] ^= 0x20;
    raw.Put("resources", "service.t-app", value);
  }
  RunResult list = ws.Paiplan({"state", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.All();
  EXPECT_EQ(list.out, before);
  RunResult json = ws.Paiplan({"--json", "state", "list"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_THAT(json.err, HasSubstr("record service.t-app is damaged (checksum mismatch)"));
  EXPECT_THAT(json.err, HasSubstr(ws.Path(".paiplan/state/data.mdb")));
}

TEST(IntegStateHistoryTest, HistoryListsEveryApplyAndAFailedHistoryWriteIsAWarning) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.WriteServicesConfig("t-store:\n  value: t-store-v2\n");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  RunResult text = ws.Paiplan({"state", "history"});
  ASSERT_EQ(text.exit_code, 0) << text.All();
  EXPECT_EQ(CountOf(text.out, "\n"), 2) << text.out;
  EXPECT_THAT(text.out, HasSubstr("  apply  "));
  EXPECT_THAT(text.out, HasSubstr("11 done"));
  RunResult json = ws.Paiplan({"--json", "state", "history", "-n", "1"});
  ASSERT_EQ(json.exit_code, 0) << json.All();
  auto entries = nlohmann::json::parse(json.out);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["operation"], "apply");
  EXPECT_GE(entries[0]["outcomes"]["done"].get<int>(), 1);

  {  // a history key of the wrong length: the next append cannot number its entry
    RawLmdb raw(ws.Path(".paiplan/state"));
    raw.Put("history", std::string(9, '\xff'), state::lmdb::Seal(std::string(9, '\xff'), "{}").value);
  }
  ws.WriteServicesConfig("t-store:\n  value: t-store-v3\n");
  RunResult apply = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.All();
  EXPECT_THAT(apply.err, HasSubstr("warning: could not record apply "));
  EXPECT_THAT(apply.err, HasSubstr("in the state's history"));
  EXPECT_THAT(apply.err, HasSubstr("history key is damaged"));
}

}  // namespace
}  // namespace paiplan::integration
