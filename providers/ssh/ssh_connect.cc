#include "providers/ssh/ssh_connect.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

#include <mutex>
#include <vector>

namespace paiplan::providers::ssh::internal {
namespace {

std::string UserOf(const SshTarget& t) { return t.user.empty() ? "root" : t.user; }

std::string HostPort(const SshTarget& t) { return t.host + ":" + std::to_string(t.port); }

// Quotes for the /bin/sh that libssh runs the ProxyCommand with.
std::string Q(const std::string& s) { return ShellQuote(s); }

void InitLibsshOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    ssh_init();
    // libssh writes to a ProxyCommand's pipe with write(2): a dead proxy would
    // kill the process with SIGPIPE instead of failing the call.
    struct sigaction old {};
    if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
  });
}

// Frees the session unless released (early returns in OpenSshSession).
class SessionGuard {
 public:
  explicit SessionGuard(ssh_session s) : s_(s) {}
  ~SessionGuard() {
    if (s_ != nullptr) {
      ssh_disconnect(s_);
      ssh_free(s_);
    }
  }
  ssh_session Release() {
    ssh_session s = s_;
    s_ = nullptr;
    return s;
  }

 private:
  ssh_session s_;
};

// Where the ProxyCommand's `ssh -W` writes its errors while connecting (a
// refused bastion key, a denied login to the bastion are only said there);
// removed by the guard once the connection attempt is over.
class JumpErrors {
 public:
  explicit JumpErrors(const SshTarget& t) {
    if (!t.proxy_jump) return;
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/.paiplan-jump-" +
            RandomToken() + ".err";
  }
  ~JumpErrors() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  // The last non-empty lines the jump's ssh wrote, joined by "; ".
  std::string Said() const {
    std::ifstream in(path_);
    std::string line, out;
    while (std::getline(in, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty()) out += (out.empty() ? "" : "; ") + line;
    }
    return out.size() > 500 ? out.substr(out.size() - 500) : out;
  }

 private:
  std::string path_;
};

Status SetOptions(ssh_session s, const SshTarget& t, const JumpErrors& jump_errors) {
  std::string user = UserOf(t);
  int port = t.port;
  long secs = static_cast<long>(t.connect_timeout.count() / 1000);
  long usecs = static_cast<long>((t.connect_timeout.count() % 1000) * 1000);
  bool process_config = false;  // deterministic: ~/.ssh/config is not read
  int nodelay = 1;
  bool ok = ssh_options_set(s, SSH_OPTIONS_HOST, t.host.c_str()) == SSH_OK &&
            ssh_options_set(s, SSH_OPTIONS_PORT, &port) == SSH_OK &&
            ssh_options_set(s, SSH_OPTIONS_USER, user.c_str()) == SSH_OK &&
            ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config) == SSH_OK &&
            ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &secs) == SSH_OK &&
            ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usecs) == SSH_OK &&
            ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay) == SSH_OK;
  if (ok && !t.known_hosts_file.empty()) {
    // Only the given file counts: the global file must not vouch for a key.
    ok = ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, t.known_hosts_file.c_str()) == SSH_OK &&
         ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, t.known_hosts_file.c_str()) == SSH_OK;
  }
  if (ok && t.proxy_jump) {
    std::string cmd = ProxyCommandFor(t, jump_errors.path());
    ok = ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, cmd.c_str()) == SSH_OK;
  }
  if (!ok) {
    return Status::InvalidArgument("invalid ssh options for " + TargetName(t) + ": " +
                                   ssh_get_error(s));
  }
  return Status::Ok();
}

void SetTcpKeepalive(ssh_session s, int idle_seconds) {
  if (idle_seconds <= 0) return;
  int fd = ssh_get_fd(s);
  if (fd < 0) return;
  int on = 1, idle = idle_seconds, intvl = idle_seconds / 3 + 1, cnt = 3;
  // Fails harmlessly on the pipe of a ProxyCommand.
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) != 0) return;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

