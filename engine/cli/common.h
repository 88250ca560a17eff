// Pieces every command shares: global options, workspace loading with
// diagnostics printed, colour decisions, Kubernetes detection.
#pragma once

#include <iostream>
#include <optional>
#include <string>

#include "engine/base/diagnostics.h"
#include "engine/config/workspace.h"

namespace paiplan::cli {

struct GlobalOptions {
  std::string dir = ".";
  bool no_color = false;
  bool json = false;
  bool allow_missing = false;
  // --untrusted-workspace or PAIPLAN_UNTRUSTED_WORKSPACE=1 (docs/security.md).
  bool untrusted = false;
  std::string lock_timeout;  // --lock-timeout DURATION; empty: paiplan.yaml lock-timeout, else 0
  bool strict_templates = false;  // --strict-templates
};

// Exit codes (docs/cli.md).
constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitChanges = 2;
constexpr int kExitInterrupted = 130;

// Colour on stdout only for a TTY, without --no-color and NO_COLOR.
bool UseColor(const GlobalOptions& g, int fd = 1);

// Loads the workspace; prints diagnostics (errors and warnings) to stderr.
// nullopt when there were errors.
std::optional<config::Workspace> LoadWorkspaceOrReport(const GlobalOptions& g, Diagnostics* diags);

// Kubernetes is managed when paiplan.yaml has `kubernetes:` (and not
// enabled: false), or KUBECONFIG is set, or ~/.kube/config exists.
// `why` receives a sentence for the warning printed when it is not; it is
// empty when kubernetes.enabled is false (a choice, not worth a warning).
bool KubernetesConfigured(const config::Workspace& ws, std::string* why);

// Prints diagnostics to stderr (errors and warnings) with colour if stderr is a TTY.
void PrintDiagnostics(const GlobalOptions& g, Diagnostics* diags);

// "error: MESSAGE" to stderr.
void PrintError(const GlobalOptions& g, const std::string& message);
// "warning: MESSAGE" on stderr (yellow on a TTY): a problem that does not fail the command.
void PrintWarning(const GlobalOptions& g, const std::string& message);

}  // namespace paiplan::cli
