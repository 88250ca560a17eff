#include "engine/cli/cli.h"

#include <CLI/CLI.hpp>

#include "engine/cli/commands.h"
#include "engine/cli/review_output.h"

namespace paiplan::cli {
namespace {

void AddTargets(CLI::App* cmd, std::vector<std::string>* targets, std::vector<std::string>* excludes) {
  cmd->add_option("--target", *targets, "Only this resource and what it needs (repeatable)");
  if (excludes) cmd->add_option("--exclude", *excludes, "Not this resource nor what depends on it (repeatable)");
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"paiplan: plan and apply an OpenPAI-style cluster from its workspace"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions g;
  app.add_option("-C", g.dir, "Workspace directory (default: current directory)");
  app.add_flag("--no-color", g.no_color, "Disable colour (NO_COLOR is honoured too)");
  app.add_flag("--json", g.json, "Machine-readable JSON output");
  app.add_flag("--allow-missing", g.allow_missing, "Undefined prerequisites are warnings, not errors");

  auto* init = app.add_subcommand("init", "Create .paiplan/, check the workspace and the tools it needs");
  auto* validate = app.add_subcommand("validate", "Parse and check the workspace; no network");

  PlanArgs pa;
  auto* plan = app.add_subcommand("plan", "Show what apply would change");
  plan->add_option("-o,--out", pa.out_file, "Save the plan to FILE for `paiplan apply FILE`");
  plan->add_flag("--detailed-exitcode", pa.detailed_exitcode, "Exit 2 when there are changes");
  plan->add_option("--refresh", pa.refresh, "Observe nodes and the API (default true)");
  AddTargets(plan, &pa.targets, &pa.excludes);
  plan->add_option("--format", pa.format, "text (default), json, markdown (pull-request comment) or html (page)")
      ->check(CLI::IsMember({"text", "json", "markdown", "html"}));

  ApplyArgs aa;
  auto* apply = app.add_subcommand("apply", "Execute a saved plan, or plan and execute after approval");
  apply->add_option("plan_file", aa.plan_file, "A plan saved with `paiplan plan -o FILE`");
  apply->add_flag("--auto-approve", aa.auto_approve, "Do not ask for approval");
  apply->add_option("--parallelism", aa.parallelism, "Actions at once (default 10)")->check(CLI::Range(1, 100000));
  apply->add_flag("--keep-going,!--no-keep-going", aa.keep_going,
                  "After a failure, go on with the branches that do not depend on it (the default); "
                  "--no-keep-going starts nothing new once an action failed");
  apply->add_flag("--refresh-only", aa.refresh_only, "Accept observed reality into the state");
  AddTargets(apply, &aa.targets, &aa.excludes);

  ApplyArgs da;
  da.destroy = true;
  auto* destroy = app.add_subcommand("destroy", "Stop every service and clean every node paiplan manages");
  destroy->add_flag("--auto-approve", da.auto_approve, "Do not ask for approval");
  destroy->add_flag("--purge", da.purge, "Run delete-scripts (destroys data) instead of stop-scripts");
  destroy->add_option("--parallelism", da.parallelism, "Actions at once (default 10)")->check(CLI::Range(1, 100000));
  AddTargets(destroy, &da.targets, nullptr);

  std::string junit;
  auto* drift = app.add_subcommand("drift", "Observed vs recorded state: exit 0 none, 2 drift, 1 error");
  drift->add_option("--junit", junit, "Also write a JUnit XML report to FILE");

  std::string show_file;
  auto* show = app.add_subcommand("show", "Show a saved plan, or the state");
  show->add_option("file", show_file, "A saved plan file");
  std::string show_format;
  show->add_option("--format", show_format, "text (default), json, markdown (pull-request comment) or html (page)")
      ->check(CLI::IsMember({"text", "json", "markdown", "html"}));

  std::string plan_file;
  auto* graph = app.add_subcommand("graph", "Print the resource DAG as Graphviz DOT");
  graph->add_option("--plan", plan_file, "Draw the actions of a saved plan");

  std::string tmpl_path, ctx_file;
  auto* render = app.add_subcommand("render", "Render one template to stdout");
  render->add_option("template", tmpl_path, "Template file")->required();
  render->add_option("--context", ctx_file, "JSON context (default: the workspace's cluster_cfg)");

  auto* state = app.add_subcommand("state", "Inspect or edit the recorded state");
  state->require_subcommand(1);
  auto* st_list = state->add_subcommand("list", "Addresses in the state");
  std::string st_addr;
  auto* st_show = state->add_subcommand("show", "One resource's record");
  st_show->add_option("address", st_addr)->required();
  std::vector<std::string> rm_addrs;
  auto* st_rm = state->add_subcommand("rm", "Forget resources (nothing on the cluster is touched)");
  st_rm->add_option("address", rm_addrs)->required();
  auto* st_pull = state->add_subcommand("pull", "The whole state as JSON on stdout");
  size_t history_last = 20;
  auto* st_history = state->add_subcommand("history", "The last applies: id, operation, who, when, outcomes");
  st_history->add_option("-n,--last", history_last, "How many (default 20)");
  std::string push_file;
  bool push_force = false;
  auto* st_push = state->add_subcommand("push", "Replace the state with a JSON document");
  st_push->add_option("file", push_file)->required();
  st_push->add_flag("--force", push_force, "Allow a serial that is not newer");

  std::string import_addr;
  auto* import = app.add_subcommand("import", "Adopt an existing object into the state");
  import->add_option("address", import_addr)->required();
  std::string lock_id;
  auto* unlock = app.add_subcommand("force-unlock", "Remove a state lock left by a dead process");
  unlock->add_option("lock_id", lock_id)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  }
  if (init->parsed()) return CmdInit(g);
  if (validate->parsed()) return CmdValidate(g);
  if (plan->parsed()) return CmdPlan(g, pa);
  if (apply->parsed()) return CmdApply(g, aa);
  if (destroy->parsed()) return CmdApply(g, da);
  if (drift->parsed()) return CmdDrift(g, junit);
  if (show->parsed()) return show_format.empty() ? CmdShow(g, show_file) : CmdShowFormat(g, show_file, show_format);
  if (graph->parsed()) return CmdGraph(g, plan_file);
  if (render->parsed()) return CmdRender(g, tmpl_path, ctx_file);
  if (st_list->parsed()) return CmdStateList(g);
  if (st_show->parsed()) return CmdStateShow(g, st_addr);
  if (st_rm->parsed()) return CmdStateRm(g, rm_addrs);
  if (st_pull->parsed()) return CmdStatePull(g);
  if (st_history->parsed()) return CmdStateHistory(g, history_last);
  if (st_push->parsed()) return CmdStatePush(g, push_file, push_force);
  if (import->parsed()) return CmdImport(g, import_addr);
  if (unlock->parsed()) return CmdForceUnlock(g, lock_id);
  return kExitError;
}

}  // namespace paiplan::cli
