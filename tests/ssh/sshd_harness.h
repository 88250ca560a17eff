// SshdHarness: K real OpenSSH sshd "nodes" for tests and benchmarks.
//
// Node i listens on 127.0.0.(i+2):PORT (one port shared by all nodes; a free
// one is chosen, 2222 first), has its own ed25519 host key, its own
// sshd_config and log, and runs in its own mount namespace where
// /var/lib/paiplan is a bind mount of `var_lib_dir(i)` — so each node really
// has its own /var/lib/paiplan (the node marker directory), visible to the
// test on the host side. The remote user is root (tests run as root); one
// client key, generated per harness, is authorized on every node; a
// known_hosts file lists every node's key as "[127.0.0.x]:PORT ssh-ed25519 ...".
//
// Processes: the pid forked for node i IS its sshd (unshare and sh exec into
// it). Stop(i) kills exactly that sshd and its descendants (its connection
// processes), found through /proc by parent pid, then reaps it; nothing is
// ever killed by name. Each sshd gets PR_SET_PDEATHSIG(SIGKILL) so a crashed
// test does not leak daemons: call Create/Start from a thread that outlives
// the nodes (the test's main thread).
//
// Password logins (`root_password`): this machine's root has no password and
// its real accounts must not change, so each node's mount namespace also gets
// a bind mount of dir()/shadow over /etc/shadow: a copy of the real file in
// which only root's hash is replaced by a SHA-512 crypt of the password
// (`openssl passwd -6`). Such nodes run with PasswordAuthentication yes,
// KbdInteractiveAuthentication no and UsePAM no, so sshd checks that shadow
// file itself. The host's /etc/shadow is only read. The mounts are made by
// the shell that `unshare -m --propagation private` started, in the node's
// new namespace, before it execs sshd; if a mount fails sshd never starts.
//
// Layout of dir(): client/id_ed25519{,.pub}, authorized_keys, known_hosts,
// shadow (only with root_password; 0600, removed with the harness),
// node-I/{sshd_config, ssh_host_ed25519_key{,.pub}, sshd.log, varlib/}.
//
// Thread-safety: not thread-safe; drive it from one thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "providers/ssh/ssh_transport.h"

namespace paiplan::testing {

struct SshdHarnessOptions {
  int nodes = 1;
  int port = 0;         // 0: a free port (2222 if free)
  std::string dir;      // empty: a new /tmp/paiplan-sshd-XXXXXX, removed on destruction
  bool own_var_lib = true;  // bind-mount node-I/varlib on /var/lib/paiplan per node
  std::string log_level = "VERBOSE";  // sshd LogLevel
  // Set: every node accepts this password for root (see above) besides the
  // client key. Unset: password authentication is off. Printable ASCII only.
  std::optional<std::string> root_password;
};

class SshdHarness {
 public:
  // Generates keys and configs, starts every node and waits until each
  // answers with an SSH banner. Fails (IOError/Unavailable) with the tail of
  // the sshd log of the node that did not come up.
  static Result<std::unique_ptr<SshdHarness>> Create(const SshdHarnessOptions& options);
  ~SshdHarness();  // stops every node; removes dir() if it created it
  SshdHarness(const SshdHarness&) = delete;
  SshdHarness& operator=(const SshdHarness&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  std::string ip(int i) const;  // "127.0.0.(i+2)"
  std::string user() const { return "root"; }
  const std::string& client_key() const { return client_key_; }    // private key path
  const std::string& known_hosts() const { return known_hosts_; }  // all nodes
  std::string var_lib_dir(int i) const;  // host path node i sees as /var/lib/paiplan
  std::string node_dir(int i) const;
  std::string host_key_pub(int i) const;  // path of node i's public host key
  std::string log_path(int i) const;
  pid_t pid(int i) const { return nodes_[i].pid; }  // 0 when stopped
  // A strict-host-key SshTarget for node i with the harness key and known_hosts.
  providers::ssh::SshTarget Target(int i) const;

  // SIGKILLs node i's sshd and all its descendants; OK if already stopped.
  Status Stop(int i);
  // Starts node i again (same key, port, config) and waits for its banner.
  Status Start(int i);
  void StopAll();

 private:
  struct Node {
    pid_t pid = 0;
  };
  SshdHarness() = default;
  Status Prepare(const SshdHarnessOptions& options);
  Status WriteNodeConfig(int i);
  Status WriteShadowCopy(const std::string& password);
  std::vector<std::string> StartArgv(int i) const;
  Status WriteKnownHosts();
  Status StartAllOnPort();

  std::string dir_;
  bool owns_dir_ = false;
  bool own_var_lib_ = true;
  std::string log_level_;
  int port_ = 0;
  std::string client_key_;
  std::string known_hosts_;
  std::string shadow_copy_;  // non-empty: bind-mounted over /etc/shadow on every node
  std::vector<Node> nodes_;
};

// Runs argv (no shell), waits; returns its exit status (-1 if it could not
// run). Output goes to `log` (appended) or /dev/null when empty.
int RunCommand(const std::vector<std::string>& argv, const std::string& log = "");

// Pids whose /proc/PID/cmdline contains `needle` (excluding this process).
// For verification only (never used to kill).
std::vector<pid_t> FindProcessesByCmdline(const std::string& needle);

// Occurrences of `needle` in the file at `path` (0 when it cannot be read):
// counts lines of an sshd log.
size_t CountInFile(const std::string& path, const std::string& needle);

}  // namespace paiplan::testing
