// The steps plan, apply, destroy and drift share: load the workspace and
// the runtime, read the state, make the plan, take the lock.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/cli/common.h"
#include "engine/cli/runtime.h"
#include "engine/plan/model.h"
#include "engine/plan/planner.h"

namespace paiplan::cli {

struct PlanArgs {
  std::string out_file;
  bool detailed_exitcode = false;
  std::vector<std::string> targets, excludes;
  bool refresh = true;
  bool refresh_only = false;
  std::vector<std::string> replace;  // --replace ADDR...
  bool destroy = false;              // --destroy: a destroy plan
  bool purge = false;                // --purge (with --destroy)
  bool require_all = false;  // --require-all: an unobserved resource stops the plan
  std::string max_unavailable;  // --max-unavailable: "" = paiplan.yaml rolling.max-unavailable
  std::string format;  // "", text, json, markdown, html (engine/cli/review_output.h)
};

struct ApplyArgs {
  std::string plan_file;
  bool auto_approve = false;
  int parallelism = 0;  // 0: paiplan.yaml or 10
  std::vector<std::string> targets, excludes;
  bool keep_going = true;
  bool refresh_only = false;
  bool destroy = false;
  bool purge = false;
  std::vector<std::string> replace;  // --replace ADDR...
  bool force_conflicts = false;  // object.*: take fields other field managers own
  bool require_all = false;  // --require-all: an unobserved resource stops the apply
  std::string max_unavailable;  // --max-unavailable: "" = paiplan.yaml rolling.max-unavailable
};

// Everything a command needs once the workspace is loaded.
struct Session {
  std::optional<config::Workspace> ws;
  std::unique_ptr<Runtime> rt;
  plan::Handlers handlers;
  std::unique_ptr<state::StateStore> store;  // null when no state exists yet (plan only)
  state::Snapshot snapshot;
};

// Loads workspace + runtime + desired state, and reads the state snapshot
// (creating the store only when `create_state`). Prints problems; nullopt on error.
std::unique_ptr<Session> OpenSession(const GlobalOptions& g, bool create_state);

// Sets opt->max_unavailable from the --max-unavailable flag (when given) or
// paiplan.yaml's rolling.max-unavailable. Prints the error and returns false
// when the value is not a count or a percentage.
bool SetMaxUnavailable(const GlobalOptions& g, const std::string& flag, const config::Workspace& ws,
                       plan::PlanOptions* opt);

// Makes the plan for `operation` and fills workspace hash, render diffs, times.
plan::Plan BuildPlan(const GlobalOptions& g, Session& s, const plan::PlanOptions& opt, Diagnostics* diags,
                     std::map<std::string, plan::Observation>* observed = nullptr);

// Prints the plan as text (or JSON with --json) to stdout.
void ShowPlan(const GlobalOptions& g, const Session& s, const plan::Plan& p);

int CmdPlan(const GlobalOptions& g, const PlanArgs& args);
int CmdApply(const GlobalOptions& g, const ApplyArgs& args);

}  // namespace paiplan::cli