Status ConnectError(ssh_session s, const SshTarget& t, const JumpErrors& jump_errors) {
  std::string err = ssh_get_error(s);
  if (t.proxy_jump) {
    std::string said = jump_errors.Said();
    if (said.find("Host key verification failed") != std::string::npos) {
      const SshJumpHost& j = *t.proxy_jump;
      return Status::PermissionDenied(
          "cannot connect to " + TargetName(t) + " via " + j.host + ": the jump host's key was refused: " +
          said + ". Verify it, then add it with: ssh-keyscan -p " + std::to_string(j.port) + " " + j.host +
          " >> " + KnownHostsForMessages(t) + ", or set ssh.strict-host-keys: accept-new in paiplan.yaml");
    }
    if (!said.empty()) {
      return Status::Unavailable("cannot connect to " + TargetName(t) + " via " + t.proxy_jump->host +
                                 ": the jump host connection failed: " + said + " (" + err + ")");
    }
  }
  std::string lower;
  for (char c : err) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string where = TargetName(t) + (t.proxy_jump ? " via " + t.proxy_jump->host : "");
  if (lower.find("timeout") != std::string::npos || lower.find("timed out") != std::string::npos) {
    return Status::Timeout("cannot connect to " + where + ": timed out after " +
                           std::to_string(t.connect_timeout.count()) + " ms (" + err + ")");
  }
  if (lower.find("refused") != std::string::npos) {
    return Status::Unavailable("cannot connect to " + where + ": connection refused");
  }
  return Status::Unavailable("cannot connect to " + where + ": " + err);
}

std::string Fingerprint(ssh_session s) {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(s, &key) != SSH_OK) return "SHA256:?";
  unsigned char* hash = nullptr;
  size_t len = 0;
  std::string out = "SHA256:?";
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) == SSH_OK) {
    char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len);
    if (fp != nullptr) {
      out = fp;
      ssh_string_free_char(fp);
    }
    ssh_clean_pubkey_hash(&hash);
  }
  ssh_key_free(key);
  return out;
}

Status CheckHostKey(ssh_session s, const SshTarget& t) {
  std::string kh = KnownHostsForMessages(t);
  std::string hp = HostPort(t);
  enum ssh_known_hosts_e state = ssh_session_is_known_server(s);
  switch (state) {
    case SSH_KNOWN_HOSTS_OK:
      return Status::Ok();
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      return Status::PermissionDenied(
          "host key for " + hp + " CHANGED: the server now presents " + Fingerprint(s) +
          (state == SSH_KNOWN_HOSTS_OTHER ? " (a key of another type than the one recorded)" : "") +
          ", which does not match " + kh +
          " (possible man-in-the-middle). If the machine was really reinstalled, remove the old "
          "key with: ssh-keygen -R '[" + t.host + "]:" + std::to_string(t.port) + "' -f " + kh);
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      break;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      return Status::PermissionDenied("cannot check the host key of " + hp + " against " + kh +
                                      ": " + ssh_get_error(s));
  }
  if (t.policy == SshTarget::kStrict) {
    return Status::PermissionDenied(
        "host key for " + hp + " is not in " + kh + " (" + Fingerprint(s) +
        "). Verify it, then add it with: ssh-keyscan -p " + std::to_string(t.port) + " " + t.host +
        " >> " + kh + ", or set ssh.strict-host-keys: accept-new in paiplan.yaml");
  }
  static std::mutex known_hosts_mu;  // concurrent accept-new appends to one file
  std::lock_guard<std::mutex> lock(known_hosts_mu);
  if (ssh_session_update_known_hosts(s) != SSH_OK) {
    return Status::IOError("cannot add the host key of " + hp + " to " + kh + ": " +
                           ssh_get_error(s));
  }
  return Status::Ok();
}

