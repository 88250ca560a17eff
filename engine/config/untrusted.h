// The trust boundary of a workspace (docs/security.md).
//
// A workspace may come from a pull request whose author is not trusted
// (`paiplan plan` in CI). Under `--untrusted-workspace` or
// PAIPLAN_UNTRUSTED_WORKSPACE=1, the settings that choose credentials or
// where paiplan reads and writes outside the workspace are the operator's
// alone: what the workspace says about them is ignored, with a warning.
//
// Thread-safety: stateless functions.
#pragma once

#include <string>

#include "engine/base/diagnostics.h"
#include "engine/config/workspace.h"

namespace paiplan::config {

// True when PAIPLAN_UNTRUSTED_WORKSPACE is set to anything but "", "0",
// "false" or "no".
bool UntrustedFromEnvironment();

// Resets the operator-only settings of `ws` to their defaults (kubeconfig
// files and context, state backend and location, ssh identity, known_hosts
// and strict-host-keys, per-machine keyfile-path, service paths outside the
// workspace and the built-in catalogue) and warns once per ignored setting,
// naming it. `builtin_dir` is the built-in catalogue. Never fails.
void ApplyUntrustedPolicy(Workspace* ws, const std::string& builtin_dir, Diagnostics* diags);

}  // namespace paiplan::config
