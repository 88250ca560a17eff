#include "providers/ssh/ssh_transport.h"

#include <fcntl.h>

#include <algorithm>
#include <random>

#include "engine/base/check.h"
#include "providers/ssh/ssh_connect.h"

namespace paiplan::providers::ssh {
namespace {

constexpr size_t kTailBytes = 4096;
constexpr int kPollMs = 20;

void AppendTail(std::string* tail, std::string_view chunk) {
  tail->append(chunk);
  if (tail->size() > kTailBytes) tail->erase(0, tail->size() - kTailBytes);
}

// Last `n` non-empty lines of `text`, for error messages.
std::string LastLines(const std::string& text, int n) {
  size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  size_t pos = end + 1;
  for (int i = 0; i < n && pos > 0; ++i) {
    size_t nl = text.rfind('\n', pos - 1);
    pos = nl == std::string::npos ? 0 : nl;
    if (nl == std::string::npos) break;
  }
  return text.substr(pos == 0 ? 0 : pos + 1, end + 1 - (pos == 0 ? 0 : pos + 1));
}

bool ValidEnvName(const std::string& k) {
  if (k.empty() || !(std::isalpha(static_cast<unsigned char>(k[0])) || k[0] == '_')) return false;
  return std::all_of(k.begin(), k.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Owns one libssh channel.
class Channel {
 public:
  explicit Channel(ssh_session s) : ch_(ssh_channel_new(s)) {}
  ~Channel() {
    if (ch_ == nullptr) return;
    if (ssh_channel_is_open(ch_)) ssh_channel_close(ch_);
    ssh_channel_free(ch_);
  }
  ssh_channel get() const { return ch_; }

 private:
  ssh_channel ch_;
};

}  // namespace

namespace internal {
// A unique-enough token for remote temp names (pid files, upload temps).
std::string RandomToken() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

const std::string& ProcessToken() {
  static const std::string token = RandomToken().substr(0, 8);
  return token;
}

}  // namespace internal

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Result<std::string> BuildRemoteCommand(const ExecRequest& request, const std::string& pid_file) {
  std::string cmd;
  for (const auto& [k, v] : request.env) {  // std::map: deterministic order
    if (!ValidEnvName(k)) {
      return Err(Status::InvalidArgument("invalid environment variable name '" + k + "'"));
    }
    cmd += "export " + k + "=" + ShellQuote(v) + "; ";
  }
  if (!request.cwd.empty()) cmd += "cd " + ShellQuote(request.cwd) + " && ";
  // setsid -w: own process group (killable as a whole on timeout), exit status
  // passed through; the group id goes to the pid file, removed on normal exit.
  // The channel's stdin stays open while we run the command: a watcher reads
  // it, and when it ends (our session closed: paiplan died or the connection
  // dropped) it kills the whole group, SIGTERM then SIGKILL, so nothing runs
  // on without us. The command itself gets /dev/null as stdin.
  cmd += "exec setsid -w sh -c " +
         ShellQuote("echo $$ > \"$1\"; exec 3<&0; sh -c \"$2\" </dev/null 3<&- & c=$!; "
                    "( trap '' TERM INT HUP; while read -r _; do :; done; kill -TERM 0; sleep 2; "
                    "kill -KILL 0 ) <&3 >/dev/null 2>&1 & w=$!; exec 3<&-; "
                    "wait $c; r=$?; kill -KILL $w 2>/dev/null; rm -f \"$1\"; exit $r") +
         " paiplan-exec " + ShellQuote(pid_file) + " " + ShellQuote(request.command);
  return cmd;
}

namespace {
std::atomic<bool> g_abort_commands{false};
}  // namespace

void AbortRunningCommands() { g_abort_commands.store(true); }

HandshakeGate::HandshakeGate(int limit) : sem_(limit) { PP_CHECK(limit >= 1); }

void HandshakeGate::Acquire() {
  sem_.acquire();
  int now = ++in_flight_;
  int seen = max_.load();
  while (now > seen && !max_.compare_exchange_weak(seen, now)) {
  }
}

void HandshakeGate::Release() {
  --in_flight_;
  sem_.release();
}

SshTransport::SshTransport(SshTarget target, HandshakeGate* handshake_gate)
    : target_(std::move(target)), handshake_gate_(handshake_gate) {}

SshTransport::~SshTransport() = default;

std::string SshTransport::Describe() const {
  std::string d = internal::TargetName(target_);
  if (target_.proxy_jump) d += " via " + target_.proxy_jump->host;
  return d;
}

SshTransportStats SshTransport::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Status SshTransport::Connect() {
  std::lock_guard<std::mutex> lock(mu_);
  return EnsureConnectedLocked();
}

void SshTransport::Disconnect() {
  std::lock_guard<std::mutex> lock(mu_);
  DisconnectLocked();
}

void SshTransport::DisconnectLocked() { session_.reset(); }

bool SshTransport::SendKeepaliveIfIdle() {
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock() || target_.keepalive_seconds <= 0) return false;
  if (!session_ || session_->broken || !ssh_is_connected(session_->ssh)) return false;
  auto now = std::chrono::steady_clock::now();
  if (now - last_used_ < std::chrono::seconds(target_.keepalive_seconds)) return false;
  last_used_ = now;
  if (ssh_send_ignore(session_->ssh, "keepalive@paiplan") != SSH_OK) {
    session_->broken = true;
    return false;
  }
  ++stats_.keepalives;
  return true;
}

Status SshTransport::EnsureConnectedLocked() {
  last_used_ = std::chrono::steady_clock::now();
  if (session_ && !session_->broken && ssh_is_connected(session_->ssh)) return Status::Ok();
  DisconnectLocked();
  return ConnectLocked();
}

Status SshTransport::ConnectLocked() {
  if (handshake_gate_ != nullptr) handshake_gate_->Acquire();
  Result<ssh_session> s = internal::OpenSshSession(target_);
  if (handshake_gate_ != nullptr) handshake_gate_->Release();
  last_used_ = std::chrono::steady_clock::now();
  if (!s) return s.error();
  session_ = std::make_unique<Session>();
  session_->ssh = *s;
  ++stats_.handshakes;
  return Status::Ok();
}

Result<ExecResult> SshTransport::Exec(const ExecRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  bool had_session = session_ != nullptr;
  PP_RETURN_IF_ERROR_R(EnsureConnectedLocked());
  ++stats_.execs;
  bool started = false;
  Result<ExecResult> r = ExecOnceLocked(request, &started);
  if (!r && r.error().code() == Code::kUnavailable) {
    DisconnectLocked();
    // The session was stale and nothing ran: reconnect once and retry.
    if (had_session && !started) {
      PP_RETURN_IF_ERROR_R(ConnectLocked());
      r = ExecOnceLocked(request, &started);
      if (!r && r.error().code() == Code::kUnavailable) DisconnectLocked();
    }
  }
  return r;
}

Result<ExecResult> SshTransport::ExecOnceLocked(const ExecRequest& request, bool* started) {
  const std::string where = Describe();
  if (g_abort_commands.load()) return Err(Status::Cancelled("not started on " + where + ": interrupted (Ctrl-C)"));
  std::string pid_file = "/tmp/.paiplan-exec-" + internal::RandomToken() + ".pgid";
  PP_ASSIGN_OR_RETURN(std::string command, BuildRemoteCommand(request, pid_file));
  Channel ch(session_->ssh);
  if (ch.get() == nullptr || ssh_channel_open_session(ch.get()) != SSH_OK) {
    return Err(Status::Unavailable("cannot open a channel to " + where + ": " +
                                   ssh_get_error(session_->ssh)));
  }
  if (ssh_channel_request_exec(ch.get(), command.c_str()) != SSH_OK) {
    return Err(Status::Unavailable("cannot start a command on " + where + ": " +
                                   ssh_get_error(session_->ssh)));
  }
  *started = true;
  // No EOF on stdin: the remote watcher (BuildRemoteCommand) stops the
  // command when the channel closes.

  ExecResult result;
  auto deadline = std::chrono::steady_clock::now() + request.timeout;
  char buf[16384];
  for (;;) {
    bool got = false;
    for (int is_stderr = 0; is_stderr < 2; ++is_stderr) {
      int n = ssh_channel_read_nonblocking(ch.get(), buf, sizeof buf, is_stderr);
      if (n == SSH_ERROR) {
        return Err(Status::Unavailable("connection to " + where + " lost while running '" +
                                       request.command + "': " + ssh_get_error(session_->ssh)));
      }
      if (n <= 0) continue;
      got = true;
      std::string_view chunk(buf, static_cast<size_t>(n));
      AppendTail(is_stderr ? &result.stderr_tail : &result.stdout_tail, chunk);
      if (request.on_output) request.on_output(chunk, is_stderr != 0);
    }
    if (got) continue;
    if (ssh_channel_is_eof(ch.get()) || ssh_channel_is_closed(ch.get())) break;
    if (g_abort_commands.load()) {
      Status kill = KillRemoteGroupLocked(pid_file);
      return Err(Status::Cancelled("stopped on " + where + " by a second interrupt (Ctrl-C)" +
                                   (kill.ok() ? "" : "; kill: " + kill.message())));
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      Status kill = KillRemoteGroupLocked(pid_file);
      char secs[32];
      snprintf(secs, sizeof secs, "%.1f", request.timeout.count() / 1000.0);
      std::string msg = "command timed out after " + std::string(secs) + " s on " + where +
                        " and was killed" + (kill.ok() ? "" : " (kill: " + kill.message() + ")");
      std::string last = LastLines(result.stderr_tail, 5);
      if (!last.empty()) msg += "; last stderr:\n" + last;
      return Err(Status::DeadlineExceeded(msg));
    }
    int wait_ms = static_cast<int>(std::min<long long>(
        kPollMs, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1));
    if (ssh_channel_poll_timeout(ch.get(), wait_ms, 0) == SSH_ERROR) {
      return Err(Status::Unavailable("connection to " + where + " lost while running '" +
                                     request.command + "': " + ssh_get_error(session_->ssh)));
    }
  }
  result.exit_status = ssh_channel_get_exit_status(ch.get());
  return result;
}

Status SshTransport::KillRemoteGroupLocked(const std::string& pid_file) {
  const std::string f = ShellQuote(pid_file);
  // Wait briefly for the pid file (a very short timeout may fire before the
  // wrapper wrote it), TERM the group, give it ~2 s, then KILL.
  std::string script =
      "i=0; while [ ! -s " + f + " ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; "
      "p=$(cat " + f + " 2>/dev/null); "
      "if [ -n \"$p\" ]; then kill -TERM -- -$p 2>/dev/null; i=0; "
      "while kill -0 -- -$p 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; "
      "kill -KILL -- -$p 2>/dev/null; fi; rm -f " + f;
  Channel ch(session_->ssh);
  if (ch.get() == nullptr || ssh_channel_open_session(ch.get()) != SSH_OK ||
      ssh_channel_request_exec(ch.get(), script.c_str()) != SSH_OK) {
    return Status::Unavailable(std::string("cannot open a channel: ") + ssh_get_error(session_->ssh));
  }
  char buf[1024];
  while (ssh_channel_read_timeout(ch.get(), buf, sizeof buf, 0, 10000) > 0) {
  }
  ssh_channel_get_exit_status(ch.get());
  return Status::Ok();
}

}  // namespace paiplan::providers::ssh