// Returns Ok, PermissionDenied (all methods refused) or Unavailable.
Status Authenticate(ssh_session s, const SshTarget& t) {
  std::vector<std::string> tried;
  auto lost = [&] {
    return Status::Unavailable("connection to " + TargetName(t) +
                               " lost during authentication: " + ssh_get_error(s));
  };
  if (!t.identity_file.empty()) {
    tried.push_back("key " + t.identity_file);
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_file(t.identity_file.c_str(), nullptr, nullptr, nullptr, &key) !=
        SSH_OK) {
      tried.back() += " (unreadable or encrypted)";
    } else {
      int rc = ssh_userauth_publickey(s, nullptr, key);
      ssh_key_free(key);
      if (rc == SSH_AUTH_SUCCESS) return Status::Ok();
      if (rc == SSH_AUTH_ERROR) return lost();
    }
  } else {
    tried.push_back("agent");
    tried.push_back("default keys");
    int rc = ssh_userauth_publickey_auto(s, nullptr, nullptr);
    if (rc == SSH_AUTH_SUCCESS) return Status::Ok();
    if (rc == SSH_AUTH_ERROR) return lost();
  }
  if (t.password) {
    tried.push_back("password");
    int rc = ssh_userauth_password(s, nullptr, t.password->c_str());
    if (rc == SSH_AUTH_SUCCESS) return Status::Ok();
    if (rc == SSH_AUTH_ERROR) return lost();
  }
  std::string list;
  for (const auto& m : tried) list += (list.empty() ? "" : ", ") + m;
  return Status::PermissionDenied("authentication failed for " + TargetName(t) +
                                  " (tried: " + list + ")");
}

}  // namespace

std::string TargetName(const SshTarget& t) { return UserOf(t) + "@" + HostPort(t); }

std::string KnownHostsForMessages(const SshTarget& t) {
  return t.known_hosts_file.empty() ? "~/.ssh/known_hosts" : t.known_hosts_file;
}

std::string ProxyCommandFor(const SshTarget& t, const std::string& stderr_path) {
  if (!t.proxy_jump) return "";
  const SshJumpHost& j = *t.proxy_jump;
  std::string user = j.user.empty() ? UserOf(t) : j.user;
  std::string key = j.identity_file.empty() ? t.identity_file : j.identity_file;
  long secs = std::max<long>(1, static_cast<long>(t.connect_timeout.count() / 1000));
  std::string cmd = "exec ssh -F /dev/null -W " + Q(t.host) + ":" + std::to_string(t.port) +
                    " -p " + std::to_string(j.port) +
                    " -o BatchMode=yes -o StrictHostKeyChecking=" +
                    (t.policy == SshTarget::kAcceptNew ? "accept-new" : "yes") +
                    " -o ConnectTimeout=" + std::to_string(secs);
  if (!t.known_hosts_file.empty()) {
    cmd += " -o UserKnownHostsFile=" + Q(t.known_hosts_file) + " -o GlobalKnownHostsFile=/dev/null";
  }
  if (!key.empty()) cmd += " -o IdentitiesOnly=yes -i " + Q(key);
  // "--": a destination from layout.yaml is never read as an ssh option.
  cmd += " -- " + Q(user + "@" + j.host);
  if (!stderr_path.empty()) cmd += " 2>" + Q(stderr_path);
  return cmd;
}

Result<ssh_session> OpenSshSession(const SshTarget& t) {
  InitLibsshOnce();
  ssh_session raw = ssh_new();
  if (raw == nullptr) return Err(Status::Internal("ssh_new failed"));
  SessionGuard guard(raw);
  JumpErrors jump_errors(t);
  PP_RETURN_IF_ERROR_R(SetOptions(raw, t, jump_errors));
  if (ssh_connect(raw) != SSH_OK) return Err(ConnectError(raw, t, jump_errors));
  SetTcpKeepalive(raw, t.keepalive_seconds);
  PP_RETURN_IF_ERROR_R(CheckHostKey(raw, t));
  PP_RETURN_IF_ERROR_R(Authenticate(raw, t));
  return guard.Release();
}

}  // namespace paiplan::providers::ssh::internal
