// RunProcess: run a local command (service scripts, local-transport role
// scripts) in its own process group, with a timeout that kills the whole
// group, stdin closed, output streamed to a callback as it arrives.
//
// How it works: posix_spawn with POSIX_SPAWN_SETPGROUP (the child leads a new
// process group), stdin = /dev/null, stdout/stderr = two pipes read with
// poll(). Every descriptor we create is O_CLOEXEC and every descriptor >= 3 is
// closed in the child, so concurrent calls never leak pipes into each other's
// children (a leaked write end would keep a pipe open forever).
//
// Exit of the direct child: its remaining output is drained until both pipes
// reach EOF, or for at most `drain_grace` once the child has exited (a
// background process that kept the pipes open is not waited for, and is not
// killed: a script may start a daemon on purpose; it should redirect the
// daemon's output).
//
// Timeout: SIGTERM to the whole group, then SIGKILL to the group after
// `kill_grace` if any member is still alive; timed_out = true. The leader is
// reaped only at the end, so its pid (= the group id) cannot be reused while
// we still signal the group. No zombie of ours is left behind.
//
// A paiplan killed with SIGKILL: a running group is killed by the orphan
// guard when one was started (orphan_guard.h).
//
// Thread-safety: safe to call from several threads at once. on_output is
// called on the calling thread, never concurrently for one call.
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
  // Time between SIGTERM and SIGKILL on timeout.
  std::chrono::milliseconds kill_grace{2000};
  // How long to keep reading after the child exited while pipes stay open.
  std::chrono::milliseconds drain_grace{2000};
};

struct ProcessResult {
  int exit_status = -1;   // exit code, or 128+signal when killed by a signal
  bool timed_out = false; // the group was killed (SIGTERM, then SIGKILL after a grace period)
  std::string output_tail;  // last ~4 KiB of stdout+stderr, interleaved
};

// Size of ProcessResult::output_tail at most.
inline constexpr size_t kOutputTailBytes = 4096;

// Fails only when the process cannot be started: InvalidArgument (empty
// argv), NotFound (program not found on PATH / cwd missing), IOError (pipe,
// spawn or poll failure). A non-zero exit or a timeout is a ProcessResult,
// not an error.
Result<ProcessResult> RunProcess(const ProcessRequest& request);

// Runs `/bin/bash <script_path> [args...]` with the cwd, env, timeout and
// callback of `request` (whose argv must be empty). A relative script_path is
// relative to request.cwd (when set), as bash will see it. Fails like RunProcess,
// plus NotFound when the script does not exist.
Result<ProcessResult> RunScript(const std::string& script_path, const std::vector<std::string>& args,
                                ProcessRequest request);

}  // namespace paiplan::script
