// RunProcess: run a local command (service scripts, local-transport role
// scripts) in its own process group, with a timeout that kills the whole
// group, stdin closed, output streamed to a callback as it arrives.
//
// Thread-safety: safe to call from several threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace paiplan::script {

struct ProcessRequest {
  std::vector<std::string> argv;            // argv[0] is a path or found on PATH
  std::string cwd;                          // empty: inherit
  std::map<std::string, std::string> env;   // added to (overriding) the inherited environment
  std::chrono::milliseconds timeout{600000};
  std::function<void(std::string_view chunk, bool is_stderr)> on_output;
};

struct ProcessResult {
  int exit_status = -1;   // exit code, or 128+signal when killed by a signal
  bool timed_out = false; // the group was killed (SIGTERM, then SIGKILL after a grace period)
  std::string output_tail;  // last ~4 KiB of stdout+stderr, interleaved
};

// Fails only when the process cannot be started (IOError/NotFound).
// A non-zero exit or a timeout is a ProcessResult, not an error.
Result<ProcessResult> RunProcess(const ProcessRequest& request);

}  // namespace paiplan::script
