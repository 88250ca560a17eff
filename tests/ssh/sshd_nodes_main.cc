// sshd_nodes: starts K sshd test nodes (tests/ssh/sshd_harness.h) for shell
// scripts and serves until SIGTERM/SIGINT, then stops exactly those nodes.
//
//   sshd_nodes --dir DIR --nodes K [--port P] [--shared-var-lib]
//
// When ready it writes DIR/nodes.tsv ("INDEX<TAB>IP<TAB>PORT" per node),
// DIR/known_hosts, DIR/client/id_ed25519 and DIR/pid (its own pid: kill that
// pid to stop the nodes), then prints "ready" on stdout.
//
// Control on stdin (fault-injection suite, tests/reliability/): a line
// "stop I" SIGKILLs node I's sshd and its connection processes (what a
// crashing machine does to a running upload or command), "start I" starts it
// again; each answers "ok stop I" / "ok start I" or "error ..." on stdout.
// End of stdin just stops reading it (scripts may give /dev/null).
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

#include "engine/base/fs.h"
#include "tests/ssh/sshd_harness.h"

int main(int argc, char** argv) {
  paiplan::testing::SshdHarnessOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--dir") {
      o.dir = next();
    } else if (a == "--nodes") {
      o.nodes = std::atoi(next().c_str());
    } else if (a == "--port") {
      o.port = std::atoi(next().c_str());
    } else if (a == "--shared-var-lib") {
      o.own_var_lib = false;
    } else {
      std::fprintf(stderr, "usage: sshd_nodes --dir DIR --nodes K [--port P] [--shared-var-lib]\n");
      return 2;
    }
  }
  if (o.dir.empty()) {
    std::fprintf(stderr, "sshd_nodes: --dir is required\n");
    return 2;
  }
  // Block the stop signals before any thread or child exists; sigwait below.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto h = paiplan::testing::SshdHarness::Create(o);
  if (!h) {
    std::fprintf(stderr, "sshd_nodes: %s\n", h.error().message().c_str());
    return 1;
  }
  std::string tsv;
  for (int i = 0; i < (*h)->size(); ++i) {
    tsv += std::to_string(i) + "\t" + (*h)->ip(i) + "\t" + std::to_string((*h)->port()) + "\n";
  }
  auto s = paiplan::fs::WriteFileAtomic((*h)->dir() + "/nodes.tsv", tsv);
  if (s.ok()) s = paiplan::fs::WriteFileAtomic((*h)->dir() + "/pid", std::to_string(getpid()) + "\n");
  if (!s.ok()) {
    std::fprintf(stderr, "sshd_nodes: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("ready %d nodes on port %d in %s\n", (*h)->size(), (*h)->port(), (*h)->dir().c_str());
  std::fflush(stdout);
  // The main thread (the one that started the nodes, see sshd_harness.h)
  // serves stdin's commands until a stop signal arrives.
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) {
    std::perror("sshd_nodes: signalfd");
    (*h)->StopAll();
    return 1;
  }
  bool read_stdin = true;
  std::string pending;
  for (;;) {
    pollfd fds[2] = {{sfd, POLLIN, 0}, {0, POLLIN, 0}};
    if (poll(fds, read_stdin ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & POLLIN) break;
    if (!read_stdin || !(fds[1].revents & (POLLIN | POLLHUP))) continue;
    char buf[256];
    ssize_t n = read(0, buf, sizeof buf);
    if (n <= 0) {
      read_stdin = false;
      continue;
    }
    pending.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      std::istringstream line(pending.substr(0, nl));
      pending.erase(0, nl + 1);
      std::string verb;
      int i = -1;
      line >> verb >> i;
      if ((verb != "stop" && verb != "start") || i < 0 || i >= (*h)->size()) {
        std::printf("error: expected \"stop I\" or \"start I\" with 0 <= I < %d\n", (*h)->size());
      } else {
        paiplan::Status st = verb == "stop" ? (*h)->Stop(i) : (*h)->Start(i);
        if (st.ok()) std::printf("ok %s %d\n", verb.c_str(), i);
        else std::printf("error %s %d: %s\n", verb.c_str(), i, st.message().c_str());
      }
      std::fflush(stdout);
    }
  }
  ::close(sfd);
  (*h)->StopAll();
  return 0;
}
