// Tests for RunProcess/RunScript with real processes: exit codes, env, cwd,
// closed stdin, streaming, timeouts that kill whole groups, big outputs,
// concurrency, and no leaked descriptors or zombies.
#include "providers/script/process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paiplan::script {
namespace {

using ::testing::HasSubstr;

struct Captured {
  std::string out, err, both;
};

ProcessRequest Req(std::vector<std::string> argv, Captured* cap = nullptr) {
  ProcessRequest r;
  r.argv = std::move(argv);
  r.timeout = std::chrono::seconds(60);
  if (cap != nullptr) {
    r.on_output = [cap](std::string_view chunk, bool is_stderr) {
      (is_stderr ? cap->err : cap->out).append(chunk);
      cap->both.append(chunk);
    };
  }
  return r;
}

ProcessResult MustRun(const ProcessRequest& r) {
  auto res = RunProcess(r);
  EXPECT_TRUE(res.has_value()) << (res ? "" : res.error().ToString());
  return res.value_or(ProcessResult{});
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/pp_script_test_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A process is gone when /proc has no entry for it or it is a zombie waiting
// for init. Waits (bounded) because the kernel tears processes down async.
bool WaitGone(pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string line;
    std::getline(stat, line);
    size_t paren = line.rfind(')');
    if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z') return true;
    usleep(10000);
  }
  return false;
}

std::vector<pid_t> PidsFromLines(const std::string& text, const std::string& tag) {
  std::vector<pid_t> pids;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    if (word == tag && in >> word) pids.push_back(std::stoi(word));
  }
  return pids;
}

