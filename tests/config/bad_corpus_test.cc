// Runs the real binary on every workspace of tests/testdata/bad/ (written by
// tests/config/gen_bad_corpus.py) and checks what an operator sees: the exit
// code, a `file:line:` location and the key words of each expected
// diagnostic, a `hint:` under every diagnostic, and that validate wrote
// nothing into the workspace (no .paiplan/, every file unchanged).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/base/sha256.h"

namespace paiplan {
namespace {

namespace sfs = std::filesystem;

const std::string kCorpus = std::string(PAIPLAN_TEST_DIR) + "/testdata/bad";

std::vector<std::string> CaseNames() {
  std::vector<std::string> out;
  for (const auto& e : sfs::directory_iterator(kCorpus)) {
    if (e.is_directory() && sfs::exists(e.path() / "expect.json")) out.push_back(e.path().filename());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every path under `dir` (directories too) → content hash ("dir" for directories).
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : sfs::recursive_directory_iterator(dir)) {
    std::string rel = sfs::relative(e.path(), dir);
    out[rel] = e.is_directory() ? "dir" : Sha256Hex(*fs::ReadFile(e.path()));
  }
  return out;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct Block {  // one diagnostic: its first line and its hint
  std::string head;
  std::string hint;
};

std::vector<Block> ParseDiagnostics(const std::string& err) {
  std::vector<Block> out;
  size_t pos = 0;
  while (pos < err.size()) {
    size_t end = err.find('\n', pos);
    if (end == std::string::npos) end = err.size();
    std::string line = err.substr(pos, end - pos);
    if (line.rfind("error: ", 0) == 0 || line.rfind("warning: ", 0) == 0) {
      out.push_back({line, ""});
    } else if (line.rfind("  hint: ", 0) == 0 && !out.empty()) {
      out.back().hint = line.substr(8);
    }
    pos = end + 1;
  }
  return out;
}

class BadInputCorpusTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pp_badcorpus_XXXXXX";
    tmp_ = mkdtemp(tmpl);
    ws_ = tmp_ + "/ws";
    sfs::copy(kCorpus + "/" + GetParam(), ws_, sfs::copy_options::recursive);
    sfs::remove(ws_ + "/expect.json");
    ASSERT_TRUE(fs::MakeDirs(tmp_ + "/home").ok());
    ASSERT_TRUE(fs::MakeDirs(tmp_ + "/empty-catalogue/services").ok());
    // validate renders the role packages: minimal ones, so no corpus case
    // depends on the built-in roles (nor on layout.yaml's kubernetes: section).
    for (const char* role : {"master", "worker", "proxy"}) {
      std::string dir = tmp_ + "/empty-catalogue/services/_roles/" + role;
      ASSERT_TRUE(fs::MakeDirs(dir).ok());
      ASSERT_TRUE(fs::WriteFileAtomic(dir + "/bootstrap.sh", "true\n").ok());
    }
  }
  void TearDown() override { sfs::remove_all(tmp_); }

  // Runs `paiplan --no-color [args] -C ws validate`; fills out_/err_, returns the exit code.
  int Run(const std::vector<std::string>& args) {
    std::string cmd = "env -u KUBECONFIG HOME='" + tmp_ + "/home' PAIPLAN_HOME='" + tmp_ +
                      "/empty-catalogue' '" + PAIPLAN_BINARY + "' --no-color";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " -C '" + ws_ + "' validate >'" + tmp_ + "/out' 2>'" + tmp_ + "/err'";
    int st = std::system(cmd.c_str());
    out_ = *fs::ReadFile(tmp_ + "/out");
    err_ = *fs::ReadFile(tmp_ + "/err");
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }

  std::string tmp_, ws_, out_, err_;
};

TEST_P(BadInputCorpusTest, ReportsFileLineWordsAndWritesNothing) {
  auto expect = nlohmann::json::parse(*fs::ReadFile(kCorpus + "/" + GetParam() + "/expect.json"));
  std::vector<std::string> args = expect.value("args", std::vector<std::string>{});
  auto before = Snapshot(ws_);

  int code = Run(args);
  SCOPED_TRACE("stderr:\n" + err_);
  EXPECT_EQ(code, expect.value("exit", 1));
  auto blocks = ParseDiagnostics(err_);
  ASSERT_FALSE(blocks.empty()) << "no diagnostic printed";

  for (const auto& x : expect["expect"]) {
    std::string file = x["file"], want_loc = file + ":";
    int line = x["line"];
    if (line > 0) want_loc += std::to_string(line) + ":";
    if (line > 0 && x.contains("column")) want_loc += std::to_string(x["column"].get<int>()) + ":";
    bool found = false;
    for (const auto& b : blocks) {
      size_t colon = b.head.find(": ");
      std::string rest = b.head.substr(colon + 2);
      if (rest.rfind(want_loc, 0) != 0 && !(line == 0 && rest.rfind(file + " ", 0) == 0)) continue;
      std::string text = Lower(b.head + " " + b.hint);
      bool all = true;
      for (const auto& w : x["words"]) all = all && text.find(Lower(w.get<std::string>())) != std::string::npos;
      found = found || all;
    }
    EXPECT_TRUE(found) << "no diagnostic at " << want_loc << " with words " << x["words"].dump();
  }
  for (const auto& b : blocks) EXPECT_FALSE(b.hint.empty()) << "diagnostic without a hint: " << b.head;
  if (expect.value("exit", 1) != 0) {
    EXPECT_EQ(out_.find("is valid"), std::string::npos) << out_;
    EXPECT_NE(err_.find("nothing was changed"), std::string::npos);
  } else {
    EXPECT_NE(out_.find("The workspace is valid"), std::string::npos) << out_;
  }

  EXPECT_FALSE(fs::Exists(ws_ + "/.paiplan")) << "validate created .paiplan/";
  EXPECT_EQ(Snapshot(ws_), before) << "validate changed the workspace";
}

INSTANTIATE_TEST_SUITE_P(Cases, BadInputCorpusTest, ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

TEST(BadInputCorpus, HasAtLeastFortyCases) { EXPECT_GE(CaseNames().size(), 40u); }

}  // namespace
}  // namespace paiplan
