// RunProcess: posix_spawn + poll loop. See process.h for the contract.
#include "providers/script/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "providers/script/orphan_guard.h"

extern char** environ;

namespace paiplan::script {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(int err) { return std::strerror(err); }

// Owns one file descriptor; closes it on destruction (EINTR on close is not
// retried: on Linux the descriptor is released either way).
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// The inherited environment with `extra` laid over it, as "K=V" strings.
std::vector<std::string> BuildEnv(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    merged.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  for (const auto& [k, v] : extra) merged[k] = v;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
  return out;
}

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// argv[0] as a path: itself when it has a '/', else the first executable match
// on PATH (the request's PATH if it sets one, so the child sees what it asked).
Result<std::string> ResolveProgram(const std::string& name, const std::string& cwd,
                                   const std::map<std::string, std::string>& env) {
  if (name.find('/') != std::string::npos) {
    // A relative path is resolved by exec after the chdir to `cwd`.
    std::string as_seen = (name[0] != '/' && !cwd.empty()) ? cwd + "/" + name : name;
    if (IsExecutableFile(as_seen)) return name;
    return Err(Status::NotFound("cannot execute '" + name + "': not an executable file"));
  }
  std::string path;
  if (auto it = env.find("PATH"); it != env.end()) {
    path = it->second;
  } else if (const char* p = std::getenv("PATH"); p != nullptr) {
    path = p;
  } else {
    path = "/usr/local/bin:/usr/bin:/bin";
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    start = end + 1;
  }
  return Err(Status::NotFound("program '" + name + "' not found on PATH"));
}

Result<std::pair<Fd, Fd>> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Err(Status::IOError("pipe2: " + ErrnoText(errno)));
  // The read end is non-blocking so draining never blocks on a quiet writer.
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return std::make_pair(Fd(fds[0]), Fd(fds[1]));
}

// Spawns the child as the leader of a new process group. `out_w`/`err_w`
// become its stdout/stderr; every other inherited descriptor is closed.
Result<pid_t> Spawn(const std::string& program, const ProcessRequest& req, int out_w, int err_w) {
  std::vector<std::string> env_strings = BuildEnv(req.env);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = req.argv;
  std::vector<char*> argv;
  for (auto& s : argv_copy) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_w, 1);
  posix_spawn_file_actions_adddup2(&fa, err_w, 2);
  if (!req.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, req.cwd.c_str());
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, program.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::string what = "cannot start '" + req.argv[0] + "'" +
                       (req.cwd.empty() ? "" : " in '" + req.cwd + "'") + ": " + ErrnoText(rc);
    return Err(rc == ENOENT || rc == ENOTDIR ? Status::NotFound(what) : Status::IOError(what));
  }
  return pid;
}

// Reads the two output pipes, forwards chunks and keeps the tail.
class OutputPump {
 public:
  OutputPump(Fd out, Fd err, const ProcessRequest& req) : on_output_(req.on_output) {
    fds_[0] = std::move(out);
    fds_[1] = std::move(err);
  }
  bool AllClosed() const { return !fds_[0].valid() && !fds_[1].valid(); }
  // Adds the open pipes to `pfds`; returns how many were added.
  void AddPollFds(std::vector<pollfd>& pfds, std::vector<int>& which) const {
    for (int i = 0; i < 2; ++i) {
      if (!fds_[i].valid()) continue;
      pfds.push_back({fds_[i].get(), POLLIN, 0});
      which.push_back(i);
    }
  }
  // Reads what is available on pipe `i` (0 stdout, 1 stderr); closes it at EOF.
  void ReadAvailable(int i) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fds_[i].get(), buf, sizeof(buf));
      if (n > 0) {
        Deliver(std::string_view(buf, static_cast<size_t>(n)), i == 1);
        if (static_cast<size_t>(n) < sizeof(buf)) return;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      fds_[i].Reset();  // EOF, or an error we cannot recover from
      return;
    }
  }
  void CloseAll() {
    fds_[0].Reset();
    fds_[1].Reset();
  }
  std::string TakeTail() {
    if (tail_.size() > kOutputTailBytes) tail_.erase(0, tail_.size() - kOutputTailBytes);
    return std::move(tail_);
  }

 private:
  void Deliver(std::string_view chunk, bool is_stderr) {
    if (on_output_) on_output_(chunk, is_stderr);
    tail_.append(chunk);
    if (tail_.size() > 2 * kOutputTailBytes) tail_.erase(0, tail_.size() - kOutputTailBytes);
  }

  Fd fds_[2];
  std::string tail_;
  const std::function<void(std::string_view, bool)>& on_output_;
};

// True once the child has terminated; does not reap it (WNOWAIT), so the
// pid stays reserved while we may still signal its group.
bool ChildExited(pid_t pid) {
  siginfo_t info{};
  for (;;) {
    int rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (rc == 0) return info.si_pid == pid;
    if (errno == EINTR) continue;
    return true;  // ECHILD: someone else reaped it (SIGCHLD ignored); treat as gone
  }
}

