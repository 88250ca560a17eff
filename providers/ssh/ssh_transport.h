// SshTransport: providers::Transport over one libssh session to one machine.
//
// Why: the node provider bootstraps machines by uploading a role package and
// running its script. One SSH session per machine is opened lazily on the
// first call and reused by every Exec (one channel each), Upload, ReadFile and
// RemoveFile (one SFTP subsystem channel, opened once). If the session has
// dropped since the last call it is reconnected once, transparently, before a
// new operation starts; an operation that was cut in the middle is never
// replayed (it fails Unavailable and the caller decides whether to retry).
//
// Authentication: the identity file if given; otherwise ssh-agent
// (SSH_AUTH_SOCK) and the default keys (~/.ssh/id_*); then the password if
// one is given. The password is never logged or put in a message.
//
// Host keys are checked against `known_hosts_file` (and only that file):
//   known            -> proceed
//   unknown          -> kStrict: PermissionDenied with the fingerprint and the
//                       ssh-keyscan command to run; kAcceptNew: the key is
//                       appended to the file and the connection proceeds
//   changed / other  -> PermissionDenied always ("possible man-in-the-middle")
//
// ProxyJump: libssh 0.10 cannot run a session over a channel of another
// session, so a jump host is reached through SSH_OPTIONS_PROXYCOMMAND running
// OpenSSH's `ssh -W HOST:PORT` to the bastion (BatchMode, the same
// known_hosts file, StrictHostKeyChecking=yes or accept-new following the
// target's policy, the jump host's identity file). Password authentication to
// the jump host is therefore not supported.
// Because libssh writes to that pipe with write(2), the first connection
// sets SIGPIPE to SIG_IGN if it was SIG_DFL (a dead proxy then fails the call
// instead of killing the process).
//
// Exec: env is exported as a prefix of the command (`export K='v';`, sshd's
// AcceptEnv is usually off), cwd via `cd 'dir' &&`. The command runs in a new
// session/process group (setsid) whose id is written to a pid file under the
// remote $TMPDIR (default /tmp); on timeout a second channel sends SIGTERM to
// the whole group, then SIGKILL if it is still alive after ~2 s, and Exec
// returns Timeout with the last stderr lines. Stdin is closed (EOF). A command
// killed by a signal N reports exit status 128+N. The remote side needs a
// POSIX sh and util-linux `setsid` (present on every mainstream Linux).
//
// Failures: cannot reach the host (refused, unreachable, no route, proxy
// command failed) -> Unavailable "cannot connect to USER@HOST:PORT: ...";
// connect/handshake timeout -> Timeout; authentication -> PermissionDenied
// "authentication failed for USER@HOST:PORT (tried: key FILE, agent, ...)";
// host key problems -> PermissionDenied; a channel or SFTP failure in the
// middle of an operation -> Unavailable (retryable), and the session is
// dropped so the next call reconnects; a remote file-system error reported by
// SFTP (permission denied, no space, ...) -> IOError.
//
// Thread-safety: all public methods may be called from any thread; calls on
// one SshTransport are serialized by an internal mutex (the executor runs at
// most one action per machine anyway). Different SshTransports are fully
// independent and may run in parallel.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>

#include "providers/transport.h"

namespace paiplan::providers::ssh {

// A bastion to reach the target through (OpenSSH's ProxyJump).
struct SshJumpHost {
  std::string host;
  int port = 22;
  std::string user;           // empty: the target's user
  std::string identity_file;  // empty: the target's identity file (or ssh's defaults)
};

// Where and how to connect to one machine.
struct SshTarget {
  enum HostKeyPolicy { kStrict, kAcceptNew };

  std::string host;  // IP address or name
  int port = 22;
  std::string user;           // empty: "root"
  std::string identity_file;  // private key; empty: agent + default keys
  std::optional<std::string> password;  // sensitive: never logged
  std::string known_hosts_file;         // empty: ~/.ssh/known_hosts
  HostKeyPolicy policy = kStrict;
  std::chrono::milliseconds connect_timeout{10000};  // TCP connect + handshake
  std::optional<SshJumpHost> proxy_jump;
  // TCP keepalive idle time on the socket, and the idle time after which
  // SendKeepaliveIfIdle sends an SSH-level keepalive (SSH_MSG_IGNORE); 0: off.
  int keepalive_seconds = 30;
};

// Bounds how many handshakes (connect + key exchange + auth) run at once
// across the transports sharing it, and records the most that ever overlapped.
// Thread-safety: all methods may be called from any thread.
class HandshakeGate {
 public:
  // REQUIRES: limit >= 1.
  explicit HandshakeGate(int limit);
  void Acquire();  // blocks while `limit` handshakes are running
  void Release();
  // The highest number of handshakes that ran at the same time (tests).
  int max_concurrent() const { return max_.load(); }

