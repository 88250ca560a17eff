// Helpers for tests that drive the real paiplan binary: run a command with a
// timeout and capture its stdout, stderr and exit status, or start it in the
// background to signal it while it runs.
//
// Children get stdin = /dev/null (never a TTY), their own process group, and
// stdout/stderr redirected to files (no pipe can fill up and block them).
// Timeouts here are safety nets against hangs, never pass/fail criteria.
//
// Thread-safety: use from the test's main thread only (fork + waitpid).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace paiplan::integration {

struct RunResult {
  int exit_code = -1;      // exit status, or -1 when killed by a signal
  int term_signal = 0;     // the signal that ended it, or 0
  bool timed_out = false;  // we killed it because it ran past its timeout
  std::string out;         // everything written to stdout
  std::string err;         // everything written to stderr
  std::string All() const { return out + err; }
};

struct RunOptions {
  std::string cwd;                            // empty: inherit
  std::map<std::string, std::string> env;     // set (override) in the child
  std::vector<std::string> unset_env;         // removed from the child's environment
  std::chrono::milliseconds timeout{120000};  // safety net: SIGKILL to the group after this
};

// A command started in the background. The destructor kills its process
// group (SIGKILL) and reaps it if it is still running.
class Child {
 public:
  // Starts argv[0] (an absolute path). Aborts the test binary when fork or
  // the temp files fail (nothing sensible to report otherwise).
  Child(const std::vector<std::string>& argv, const RunOptions& options);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `sig` to the child process only (not its group).
  void Signal(int sig) const;
  // True while the child has not been reaped by Wait/TryWait.
  bool Running() const { return !result_.has_value(); }
  // Non-blocking: the result when the child has exited (and reaps it).
  std::optional<RunResult> TryWait();
  // Waits for the child (up to the timeout of its RunOptions, then kills it).
  RunResult Wait();
  // The stdout written so far (the child may still be running).
  std::string OutputSoFar() const;
  // Its stderr so far.
  std::string ErrorSoFar() const;

 private:
  RunResult Collect(int status, bool timed_out);

  pid_t pid_ = -1;
  std::string out_path_, err_path_;
  std::chrono::steady_clock::time_point deadline_;
  std::optional<RunResult> result_;
};

// Runs a command to completion.
RunResult Run(const std::vector<std::string>& argv, const RunOptions& options = {});

// The paiplan binary under test.
std::string PaiplanBinary();

// Wall-clock time in ns since the epoch: comparable with `date +%s%N`.
int64_t NowNs();

void SleepMs(int ms);

// True while a process with this pid exists and is not a zombie.
bool ProcessAlive(pid_t pid);
// True while any process is in this process group.
bool GroupAlive(pid_t pgid);

// File helpers (abort the test with a message on failure).
std::string ReadFileOr(const std::string& path, const std::string& fallback = "");
void WriteFile(const std::string& path, const std::string& text);
// Every regular file under dir whose contents contain needle (paths relative).
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle);

// Count of non-overlapping occurrences of needle in hay.
int CountOf(const std::string& hay, const std::string& needle);

}  // namespace paiplan::integration
