// Helpers for the state tests: temporary directories, forked children, and
// one-line pipes between them.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "engine/base/fs.h"
#include "state/state_store.h"

namespace paiplan::state::testing {

// mkdtemp under $TMPDIR (or /tmp); removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/paiplan-state-XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() { (void)fs::RemoveAll(path_); }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs `body` in a forked child which then _exit()s with its return value.
// The child must open its own stores (never use the parent's).
inline pid_t ForkChild(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  return pid;
}

// Exit status of `pid` (waits), or -signal if it was killed.
inline int WaitChild(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1000;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1001;
}

// A pipe carrying '\n'-terminated lines.
class LinePipe {
 public:
  LinePipe() {
    if (::pipe(fds_) != 0) std::abort();
  }
  ~LinePipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (fds_[0] >= 0) ::close(fds_[0]);
    fds_[0] = -1;
  }
  void CloseWrite() {
    if (fds_[1] >= 0) ::close(fds_[1]);
    fds_[1] = -1;
  }
  bool Write(const std::string& line) {
    std::string s = line + "\n";
    return ::write(fds_[1], s.data(), s.size()) == ssize_t(s.size());
  }
  // False at end of file.
  bool Read(std::string* line) {
    line->clear();
    char c;
    for (;;) {
      ssize_t n = ::read(fds_[0], &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      if (c == '\n') return true;
      line->push_back(c);
    }
  }

 private:
  int fds_[2] = {-1, -1};
};

inline Batch PutBatch(const std::string& address, nlohmann::json record) {
  Batch b;
  b.puts.emplace_back(address, std::move(record));
  return b;
}

}  // namespace paiplan::state::testing
