#include "tests/integration/run_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace paiplan::integration {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "run_util: %s: %s\n", what.c_str(), std::strerror(errno));
  std::abort();
}

std::string TempFile(const char* tag) {
  std::string t = std::string("/tmp/pp-integ-") + tag + "-XXXXXX";
  int fd = ::mkstemp(t.data());
  if (fd < 0) Die("mkstemp");
  ::close(fd);
  return t;
}

// The child's environment: ours, minus unset_env, plus env.
std::vector<std::string> ChildEnv(const RunOptions& o) {
  std::map<std::string, std::string> m;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) m[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& k : o.unset_env) m.erase(k);
  for (const auto& [k, v] : o.env) m[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

Child::Child(const std::vector<std::string>& argv, const RunOptions& o) {
  out_path_ = TempFile("out");
  err_path_ = TempFile("err");
  std::vector<std::string> env = ChildEnv(o);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  deadline_ = std::chrono::steady_clock::now() + o.timeout;
  pid_ = ::fork();
  if (pid_ < 0) Die("fork");
  if (pid_ == 0) {
    // Only async-signal-safe calls from here to exec.
    ::setpgid(0, 0);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path_.c_str(), O_WRONLY | O_TRUNC);
    int err = ::open(err_path_.c_str(), O_WRONLY | O_TRUNC);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) ::_exit(126);
    // Restore default dispositions a test runner may have changed.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);  // also from the parent: no race with an early Signal
}

Child::~Child() {
  if (result_) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status;
  ::waitpid(pid_, &status, 0);
  std::remove(out_path_.c_str());
  std::remove(err_path_.c_str());
}

void Child::Signal(int sig) const {
  if (!result_) ::kill(pid_, sig);
}

RunResult Child::Collect(int status, bool timed_out) {
  RunResult r;
  r.timed_out = timed_out;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
  r.out = ReadFileOr(out_path_);
  r.err = ReadFileOr(err_path_);
  std::remove(out_path_.c_str());
  std::remove(err_path_.c_str());
  result_ = r;
  return r;
}

std::optional<RunResult> Child::TryWait() {
  if (result_) return result_;
  int status;
  pid_t w = ::waitpid(pid_, &status, WNOHANG);
  if (w == pid_) return Collect(status, false);
  return std::nullopt;
}

RunResult Child::Wait() {
  if (result_) return *result_;
  for (;;) {
    if (auto r = TryWait()) return *r;
    if (std::chrono::steady_clock::now() > deadline_) {
      ::kill(-pid_, SIGKILL);
      ::kill(pid_, SIGKILL);
      int status;
      ::waitpid(pid_, &status, 0);
      return Collect(status, true);
    }
    SleepMs(5);
  }
}

std::string Child::OutputSoFar() const { return ReadFileOr(out_path_); }
std::string Child::ErrorSoFar() const { return ReadFileOr(err_path_); }

RunResult Run(const std::vector<std::string>& argv, const RunOptions& options) {
  Child c(argv, options);
  return c.Wait();
}

std::string PaiplanBinary() { return PAIPLAN_BINARY; }

int64_t NowNs() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A zombie is gone for our purposes (it runs nothing; its parent reaps it).
  std::string stat = ReadFileOr("/proc/" + std::to_string(pid) + "/stat");
  auto rp = stat.rfind(')');
  if (stat.empty() || rp == std::string::npos || rp + 2 >= stat.size()) return false;
  return stat[rp + 2] != 'Z';
}

bool GroupAlive(pid_t pgid) {
  if (pgid <= 0) return false;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string name = e.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::string stat = ReadFileOr(e.path().string() + "/stat");
    auto rp = stat.rfind(')');
    if (rp == std::string::npos) continue;
    std::istringstream in(stat.substr(rp + 2));
    std::string state;
    long ppid = 0, pgrp = 0;
    in >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != "Z") return true;
  }
  return false;
}

std::string ReadFileOr(const std::string& path, const std::string& fallback) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fallback;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) Die("cannot write " + path);
}

std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return hits;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    if (ReadFileOr(e.path().string()).find(needle) != std::string::npos)
      hits.push_back(std::filesystem::relative(e.path(), dir).string());
  }
  std::sort(hits.begin(), hits.end());
  return hits;
}

int CountOf(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

}  // namespace paiplan::integration
