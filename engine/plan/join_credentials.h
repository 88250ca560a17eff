// Join credentials (docs/bootstrap.md, "Joining"): a machine that joins a
// cluster (every master but the first, every worker) gets credentials minted
// for it, when it joins, on a healthy master — never a token recorded in the
// state, which would have expired (a kubeadm token lives 24 h, the uploaded
// certificate key 2 h).
//
// A role package set whose master role ships `join-credentials.sh` forms a
// joined cluster. Before bootstrapping a joining machine, paiplan uploads
// that script to a master (the first master in layout.yaml order first, then
// the others) and runs it there with PAIPLAN_JOIN_FOR (the joining
// hostname), PAIPLAN_JOIN_ROLE and PAIPLAN_OUTPUTS; the key=value lines it
// writes reach the joining machine's bootstrap.sh as PAIPLAN_JOIN_<KEY>
// (upper-cased) and are never recorded, logged or printed. A master on which
// the script fails is skipped; when every master fails, the bootstrap fails
// naming each.
//
// Thread-safety: Mint may be called from several workers at once.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "engine/plan/env.h"
#include "engine/plan/outputs.h"

namespace paiplan::plan {

// The role packages' directory holds master/join-credentials.sh.
bool IsJoinedCluster(const config::Workspace& ws);
// The first master of layout.yaml's machine-list; null when none.
const config::Machine* FirstMaster(const config::Workspace& ws);
// "PAIPLAN_JOIN_" + the key upper-cased, other characters as '_'.
std::string JoinEnvName(const std::string& key);

// Runs `bash ./SCRIPT` in the staging folder of machine `on` (where its
// bootstrap left the role package, lib.sh included) through `t`, with the
// role scripts' environment (nodes.env, PAIPLAN_HOSTNAME/ROLE/HOSTIP) plus
// `extra`, output to the action's log, timeout ssh.command-timeout. Fails as
// Transport::Exec does; a non-zero exit is a result, not an error.
Result<providers::ExecResult> RunInStaging(const Env& env, providers::Transport* t, const config::Machine& on,
                                           const std::string& script, const std::map<std::string, std::string>& extra,
                                           ApplyContext& ctx);

class JoinCredentials {
 public:
  explicit JoinCredentials(const Env& env);
  // Whether `m` joins a cluster another machine created.
  bool NeedsCredentials(const config::Machine& m) const;
  // Fresh credentials for `m`. Fails (FailedPrecondition) when no master could
  // mint them, with each master's reason; or when the script wrote none.
  Result<OutputValues> Mint(const config::Machine& m, ApplyContext& ctx);

 private:
  Result<OutputValues> MintOn(const config::Machine& master, const config::Machine& m, const std::string& script,
                              ApplyContext& ctx);
  const Env& env_;
  bool joined_ = false;
  std::mutex mu_;
  std::set<std::string> uploaded_;  // masters that have the script (guarded by mu_)
};

}  // namespace paiplan::plan
