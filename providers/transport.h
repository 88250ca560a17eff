// Transport: how paiplan reaches one machine (SSH, or a local directory for
// tests and demos). The node provider bootstraps and cleans machines only
// through this interface.
//
// Thread-safety: a Transport is used by one action at a time (the executor
// runs at most one action per machine), but TransportPool::Get may be called
// from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/base/status.h"

namespace paiplan::providers {

struct ExecRequest {
  std::string command;                       // run by the remote user's shell (sh -c)
  std::map<std::string, std::string> env;    // exported before the command
  std::string cwd;                           // empty: the user's home directory
  std::chrono::milliseconds timeout{600000}; // the process is killed on expiry
  // Receives output as it arrives (stdout and stderr interleaved), e.g. the action log.
  std::function<void(std::string_view chunk, bool is_stderr)> on_output;
};

struct ExecResult {
  int exit_status = -1;
  std::string stdout_tail;  // last ~4 KiB, for error messages
  std::string stderr_tail;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Human name for messages, e.g. "root@127.0.0.2:22" or "local:/path".
  virtual std::string Describe() const = 0;
  // Runs a command. A non-zero exit status is a successful ExecResult, not an
  // error. Fails: Unavailable (connect refused, connection lost), Timeout
  // (remote process killed), PermissionDenied (auth, host key), IOError.
  virtual Result<ExecResult> Exec(const ExecRequest& request) = 0;
  // Writes `content` to `remote_path` (parent directories created) with `mode`.
  virtual Status Upload(const std::string& remote_path, const std::string& content, int mode) = 0;
  // Contents of a remote file; nullopt if it does not exist.
  virtual Result<std::optional<std::string>> ReadFile(const std::string& remote_path) = 0;
  // Removes a remote file; a missing file is OK.
  virtual Status RemoveFile(const std::string& remote_path) = 0;
};

}  // namespace paiplan::providers
