#include "engine/cli/cli.h"

#include <CLI/CLI.hpp>

#include "engine/base/duration.h"
#include "engine/cli/commands.h"
#include "engine/config/untrusted.h"
#include "engine/cli/version.h"
#include "engine/config/home.h"
#include "engine/cli/review_output.h"

namespace paiplan::cli {
namespace {

void AddTargets(CLI::App* cmd, std::vector<std::string>* targets, std::vector<std::string>* excludes) {
  cmd->add_option("--target", *targets, "Only this resource and what it needs (repeatable)");
  if (excludes) cmd->add_option("--exclude", *excludes, "Not this resource nor what depends on it (repeatable)");
}

// `paiplan 0.1.0` first (scripts read that line), then the commit when built
// from git, then where the catalogue is found.
std::string VersionText() {
  std::string text = std::string("paiplan ") + VersionString();
  if (*BuildCommit()) text += std::string("\ncommit ") + BuildCommit();
  text += "\nhome " + config::PaiplanHome() + " (from " + config::PaiplanHomeSource() + ")";
  return text;
}

// --parallelism N, 1 to 100000, shown as "N" in help (not CLI11's "INT:INT in [1 - 100000]").
template <typename T>
void AddParallelism(CLI::App* cmd, T* value) {
  cmd->add_option("--parallelism", *value, "Actions at once, 1 to 100000 (default 10)")
      ->type_name("N")
      ->check(CLI::Validator(CLI::Range(1, 100000)).description(""));
}

void AddMaxUnavailable(CLI::App* cmd, std::string* value) {
  cmd->add_option("--max-unavailable", *value,
                  "Node replacements roll in batches of at most this many machines of a role: a count (5) or a "
                  "percentage of the role's machines (25%) (default: paiplan.yaml rolling.max-unavailable, else 25%)")
      ->type_name("N|P%");
}

void AddReplace(CLI::App* cmd, std::vector<std::string>* replace) {
  cmd->add_option("--replace", *replace, "Replace this resource although it is unchanged (re-bootstrap a node, "
                                         "stop and start a service), and update what depends on it (repeatable)");
}

constexpr const char* kRequireAllHelp =
    "All or nothing: a resource that cannot be observed stops the run (default: it is left out with what "
    "needs it, the rest goes on, exit status 1)";

CLI::Validator DurationValidator() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        return ParseDuration(v) ? "" : "\"" + v + "\" is not a duration; write e.g. 30s, 5m, 1h or 1m30s";
      },
      "");
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"paiplan: plan and apply an OpenPAI-style cluster from its workspace"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::function<std::string()>(VersionText),
                       "Print the version, the git commit and the catalogue's home, then exit");
  app.fallthrough();
  GlobalOptions g;
  app.add_option("-C", g.dir, "Workspace directory (default: current directory)");
  app.add_flag("--no-color", g.no_color, "Disable colour (NO_COLOR is honoured too)");
  app.add_flag("--json", g.json, "Machine-readable JSON output");
  app.add_flag("--allow-missing", g.allow_missing, "Undefined prerequisites are warnings, not errors");
  app.add_flag("--untrusted-workspace", g.untrusted,
               "The workspace may be hostile (CI on pull requests): ignore the credentials and locations it "
               "chooses, refuse plain-http API servers, run no scripts (also PAIPLAN_UNTRUSTED_WORKSPACE=1)");
  app.add_option("--lock-timeout", g.lock_timeout,
                 "How long commands that take the state lock (apply, destroy, import, state rm/push) "
                 "wait for it, e.g. 30s, 5m (default: paiplan.yaml lock-timeout, else 0: fail at once)")
      ->type_name("DURATION")
      ->check(DurationValidator());
  app.add_flag("--strict-templates", g.strict_templates,
               "An undefined {{ value }} in a template is an error, not a warning (paiplan.yaml: templates: {strict: true})");

  auto* init = app.add_subcommand("init", "Create .paiplan/, check the workspace and the tools it needs");
  auto* validate = app.add_subcommand("validate", "Parse and check the workspace; no network");

  PlanArgs pa;
  auto* plan = app.add_subcommand("plan", "Show what apply would change");
  plan->add_option("-o,--out", pa.out_file, "Save the plan to FILE for `paiplan apply FILE`");
  plan->add_flag("--detailed-exitcode", pa.detailed_exitcode, "Exit 2 when there are changes");
  plan->add_option("--refresh", pa.refresh, "Observe nodes and the API (default true)");
  plan->add_flag("--require-all", pa.require_all, kRequireAllHelp);
  AddMaxUnavailable(plan, &pa.max_unavailable);
  AddTargets(plan, &pa.targets, &pa.excludes);
  AddReplace(plan, &pa.replace);
  plan->add_flag("--destroy", pa.destroy, "Plan to destroy everything paiplan manages (or the --target resources), "
                                          "to review and save with -o FILE, then `paiplan apply FILE`");
  plan->add_flag("--purge", pa.purge, "With --destroy: run delete-scripts (destroys data) instead of stop-scripts");
  plan->add_option("--format", pa.format, "text (default), json, markdown (pull-request comment) or html (page)")
      ->type_name("FORMAT")
      ->check(CLI::Validator(CLI::IsMember({"text", "json", "markdown", "html"})).description(""));

  ApplyArgs aa;
  auto* apply = app.add_subcommand("apply", "Execute a saved plan, or plan and execute after approval");
  apply->add_option("plan_file", aa.plan_file, "A plan saved with `paiplan plan -o FILE`");
  apply->add_flag("--auto-approve", aa.auto_approve, "Do not ask for approval");
  AddParallelism(apply, &aa.parallelism);
  // Two plain flags (not CLI11's "--a,!--no-a", whose help shows "{false}").
  bool no_keep_going = false;
  apply->add_flag("--keep-going", aa.keep_going,
                  "After a failure, go on with the branches that do not depend on it (the default)");
  apply->add_flag("--no-keep-going", no_keep_going, "Start nothing new once an action failed");
  apply->add_flag("--refresh-only", aa.refresh_only, "Accept observed reality into the state");
  apply->add_flag("--force-conflicts", aa.force_conflicts,
                  "Server-side apply takes Kubernetes object fields that other field managers own");
  apply->add_flag("--require-all", aa.require_all, kRequireAllHelp);
  AddMaxUnavailable(apply, &aa.max_unavailable);
  AddTargets(apply, &aa.targets, &aa.excludes);
  AddReplace(apply, &aa.replace);

  ApplyArgs da;
  da.destroy = true;
  auto* destroy = app.add_subcommand("destroy", "Stop every service and clean every node paiplan manages "
                                                  "(to review it first: paiplan plan --destroy -o FILE, then paiplan apply FILE)");
  destroy->add_flag("--auto-approve", da.auto_approve, "Do not ask for approval");
  destroy->add_flag("--purge", da.purge, "Run delete-scripts (destroys data) instead of stop-scripts; with --target, "
                                        "only the targets' (their dependents are stopped)");
  destroy->add_flag("--require-all", da.require_all, kRequireAllHelp);
  AddParallelism(destroy, &da.parallelism);
  destroy->add_option("--target", da.targets, "Only this resource and what depends on it, which is destroyed first (repeatable)");

  std::string junit;
  auto* drift = app.add_subcommand("drift", "Observed vs recorded state: exit 0 none, 2 drift, 1 error");
  drift->add_option("--junit", junit, "Also write a JUnit XML report to FILE");

  std::string show_file;
  auto* show = app.add_subcommand("show", "Show a saved plan, or the state");
  show->add_option("file", show_file, "A saved plan file");
  std::string show_format;
  show->add_option("--format", show_format, "text (default), json, markdown (pull-request comment) or html (page)")
      ->type_name("FORMAT")
      ->check(CLI::Validator(CLI::IsMember({"text", "json", "markdown", "html"})).description(""));

  std::string plan_file;
  auto* graph = app.add_subcommand("graph", "Print the resource DAG as Graphviz DOT");
  graph->add_option("--plan", plan_file, "Draw the actions of a saved plan");

  std::string tmpl_path, ctx_file;
  auto* render = app.add_subcommand("render", "Render one template to stdout");
  render->add_option("template", tmpl_path, "Template file")->required();
  render->add_option("--context", ctx_file, "JSON context (default: the workspace's cluster_cfg)");
  bool render_sensitive = false;
  render->add_flag("--show-sensitive", render_sensitive,
                   "DANGEROUS: print the values of sensitive keys in clear (masked by default)");

  auto* state = app.add_subcommand("state", "Inspect or edit the recorded state");
  state->require_subcommand(1);
  auto* st_list = state->add_subcommand("list", "Addresses in the state");
  std::string st_addr;
  auto* st_show = state->add_subcommand("show", "One resource's record");
  st_show->add_option("address", st_addr, "A resource address, e.g. service.web (see `paiplan state list`)")->required();
  std::vector<std::string> rm_addrs;
  auto* st_rm = state->add_subcommand("rm", "Forget resources (nothing on the cluster is touched)");
  st_rm->add_option("address", rm_addrs, "Resource addresses to forget (one or more)")->required();
  std::string mv_src, mv_dst;
  auto* st_mv = state->add_subcommand("mv", "Record SRC's object as DST (a renamed machine or service is adopted, "
                                             "not destroyed and created; nothing on the cluster is touched)");
  st_mv->add_option("source", mv_src, "Address in the state (e.g. node.old-name)")->required();
  st_mv->add_option("destination", mv_dst, "New address of the same kind, not in the state (e.g. node.new-name)")->required();
  auto* st_pull = state->add_subcommand("pull", "The whole state as JSON on stdout (sensitive values masked)");
  bool show_sensitive = false;
  st_pull->add_flag("--show-sensitive", show_sensitive,
                    "DANGEROUS: print sensitive values in clear (for a backup to push back; an encrypted state "
                    "needs its key for that); keep the output private");
  std::string new_key_file;
  auto* st_rekey = state->add_subcommand("rekey", "Re-encrypt the state with a new key (key rotation)");
  st_rekey->add_option("--new-key-file", new_key_file, "The new key: 64 hex digits (openssl rand -hex 32)")
      ->required();
  size_t history_last = 20;
  auto* st_history = state->add_subcommand("history", "The last applies: id, operation, who, when, outcomes");
  st_history->add_option("-n,--last", history_last, "How many (default 20)");
  std::string push_file;
  bool push_force = false;
  auto* st_push = state->add_subcommand("push", "Replace the state with a JSON document");
  st_push->add_option("file", push_file, "A JSON document made by `paiplan state pull`")->required();
  st_push->add_flag("--force", push_force, "Allow a serial that is not newer");

  std::string import_addr;
  auto* import = app.add_subcommand("import", "Adopt an existing object into the state");
  import->add_option("address", import_addr,
                     "The resource to adopt, e.g. label.node1 or service.web (see `paiplan graph`); it is "
                     "observed first and adopted only if it exists and is healthy")->required();
  std::string out_addr, out_key;
  bool out_show = false;
  auto* output = app.add_subcommand("output", "Outputs published by scripts ($PAIPLAN_OUTPUTS), as terraform output");
  output->add_option("address", out_addr, "Only this resource's outputs (node.HOST, service.NAME)");
  output->add_option("key", out_key, "Only this output's value");
  output->add_flag("--show-sensitive", out_show, "Print sensitive values instead of (sensitive)");
  std::string lock_id;
  auto* unlock = app.add_subcommand("force-unlock", "Remove a state lock taken from another host (a dead local holder's lock is released by the kernel)");
  unlock->add_option("lock_id", lock_id,
                     "The lock's id, as printed by the command that found the state locked")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  }
  g.untrusted = g.untrusted || config::UntrustedFromEnvironment();
  if (g.untrusted && (apply->parsed() || destroy->parsed() || import->parsed())) {
    PrintError(g, "an untrusted workspace (--untrusted-workspace or PAIPLAN_UNTRUSTED_WORKSPACE) can be validated "
                  "and planned, not applied: apply runs its scripts; review the plan, then apply from a trusted checkout");
    return kExitError;
  }
  if (init->parsed()) return CmdInit(g);
  if (validate->parsed()) return CmdValidate(g);
  if (plan->parsed()) return CmdPlan(g, pa);
  if (no_keep_going) aa.keep_going = false;
  if (apply->parsed()) return CmdApply(g, aa);
  if (destroy->parsed()) return CmdApply(g, da);
  if (drift->parsed()) return CmdDrift(g, junit);
  if (show->parsed()) return show_format.empty() ? CmdShow(g, show_file) : CmdShowFormat(g, show_file, show_format);
  if (graph->parsed()) return CmdGraph(g, plan_file);
  if (render->parsed()) return CmdRender(g, tmpl_path, ctx_file, render_sensitive);
  if (st_list->parsed()) return CmdStateList(g);
  if (st_show->parsed()) return CmdStateShow(g, st_addr);
  if (st_rm->parsed()) return CmdStateRm(g, rm_addrs);
  if (st_mv->parsed()) return CmdStateMv(g, mv_src, mv_dst);
  if (st_pull->parsed()) return CmdStatePull(g, show_sensitive);
  if (st_rekey->parsed()) return CmdStateRekey(g, new_key_file);
  if (st_history->parsed()) return CmdStateHistory(g, history_last);
  if (st_push->parsed()) return CmdStatePush(g, push_file, push_force);
  if (import->parsed()) return CmdImport(g, import_addr);
  if (unlock->parsed()) return CmdForceUnlock(g, lock_id);
  if (output->parsed()) return CmdOutput(g, out_addr, out_key, out_show);
  return kExitError;
}

}  // namespace paiplan::cli
