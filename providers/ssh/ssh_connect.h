// Internal to providers/ssh: opening an authenticated, host-key-checked libssh
// session for an SshTarget. Only ssh_transport.cc includes this.
//
// Thread-safety: OpenSshSession may be called from many threads at once for
// different targets; appends to a known_hosts file (accept-new) are
// serialized process-wide.
#pragma once

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <set>
#include <string>

#include "engine/base/status.h"
#include "providers/ssh/ssh_transport.h"

namespace paiplan::providers::ssh::internal {

// "USER@HOST:PORT".
std::string TargetName(const SshTarget& target);
// The known_hosts path as the user should read it in messages.
std::string KnownHostsForMessages(const SshTarget& target);
// The ProxyCommand line used for target.proxy_jump (exposed for tests/docs);
// with `stderr_path`, the jump's `ssh` writes its errors there.
std::string ProxyCommandFor(const SshTarget& target, const std::string& stderr_path = "");

// Connects, checks the host key and authenticates. On success the caller owns
// the session (ssh_disconnect + ssh_free). Fails as documented in
// ssh_transport.h (Unavailable, Timeout, PermissionDenied).
Result<ssh_session> OpenSshSession(const SshTarget& target);

// 16 random hex digits for remote temp names (pid files, upload temps).
std::string RandomToken();
// 8 random hex digits chosen once per process: the upload temp names of this
// process start with it, so an upload removes the temps earlier processes
// left (a killed apply, a connection lost mid-upload) and never one of this
// process's uploads running beside it.
const std::string& ProcessToken();

}  // namespace paiplan::providers::ssh::internal

namespace paiplan::providers::ssh {

// The libssh handles behind one SshTransport (sftp opened lazily).
struct SshTransport::Session {
  ssh_session ssh = nullptr;
  sftp_session sftp = nullptr;
  bool broken = false;  // lost mid-operation: freed and reconnected by the next call
  std::set<std::string> swept;  // directories whose stale upload temps this session removed
  ~Session() {
    if (sftp != nullptr) sftp_free(sftp);
    if (ssh != nullptr) {
      ssh_disconnect(ssh);
      ssh_free(ssh);
    }
  }
};

}  // namespace paiplan::providers::ssh
