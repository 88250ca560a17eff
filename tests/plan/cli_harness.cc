#include "tests/plan/cli_harness.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

namespace paiplan::testing_util {
namespace fsys = std::filesystem;

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

LocalWorkspace::LocalWorkspace() {
  char tmpl[] = "/tmp/pp_plan_test_XXXXXX";
  base_ = mkdtemp(tmpl);
  root_ = base_ + "/ws";
  fsys::create_directories(base_ + "/home");
  fsys::copy(std::string(PAIPLAN_TEST_DIR) + "/../examples/local", root_, fsys::copy_options::recursive);
}

LocalWorkspace::~LocalWorkspace() {
  if (!::getenv("KEEP_TEST_WORKSPACES")) fsys::remove_all(base_);
}

CliResult LocalWorkspace::Run(const std::vector<std::string>& args) const {
  std::string out_path = base_ + "/stdout", err_path = base_ + "/stderr";
  std::vector<std::string> argv{PAIPLAN_BINARY, "-C", root_};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env{"HOME=" + base_ + "/home", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                               "TMPDIR=" + base_};
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> a, e;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    for (auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    e.push_back(nullptr);
    ::execve(a[0], a.data(), e.data());
    ::_exit(127);
  }
  CliResult r;
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) {
    ADD_FAILURE() << "could not run " << PAIPLAN_BINARY;
    return r;
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  return r;
}

std::string LocalWorkspace::Read(const std::string& rel) const { return Slurp(Path(rel)); }

void LocalWorkspace::Write(const std::string& rel, const std::string& text) const {
  fsys::create_directories(fsys::path(Path(rel)).parent_path());
  std::ofstream(Path(rel), std::ios::binary) << text;
}

void LocalWorkspace::Replace(const std::string& rel, const std::string& from, const std::string& to) const {
  std::string text = Read(rel);
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << rel << " has no " << from;
  ASSERT_EQ(text.find(from, at + 1), std::string::npos) << rel << " has several " << from;
  text.replace(at, from.size(), to);
  Write(rel, text);
}

std::vector<std::string> LocalWorkspace::ScriptCalls() const {
  std::vector<std::string> files;
  for (const char* dir : {"demo-output", ".paiplan/local-nodes"}) {
    if (!fsys::exists(Path(dir))) continue;
    for (const auto& e : fsys::recursive_directory_iterator(Path(dir))) {
      if (e.is_regular_file() && e.path().extension() == ".log") files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::istringstream in(Slurp(f));
    for (std::string line; std::getline(in, line);) out.push_back(f.substr(root_.size() + 1) + ": " + line);
  }
  return out;
}

std::string LocalWorkspace::Normalize(std::string text) const {
  for (size_t at; (at = text.find(root_)) != std::string::npos;) text.replace(at, root_.size(), "$WS");
  static const std::regex kTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  static const std::regex kUuid(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
  static const std::regex kWsHash(R"("workspace_hash": "[0-9a-f]*")");
  static const std::regex kLogs(R"(logs/[0-9T:-]+-[0-9a-f]{8})");
  text = std::regex_replace(text, kLogs, "logs/<ID>");
  text = std::regex_replace(text, kTime, "<TIME>");
  text = std::regex_replace(text, kUuid, "<LINEAGE>");
  text = std::regex_replace(text, kWsHash, "\"workspace_hash\": \"<WORKSPACE_HASH>\"");
  // Content hashes follow examples/local's files, which others edit: the
  // goldens check the plan's shape, the tests check what changes.
  static const std::regex kSha(R"("[0-9a-f]{64}")");
  static const std::regex kShortSha("\"[0-9a-f]{12}…\"");
  text = std::regex_replace(text, kSha, "\"<SHA256>\"");
  text = std::regex_replace(text, kShortSha, "\"<SHA256>…\"");
  // Group commits make the serial depend on timing.
  static const std::regex kSerial(R"("serial": \d+)");
  text = std::regex_replace(text, kSerial, "\"serial\": \"<SERIAL>\"");
  return text;
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = std::string(PAIPLAN_TEST_DIR) + "/testdata/plan/" + name;
  const char* update = ::getenv("UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    fsys::create_directories(fsys::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fsys::exists(path)) << path << " is missing; create it with UPDATE_GOLDEN=1";
  std::string want = Slurp(path);
  EXPECT_EQ(want, actual) << "golden " << path << " differs; if the change is intended, rerun with UPDATE_GOLDEN=1 "
                          << "and review the diff";
}

}  // namespace paiplan::testing_util