int CountOpenFds() {
  int n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST(RunProcessTest, ReportsExitCodes) {
  EXPECT_EQ(MustRun(Req({"true"})).exit_status, 0);
  EXPECT_EQ(MustRun(Req({"sh", "-c", "exit 3"})).exit_status, 3);
  EXPECT_EQ(MustRun(Req({"sh", "-c", "exit 255"})).exit_status, 255);
  ProcessResult killed = MustRun(Req({"sh", "-c", "kill -KILL $$"}));
  EXPECT_EQ(killed.exit_status, 128 + SIGKILL);
  EXPECT_FALSE(killed.timed_out);
}

TEST(RunProcessTest, FailsToStartMissingProgramOrCwd) {
  auto missing = RunProcess(Req({"no-such-program-paiplan"}));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  auto bad_path = RunProcess(Req({"/nonexistent/bin/x"}));
  ASSERT_FALSE(bad_path.has_value());
  EXPECT_EQ(bad_path.error().code(), Code::kNotFound);
  ProcessRequest r = Req({"true"});
  r.cwd = "/nonexistent/dir/for/paiplan";
  auto bad_cwd = RunProcess(r);
  ASSERT_FALSE(bad_cwd.has_value());
  EXPECT_EQ(bad_cwd.error().code(), Code::kNotFound);
  EXPECT_THAT(bad_cwd.error().message(), HasSubstr("/nonexistent/dir/for/paiplan"));
  EXPECT_EQ(RunProcess(Req({})).error().code(), Code::kInvalidArgument);
}

TEST(RunProcessTest, PassesEnvironmentOverInherited) {
  ::setenv("PP_SCRIPT_TEST_INHERITED", "from-parent", 1);
  ::setenv("PP_SCRIPT_TEST_OVERRIDDEN", "old", 1);
  Captured cap;
  ProcessRequest r = Req({"sh", "-c",
                          "printf '%s|%s|%s' \"$PP_SCRIPT_TEST_INHERITED\" "
                          "\"$PP_SCRIPT_TEST_OVERRIDDEN\" \"$PAIPLAN_SERVICE\""},
                         &cap);
  r.env = {{"PP_SCRIPT_TEST_OVERRIDDEN", "new"}, {"PAIPLAN_SERVICE", "grafana"}};
  EXPECT_EQ(MustRun(r).exit_status, 0);
  EXPECT_EQ(cap.out, "from-parent|new|grafana");
}

TEST(RunProcessTest, RunsInRequestedDirectory) {
  TempDir dir;
  Captured cap;
  ProcessRequest r = Req({"pwd", "-P"}, &cap);
  r.cwd = dir.path();
  EXPECT_EQ(MustRun(r).exit_status, 0);
  EXPECT_EQ(cap.out, std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(RunProcessTest, StdinIsClosed) {
  // `cat` would wait forever on an inherited terminal or pipe; with
  // /dev/null it sees EOF at once.
  Captured cap;
  ProcessRequest r = Req({"cat"}, &cap);
  r.timeout = std::chrono::seconds(30);
  ProcessResult res = MustRun(r);
  EXPECT_FALSE(res.timed_out);
  EXPECT_EQ(res.exit_status, 0);
  EXPECT_EQ(cap.both, "");
  EXPECT_EQ(MustRun(Req({"sh", "-c", "read -r line"})).exit_status, 1);
}

TEST(RunProcessTest, StreamsOutputWhileRunning) {
  // The script prints "first", then waits for a file that only the callback
  // creates on seeing "first": it can finish only if output is streamed.
  TempDir dir;
  std::string flag = dir.path() + "/seen";
  Captured cap;
  ProcessRequest r = Req({"bash", "-c",
                          "echo first; for _ in $(seq 3000); do [ -e \"$FLAG\" ] && "
                          "{ echo second; echo note >&2; exit 0; }; sleep 0.01; done; exit 7"});
  r.env = {{"FLAG", flag}};
  r.on_output = [&](std::string_view chunk, bool is_stderr) {
    (is_stderr ? cap.err : cap.out).append(chunk);
    if (cap.out.find("first") != std::string::npos) std::ofstream(flag) << "x";
  };
  ProcessResult res = MustRun(r);
  EXPECT_EQ(res.exit_status, 0);
  EXPECT_EQ(cap.out, "first\nsecond\n");
  EXPECT_EQ(cap.err, "note\n");
  EXPECT_THAT(res.output_tail, HasSubstr("second"));
}

TEST(RunProcessTest, TimeoutKillsWholeGroupIncludingGrandchildren) {
  Captured cap;
  ProcessRequest r = Req({"bash", "-c",
                          "sleep 1000 & echo \"bg $!\"; sleep 1000 & echo \"fg $!\"; "
                          "echo \"leader $$\"; wait"},
                         &cap);
  r.timeout = std::chrono::milliseconds(500);
  ProcessResult res = MustRun(r);
  EXPECT_TRUE(res.timed_out);
  EXPECT_EQ(res.exit_status, 128 + SIGTERM);
  std::vector<pid_t> pids = PidsFromLines(cap.out, "bg");
  for (pid_t p : PidsFromLines(cap.out, "fg")) pids.push_back(p);
  for (pid_t p : PidsFromLines(cap.out, "leader")) pids.push_back(p);
  ASSERT_EQ(pids.size(), 3u) << cap.out;
  for (pid_t p : pids) EXPECT_TRUE(WaitGone(p)) << "pid " << p << " survived";
}

TEST(RunProcessTest, TimeoutEscalatesToSigkillForTermIgnoringMembers) {
  Captured cap;
  // Ignored signals stay ignored across exec, so both sleeps ignore SIGTERM.
  ProcessRequest r = Req({"bash", "-c",
                          "trap '' TERM; sleep 1000 & echo \"bg $!\"; echo \"leader $$\"; "
                          "while :; do sleep 1; done"},
                         &cap);
  r.timeout = std::chrono::milliseconds(300);
  r.kill_grace = std::chrono::milliseconds(300);
  ProcessResult res = MustRun(r);
  EXPECT_TRUE(res.timed_out);
  EXPECT_EQ(res.exit_status, 128 + SIGKILL);
  std::vector<pid_t> pids = PidsFromLines(cap.out, "bg");
  for (pid_t p : PidsFromLines(cap.out, "leader")) pids.push_back(p);
  ASSERT_EQ(pids.size(), 2u) << cap.out;
  for (pid_t p : pids) EXPECT_TRUE(WaitGone(p)) << "pid " << p << " survived";
}

TEST(RunProcessTest, DoesNotWaitForeverOnBackgroundProcessHoldingPipes) {
  Captured cap;
  ProcessRequest r = Req({"bash", "-c", "sleep 1000 & echo \"bg $!\"; exit 4"}, &cap);
  r.drain_grace = std::chrono::milliseconds(200);
  ProcessResult res = MustRun(r);
  EXPECT_FALSE(res.timed_out);
  EXPECT_EQ(res.exit_status, 4);
  std::vector<pid_t> bg = PidsFromLines(cap.out, "bg");
  ASSERT_EQ(bg.size(), 1u);
  ::kill(bg[0], SIGKILL);  // our own leftover, by pid
  EXPECT_TRUE(WaitGone(bg[0]));
}

TEST(RunProcessTest, HandlesLargeOutputOnBothStreams) {
  constexpr size_t kSize = 10 * 1024 * 1024;
  size_t out_bytes = 0, err_bytes = 0;
  bool all_zero = true;
  ProcessRequest r = Req({"bash", "-c",
                          "head -c 10485760 /dev/zero & head -c 10485760 /dev/zero >&2; wait"});
  r.on_output = [&](std::string_view chunk, bool is_stderr) {
    (is_stderr ? err_bytes : out_bytes) += chunk.size();
    for (char c : chunk) all_zero = all_zero && c == '\0';
  };
  ProcessResult res = MustRun(r);
  EXPECT_EQ(res.exit_status, 0);
  EXPECT_EQ(out_bytes, kSize);
  EXPECT_EQ(err_bytes, kSize);
  EXPECT_TRUE(all_zero);
  EXPECT_EQ(res.output_tail.size(), kOutputTailBytes);
}

TEST(RunProcessTest, KeepsOnlyTheTailOfOutput) {
  ProcessResult res = MustRun(Req({"bash", "-c", "for i in $(seq 1 5000); do echo line$i; done"}));
  EXPECT_EQ(res.output_tail.size(), kOutputTailBytes);
  EXPECT_THAT(res.output_tail, HasSubstr("line5000\n"));
  EXPECT_THAT(res.output_tail, ::testing::Not(HasSubstr("line1\n")));
}

TEST(RunProcessTest, ChildSeesNoInheritedDescriptors) {
  int leaked = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaked, 3);
  ProcessRequest r = Req({"sh", "-c", "[ -e /proc/$$/fd/" + std::to_string(leaked) + " ]"});
  EXPECT_EQ(MustRun(r).exit_status, 1);
  ::close(leaked);
}

TEST(RunProcessTest, ConcurrentRunsFromEightThreads) {
  int fds_before = CountOpenFds();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 15; ++i) {
        std::string out;
        ProcessRequest r;
        r.argv = {"bash", "-c", "echo \"$ID\"; echo e$ID >&2; exit $((ID % 7))"};
        r.env = {{"ID", std::to_string(t * 100 + i)}};
        r.on_output = [&](std::string_view c, bool is_stderr) {
          if (!is_stderr) out.append(c);
        };
        auto res = RunProcess(r);
        int id = t * 100 + i;
        if (!res || res->exit_status != id % 7 || out != std::to_string(id) + "\n") ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountOpenFds(), fds_before);
  // Every child was reaped: no zombie is left for this process.
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(RunScriptTest, RunsBashScriptWithArgsRelativeToCwd) {
  TempDir dir;
  std::ofstream(dir.path() + "/start.sh")
      << "set -euo pipefail\necho \"args=$*\"\necho \"svc=$PAIPLAN_SERVICE\"\nexit 5\n";
  Captured cap;
  ProcessRequest r = Req({}, &cap);
  r.cwd = dir.path();
  r.env = {{"PAIPLAN_SERVICE", "redis"}};
  auto res = RunScript("start.sh", {"a", "b"}, r);
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->exit_status, 5);
  EXPECT_EQ(cap.out, "args=a b\nsvc=redis\n");
  auto missing = RunScript("nope.sh", {}, r);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
}

}  // namespace
}  // namespace paiplan::script
