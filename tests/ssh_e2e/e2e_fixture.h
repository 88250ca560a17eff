// SshE2eTest: the real paiplan binary (PAIPLAN_BINARY) bootstrapping real
// OpenSSH sshd "machines" (tests/ssh/sshd_harness.h) over SSH.
//
// A test calls StartCluster(K): K sshd nodes on 127.0.0.2..K+1 and a fresh
// workspace in /tmp with
//   layout.yaml     machines node0..node{K-1} (k8s-role, hostip, sshport,
//                   username root, keyfile-path = the harness client key),
//   paiplan.yaml    no services, kubernetes disabled, strict host keys against
//                   a workspace copy of the harness known_hosts, retry
//                   attempts 2 / backoff 0.1, plus the test's extra settings,
//   roles/{master,worker}/ (node0 is the master; identical packages)
//                   bootstrap.sh, clean.sh, a 100 KiB package.bin,
//                   node.env.template and hook.sh.template (rendered per
//                   machine; a test can make one machine's hook hang).
// The role scripts refuse to run unless /var/lib/paiplan is a mount point
// (the harness's per-node bind mount), and write only under it:
//   etc/node.env, etc/package.sha256, bootstrap.log (one line per run),
//   hook.pids (pids of a hanging hook), cleaned (by clean.sh).
//
// Child processes (paiplan) get stdin = /dev/null, their own process group,
// stdout/stderr to files; timeouts are safety nets, never assertions.
// Thread-safety: drive everything from the test's main thread.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/ssh/sshd_harness.h"

namespace paiplan::ssh_e2e {

struct RunResult {
  int rc = -1;             // exit status; -1 when killed by a signal
  bool timed_out = false;  // the safety-net timeout killed it
  std::string out, err;
  std::string all() const { return out + err; }
};

// A paiplan started in the background; killed (group, SIGKILL) and reaped
// by the destructor if still running.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::string& dir, int timeout_s);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  bool Running();     // false once it exited (reaps it)
  RunResult Wait();   // blocks (up to the timeout, then kills it)
  pid_t pid() const { return pid_; }  // the paiplan process (leader of its own group)

 private:
  RunResult Collect(int status, bool timed_out);
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
  int timeout_s_;
  std::optional<RunResult> result_;
};

struct ClusterOptions {
  int package_bytes = 100 * 1024;  // size of roles/worker/package.bin
  std::string hang_host;           // this machine's hook.sh sleeps 1000 s
  std::string extra_settings;      // appended to paiplan.yaml
  std::string strict_host_keys = "yes";  // ssh.strict-host-keys
  std::string ssh_settings;        // lines ("  key: value\n") added to paiplan.yaml's ssh block
  std::string log_level = "VERBOSE";  // every sshd's LogLevel
  // Every node also accepts this password for root (SshdHarnessOptions::root_password).
  std::optional<std::string> root_password;
};

// Per-machine changes to the layout.yaml entries WriteLayout writes.
struct NodeEntryOptions {
  std::optional<std::string> keyfile;  // keyfile-path; "" omits it; unset: the harness key
  std::string extra;                   // more lines of the entry ("    key: value\n")
};

class SshE2eTest : public ::testing::Test {
 protected:
  void TearDown() override;

  // Starts `k` nodes and writes the workspace for all of them. Fatal
  // (ASSERT) on failure: call through ASSERT_NO_FATAL_FAILURE.
  void StartCluster(int k, const ClusterOptions& options = {});
  // Rewrites layout.yaml with the given node indices only (entries changed
  // by entry_options_).
  void WriteLayout(const std::vector<int>& nodes);
  // Rewrites paiplan.yaml: `extra` appended, options_.ssh_settings in ssh.
  void WriteSettings(const std::string& extra);

  // `paiplan -C WS <args...>`.
  RunResult Paiplan(const std::vector<std::string>& args, int timeout_s = 180);
  std::unique_ptr<Background> StartPaiplan(const std::vector<std::string>& args, int timeout_s = 180);
  // /bin/sh -c `script`.
  RunResult Shell(const std::string& script);

  static std::string Host(int i) { return "node" + std::to_string(i); }
  // node0 is the master (layout.yaml needs one), the others workers.
  static std::string Role(int i) { return i == 0 ? "master" : "worker"; }
  std::string MarkerPath(int i) const { return h_->var_lib_dir(i) + "/node.json"; }
  std::string NodeFile(int i, const std::string& rel) const { return h_->var_lib_dir(i) + "/" + rel; }
  // The marker parsed; a discarded value when absent or not JSON.
  nlohmann::json Marker(int i) const;
  // `paiplan state show ADDR --json` parsed (discarded on failure).
  nlohmann::json StateRecord(const std::string& address);
  // Non-no-op actions of `paiplan plan --json`: address -> action.
  std::map<std::string, std::string> PlannedChanges(nlohmann::json* plan = nullptr);
  // How many times node i's sshd accepted our key so far (its log).
  int AcceptedLogins(int i) const;
  // "SHA256:..." of node i's real host key (ssh-keygen -lf).
  std::string HostKeyFingerprint(int i);

  std::unique_ptr<testing::SshdHarness> h_;
  std::string ws_;           // the workspace root
  std::string known_hosts_;  // the workspace's copy of the harness known_hosts
  int nodes_ = 0;
  ClusterOptions options_;
  std::map<int, NodeEntryOptions> entry_options_;  // node index -> its layout entry's changes
};

// Whole-file helpers; ReadFile returns "" for a missing file.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);
bool Exists(const std::string& path);
int CountOf(const std::string& hay, const std::string& needle);
bool ProcessAlive(pid_t pid);
void SleepMs(int ms);

}  // namespace paiplan::ssh_e2e
