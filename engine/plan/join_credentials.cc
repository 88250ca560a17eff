#include "engine/plan/join_credentials.h"

#include <cctype>
#include <chrono>

#include "engine/base/fs.h"

namespace paiplan::plan {
namespace {

constexpr char kScript[] = "join-credentials.sh";

std::string ScriptPath(const config::Workspace& ws) { return fs::Join(fs::Join(ws.roles_dir, "master"), kScript); }

}  // namespace

bool IsJoinedCluster(const config::Workspace& ws) { return fs::Exists(ScriptPath(ws)); }

const config::Machine* FirstMaster(const config::Workspace& ws) {
  for (const auto& m : ws.machines) {
    if (m.role == "master") return &m;
  }
  return nullptr;
}

std::string JoinEnvName(const std::string& key) {
  std::string name = "PAIPLAN_JOIN_";
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    name += std::isalnum(u) ? char(std::toupper(u)) : '_';
  }
  return name;
}

Result<providers::ExecResult> RunInStaging(const Env& env, providers::Transport* t, const config::Machine& on,
                                           const std::string& script, const std::map<std::string, std::string>& extra,
                                           ApplyContext& ctx) {
  providers::ExecRequest req;
  req.command = "bash ./" + script;
  req.cwd = fs::Join(env.ws->settings.node_state_dir, "staging");
  req.env = env.ws->settings.node_env;
  req.env["PAIPLAN_HOSTNAME"] = on.hostname;
  req.env["PAIPLAN_ROLE"] = on.role;
  req.env["PAIPLAN_HOSTIP"] = on.hostip;
  for (const auto& [k, v] : extra) req.env[k] = v;
  req.timeout = std::chrono::milliseconds(int64_t(env.ws->settings.ssh_command_timeout * 1000));
  req.on_output = [&](std::string_view chunk, bool) { ctx.log(chunk); };
  return t->Exec(req);
}

JoinCredentials::JoinCredentials(const Env& env) : env_(env), joined_(IsJoinedCluster(*env.ws)) {}

bool JoinCredentials::NeedsCredentials(const config::Machine& m) const {
  if (!joined_ || m.role == "proxy") return false;
  const config::Machine* first = FirstMaster(*env_.ws);
  return first && first->hostname != m.hostname;
}

Result<OutputValues> JoinCredentials::Mint(const config::Machine& m, ApplyContext& ctx) {
  PP_ASSIGN_OR_RETURN(std::string script, fs::ReadFile(ScriptPath(*env_.ws)));
  std::string failures;
  for (const auto& master : env_.ws->machines) {
    if (master.role != "master" || master.hostname == m.hostname) continue;
    ctx.log("# minting join credentials for " + m.hostname + " on master " + master.hostname + "\n");
    auto creds = MintOn(master, m, script, ctx);
    if (creds) return creds;
    failures += "\n  " + master.hostname + ": " + creds.error().message();
  }
  return Err(Status::FailedPrecondition("no master could mint join credentials for " + m.hostname + ":" +
                                        (failures.empty() ? std::string(" there is no other master") : failures) +
                                        "\nbootstrap a master first (it comes first in the plan), or repair it"));
}

Result<OutputValues> JoinCredentials::MintOn(const config::Machine& master, const config::Machine& m,
                                             const std::string& script, ApplyContext& ctx) {
  PP_ASSIGN_OR_RETURN(auto* t, env_.transport(master));
  std::string staging = fs::Join(env_.ws->settings.node_state_dir, "staging");
  std::string out = fs::Join(staging, "join-" + m.hostname + ".env");
  {
    // Uploaded once per master and run; mints for different machines may
    // run at the same time (each writes its own file).
    std::lock_guard<std::mutex> l(mu_);
    if (uploaded_.insert(master.hostname).second) {
      Status up = t->Upload(fs::Join(staging, kScript), script, 0755);
      if (!up.ok()) {
        uploaded_.erase(master.hostname);
        return Err(up);
      }
    }
  }
  PP_RETURN_IF_ERROR_R(t->RemoveFile(out));
  auto res = RunInStaging(env_, t, master, kScript,
                          {{"PAIPLAN_JOIN_FOR", m.hostname}, {"PAIPLAN_JOIN_ROLE", m.role}, {"PAIPLAN_OUTPUTS", out}}, ctx);
  if (!res) return Err(res.error());
  auto text = t->ReadFile(out);
  (void)t->RemoveFile(out);  // credentials do not stay on the master's disk
  if (res->exit_status != 0) {
    std::string tail = res->stderr_tail.empty() ? res->stdout_tail : res->stderr_tail;
    return Err(Status::FailedPrecondition(std::string(kScript) + " exited with status " +
                                          std::to_string(res->exit_status) + "; last output: " + tail));
  }
  if (!text) return Err(text.error());
  if (!text->has_value() || (*text)->empty()) {
    return Err(Status::FailedPrecondition(std::string(kScript) + " wrote no credentials to $PAIPLAN_OUTPUTS"));
  }
  PP_ASSIGN_OR_RETURN(OutputValues v, ParseOutputs(**text, std::string(kScript) + " on " + master.hostname));
  ctx.log("# minted " + std::to_string(v.size()) + " credential(s) on " + master.hostname + " (not recorded)\n");
  return v;
}

}  // namespace paiplan::plan