// Reaps the child (blocking) and returns its exit status (code or 128+signal).
int Reap(pid_t pid) {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, 0);
    if (r == pid) break;
    if (r < 0 && errno == EINTR) continue;
    return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The poll/timeout/kill state machine for one running child.
class Supervisor {
 public:
  Supervisor(pid_t pid, OutputPump& pump, const ProcessRequest& req)
      : pid_(pid), pump_(pump), req_(req) {
    long fd = ::syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
      pidfd_ = Fd(static_cast<int>(fd));
      ::fcntl(pidfd_.get(), F_SETFD, FD_CLOEXEC);
    }
  }

  ProcessResult Run() {
    const Clock::time_point start = Clock::now();
    const Clock::time_point deadline = start + req_.timeout;
    Clock::time_point exited_at{};
    bool exited = false;
    bool timed_out = false;
    Clock::time_point kill_at{};
    for (;;) {
      Clock::time_point now = Clock::now();
      if (!exited && ChildExited(pid_)) {
        exited = true;
        exited_at = now;
      }
      if (exited && pump_.AllClosed()) break;
      if (!timed_out && now >= deadline) {
        timed_out = true;
        ::kill(-pid_, SIGTERM);
        kill_at = now + req_.kill_grace;
      }
      if (timed_out && now >= kill_at) break;
      if (!timed_out && exited && now >= exited_at + req_.drain_grace) break;
      Clock::time_point wake = timed_out ? kill_at : deadline;
      if (exited && !timed_out) wake = std::min(wake, exited_at + req_.drain_grace);
      PollOnce(wake, exited);
    }
    if (timed_out) ::kill(-pid_, SIGKILL);  // members that ignored SIGTERM; zombies ignore it
    ProcessResult result;
    result.timed_out = timed_out;
    result.exit_status = Reap(pid_);
    if (timed_out) DrainAfterKill();
    pump_.CloseAll();
    result.output_tail = pump_.TakeTail();
    return result;
  }

 private:
  // Waits for output or child exit until `wake`, then handles what is ready.
  void PollOnce(Clock::time_point wake, bool exited) {
    std::vector<pollfd> pfds;
    std::vector<int> which;
    pump_.AddPollFds(pfds, which);
    bool watch_pid = pidfd_.valid() && !exited;
    if (watch_pid) pfds.push_back({pidfd_.get(), POLLIN, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now());
    long ms = std::max<long>(0, left.count() + 1);
    if (!watch_pid && !exited) ms = std::min<long>(ms, 50);  // no pidfd: poll the child
    int rc = ::poll(pfds.data(), pfds.size(), static_cast<int>(std::min<long>(ms, 1 << 30)));
    if (rc <= 0) return;  // timeout, or EINTR: the loop re-checks the clock
    for (size_t i = 0; i < which.size(); ++i) {
      if (pfds[i].revents != 0) pump_.ReadAvailable(which[i]);
    }
  }

  // After SIGKILL every group member dies; a process that left the group
  // (setsid) may still hold the pipes, so reading is bounded.
  void DrainAfterKill() {
    const Clock::time_point until = Clock::now() + req_.drain_grace;
    while (!pump_.AllClosed() && Clock::now() < until) PollOnce(until, true);
  }

  pid_t pid_;
  OutputPump& pump_;
  const ProcessRequest& req_;
  Fd pidfd_;
};

}  // namespace

Result<ProcessResult> RunProcess(const ProcessRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return Err(Status::InvalidArgument("RunProcess: empty argv"));
  }
  PP_ASSIGN_OR_RETURN(std::string program, ResolveProgram(request.argv[0], request.cwd, request.env));
  PP_ASSIGN_OR_RETURN(auto out_pipe, MakePipe());
  PP_ASSIGN_OR_RETURN(auto err_pipe, MakePipe());
  PP_ASSIGN_OR_RETURN(pid_t pid,
                      Spawn(program, request, out_pipe.second.get(), err_pipe.second.get()));
  // Our copies of the write ends must go, or EOF never comes.
  out_pipe.second.Reset();
  err_pipe.second.Reset();
  GuardGroup(pid);  // killed with its group if paiplan dies before it ends
  OutputPump pump(std::move(out_pipe.first), std::move(err_pipe.first), request);
  Supervisor supervisor(pid, pump, request);
  ProcessResult result = supervisor.Run();  // reaps the leader
  UnguardGroup(pid);
  return result;
}

Result<ProcessResult> RunScript(const std::string& script_path, const std::vector<std::string>& args,
                                ProcessRequest request) {
  if (!request.argv.empty()) {
    return Err(Status::InvalidArgument("RunScript: request.argv must be empty"));
  }
  std::string as_seen = (!script_path.empty() && script_path[0] != '/' && !request.cwd.empty())
                            ? request.cwd + "/" + script_path
                            : script_path;
  struct stat st {};
  if (::stat(as_seen.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Err(Status::NotFound("script '" + script_path + "' not found"));
  }
  request.argv.push_back("/bin/bash");
  request.argv.push_back(script_path);
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  return RunProcess(request);
}

}  // namespace paiplan::script
