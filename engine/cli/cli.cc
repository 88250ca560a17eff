#include "engine/cli/cli.h"

#include <CLI/CLI.hpp>

#include "engine/cli/commands.h"

namespace paiplan::cli {

int RunCli(int argc, char** argv) {
  CLI::App app{"paiplan: plan and apply an OpenPAI-style cluster from its workspace"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions g;
  app.add_option("-C", g.dir, "Workspace directory (default: current directory)");
  app.add_flag("--no-color", g.no_color, "Disable colour (NO_COLOR is honoured too)");
  app.add_flag("--json", g.json, "Machine-readable JSON output");
  app.add_flag("--allow-missing", g.allow_missing, "Undefined prerequisites are warnings, not errors");

  auto* validate = app.add_subcommand("validate", "Parse and check the workspace; no network");
  std::string plan_file;
  auto* graph = app.add_subcommand("graph", "Print the resource DAG as Graphviz DOT");
  graph->add_option("--plan", plan_file, "Draw the actions of a saved plan");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  }
  if (validate->parsed()) return CmdValidate(g);
  if (graph->parsed()) return CmdGraph(g, plan_file);
  return kExitError;
}

}  // namespace paiplan::cli