 private:
  std::counting_semaphore<> sem_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_{0};
};

// Counters for tests and benchmarks.
struct SshTransportStats {
  int handshakes = 0;  // successful connect + auth (1 when the session was reused throughout)
  int execs = 0;
  int sftp_ops = 0;
  int keepalives = 0;  // SSH-level keepalives sent on an idle session
};

class SshTransport : public Transport {
 public:
  // `handshake_gate`, if given, is acquired around each connect + auth
  // (SshPool bounds concurrent handshakes with it); it must outlive this.
  explicit SshTransport(SshTarget target, HandshakeGate* handshake_gate = nullptr);
  ~SshTransport() override;
  SshTransport(const SshTransport&) = delete;
  SshTransport& operator=(const SshTransport&) = delete;

  // "USER@HOST:PORT" (plus " via JUMP" with a jump host).
  std::string Describe() const override;
  Result<ExecResult> Exec(const ExecRequest& request) override;
  // Atomic: written to a temp name beside `remote_path`, then renamed over it;
  // a failure leaves the previous content (or no file) at `remote_path`.
  Status Upload(const std::string& remote_path, const std::string& content, int mode) override;
  Result<std::optional<std::string>> ReadFile(const std::string& remote_path) override;
  Status RemoveFile(const std::string& remote_path) override;

  // Connects now (normally done lazily). Same failures as above.
  Status Connect();
  // Closes the session; the next call reconnects.
  void Disconnect();
  // Sends an SSH keepalive (SSH_MSG_IGNORE) if a session is open, no call is
  // running on it (never waits for one), keepalive_seconds > 0 and nothing was
  // sent on it for keepalive_seconds. Returns whether one was sent; a send
  // failure marks the session broken (the next call reconnects).
  bool SendKeepaliveIfIdle();
  SshTransportStats stats() const;
  const SshTarget& target() const { return target_; }

 private:
  struct Session;  // libssh handles; defined in the .cc so libssh stays out of headers

  Status EnsureConnectedLocked();
  Status ConnectLocked();
  void DisconnectLocked();
  void DropBrokenLocked();
  Result<ExecResult> ExecOnceLocked(const ExecRequest& request, bool* started);
  Status EnsureSftpLocked();
  Status MakeDirsLocked(const std::string& dir);
  Status UploadLocked(const std::string& remote_path, const std::string& content, int mode);
  void SweepStaleTempsLocked(const std::string& dir);
  Result<std::optional<std::string>> ReadFileLocked(const std::string& remote_path);
  Status RemoveFileLocked(const std::string& remote_path);
  Status KillRemoteGroupLocked(const std::string& pid_file);
  // Maps the current libssh/SFTP error of a failed SFTP call.
  // rename(2) over an existing file via `mv -f` (SFTP v3 rename refuses to overwrite).
  Status RenameOverLocked(const std::string& from, const std::string& to);
  Status SftpError(const std::string& what, const std::string& path);

  const SshTarget target_;
  HandshakeGate* const handshake_gate_;
  mutable std::mutex mu_;
  std::unique_ptr<Session> session_;  // GUARDED_BY(mu_)
  SshTransportStats stats_;           // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point last_used_;  // GUARDED_BY(mu_)
};

// `s` quoted for a POSIX shell: 'it'\''s'.
std::string ShellQuote(const std::string& s);

// The shell command string Exec sends (env prefix, cd, setsid wrapper that
// writes the process group id to `pid_file`). Exposed for unit tests.
// Fails InvalidArgument on an env name that is not [A-Za-z_][A-Za-z0-9_]*.
Result<std::string> BuildRemoteCommand(const ExecRequest& request, const std::string& pid_file);

// A second Ctrl-C: every running Exec of this process kills its remote
// process group (SIGTERM, SIGKILL ~2 s later) and returns Cancelled; Execs
// started afterwards are refused with Cancelled. Thread-safe; irreversible.
void AbortRunningCommands();

}  // namespace paiplan::providers::ssh
