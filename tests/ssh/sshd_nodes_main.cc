// sshd_nodes: starts K sshd test nodes (tests/ssh/sshd_harness.h) for shell
// scripts and serves until SIGTERM/SIGINT, then stops exactly those nodes.
//
//   sshd_nodes --dir DIR --nodes K [--port P] [--shared-var-lib]
//
// When ready it writes DIR/nodes.tsv ("INDEX<TAB>IP<TAB>PORT" per node),
// DIR/known_hosts, DIR/client/id_ed25519 and DIR/pid (its own pid: kill that
// pid to stop the nodes), then prints "ready" on stdout.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
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
  int sig = 0;
  sigwait(&set, &sig);
  (*h)->StopAll();
  return 0;
}
