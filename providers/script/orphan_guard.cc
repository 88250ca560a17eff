#include "providers/script/orphan_guard.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace paiplan::script {
namespace {

std::mutex start_mu;
std::mutex running_mu;
std::multiset<pid_t>& Running() {
  static auto* groups = new std::multiset<pid_t>();
  return *groups;
}
std::atomic<int> guard_fd{-1};
std::atomic<pid_t> guard_pid{0};

constexpr int kMaxGroups = 8192;
volatile sig_atomic_t parent_died = 0;

void OnParentDeath(int) { parent_died = 1; }

// Parses "+123\n" / "-123\n" records. Only async-signal-safe operations.
void Apply(const char* rec, size_t n, pid_t* groups, int* count) {
  if (n < 2 || (rec[0] != '+' && rec[0] != '-')) return;
  pid_t v = 0;
  for (size_t i = 1; i < n; ++i) {
    if (rec[i] < '0' || rec[i] > '9') return;
    v = v * 10 + (rec[i] - '0');
  }
  if (rec[0] == '+') {
    if (*count < kMaxGroups) groups[(*count)++] = v;
    return;
  }
  for (int i = 0; i < *count; ++i) {
    if (groups[i] == v) {
      groups[i] = groups[--*count];
      return;
    }
  }
}

void SleepMs(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

[[noreturn]] void GuardMain(int rfd, int grace_ms) {
  static pid_t groups[kMaxGroups];
  int count = 0;
  char buf[4096];
  size_t have = 0;
  for (;;) {
    if (parent_died) break;
    ssize_t n = ::read(rfd, buf + have, sizeof buf - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: paiplan is gone
    have += size_t(n);
    size_t start = 0;
    for (size_t i = 0; i < have; ++i) {
      if (buf[i] != '\n') continue;
      Apply(buf + start, i - start, groups, &count);
      start = i + 1;
    }
    std::memmove(buf, buf + start, have - start);
    have -= start;
    if (have == sizeof buf) have = 0;  // garbage: drop it
  }
  if (count > 0) {
    for (int i = 0; i < count; ++i) ::kill(-groups[i], SIGTERM);
    SleepMs(grace_ms);
    for (int i = 0; i < count; ++i) ::kill(-groups[i], SIGKILL);
  }
  ::_exit(0);
}

void Send(char sign, pid_t pgid) {
  int fd = guard_fd.load();
  if (fd < 0 || pgid <= 0) return;
  char rec[24];
  int n = std::snprintf(rec, sizeof rec, "%c%d\n", sign, int(pgid));
  ssize_t w;
  do w = ::write(fd, rec, size_t(n));  // < PIPE_BUF: atomic among threads
  while (w < 0 && errno == EINTR);
}

}  // namespace

Status StartOrphanGuard(int grace_ms) {
  std::lock_guard l(start_mu);
  if (guard_fd.load() >= 0) return Status::Ok();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IOError(std::string("orphan guard: pipe: ") + std::strerror(errno));
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::IOError(std::string("orphan guard: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    struct sigaction sa {};
    sa.sa_handler = OnParentDeath;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGUSR1, &sa, nullptr);
    sa.sa_handler = SIG_IGN;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP}) ::sigaction(sig, &sa, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGUSR1);
    if (::getppid() != parent) ::_exit(0);  // it died already: nothing was registered
    int r = ::fcntl(fds[0], F_DUPFD, 10);
    int null = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    ::dup2(r, 3);
    ::close_range(4, ~0U, 0);  // keeps nothing of paiplan's: state files, sockets, pipes
    GuardMain(3, grace_ms);
  }
  ::close(fds[0]);
  guard_fd.store(fds[1]);
  guard_pid.store(pid);
  return Status::Ok();
}

void GuardGroup(pid_t pgid) {
  {
    std::lock_guard l(running_mu);
    Running().insert(pgid);
  }
  Send('+', pgid);
}

void UnguardGroup(pid_t pgid) {
  {
    std::lock_guard l(running_mu);
    auto it = Running().find(pgid);
    if (it != Running().end()) Running().erase(it);
  }
  Send('-', pgid);
}

int TerminateRunningGroups(int grace_ms) {
  std::set<pid_t> now;
  {
    std::lock_guard l(running_mu);
    now.insert(Running().begin(), Running().end());
    for (pid_t g : now) ::kill(-g, SIGTERM);
  }
  if (now.empty()) return 0;
  std::thread([now, grace_ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(grace_ms));
    std::lock_guard l(running_mu);
    for (pid_t g : now)
      if (Running().count(g)) ::kill(-g, SIGKILL);
  }).detach();
  return int(now.size());
}
pid_t OrphanGuardPid() { return guard_pid.load(); }

}  // namespace paiplan::script
