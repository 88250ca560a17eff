// One function per command; each returns the process exit code.
#include "engine/cli/plan_flow.h"
#pragma once

#include <string>
#include <vector>

#include "engine/cli/common.h"

namespace paiplan::cli {

int CmdValidate(const GlobalOptions& g);
int CmdGraph(const GlobalOptions& g, const std::string& plan_file);
int CmdDrift(const GlobalOptions& g, const std::string& junit);
int CmdStateList(const GlobalOptions& g);
int CmdStateShow(const GlobalOptions& g, const std::string& addr);
int CmdStateRm(const GlobalOptions& g, const std::vector<std::string>& addrs);
int CmdStateMv(const GlobalOptions& g, const std::string& src, const std::string& dst);
// Sensitive values print as (sensitive) unless `show_sensitive` (and, for an
// encrypted state, the key is configured).
int CmdStatePull(const GlobalOptions& g, bool show_sensitive);
// Reseals every record of the state with the key in `new_key_file`
// (docs/state-encryption.md); needs the current key when the state is encrypted.
int CmdStateRekey(const GlobalOptions& g, const std::string& new_key_file);
int CmdStateHistory(const GlobalOptions& g, size_t last);
int CmdStatePush(const GlobalOptions& g, const std::string& file, bool force);
int CmdForceUnlock(const GlobalOptions& g, const std::string& id);
int CmdShow(const GlobalOptions& g, const std::string& file);
int CmdInit(const GlobalOptions& g);
int CmdRender(const GlobalOptions& g, const std::string& tmpl_path, const std::string& context_file);
// Secrets in the context are masked in the output unless `show_sensitive`.
int CmdRender(const GlobalOptions& g, const std::string& tmpl_path, const std::string& context_file,
              bool show_sensitive);
int CmdImport(const GlobalOptions& g, const std::string& address);
// `output [ADDR [KEY]]` (cmd_output.cc).
int CmdOutput(const GlobalOptions& g, const std::string& address, const std::string& key, bool show_sensitive);

}  // namespace paiplan::cli
