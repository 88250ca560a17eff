// The plan as reviewers read it: what the Markdown comment and the HTML page
// are both made of. Each changing action becomes a ReviewItem (address, kind,
// service, reason, dependencies and a diff in unified-diff form with every
// secret masked); the summary counts adds, changes and destroys per kind.
//
// Pure functions over a Plan value; nothing here touches files or processes.
// Thread-safety: values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/plan/model.h"

namespace paiplan::plan {

struct ReviewItem {
  std::string address;
  std::string kind;     // "node", "render", ... (graph::KindName)
  std::string action;   // "create", "update", "replace", "delete"
  std::string symbol;   // "+", "~", "-/+", "-"
  std::string service;  // the service of render.S/F and service.S, else ""
  std::string anchor;   // "a-" + the address with every character outside [A-Za-z0-9_-] as "-XX" hex
  std::string reason;   // masked
  std::vector<std::string> notes;       // masked
  std::vector<std::string> depends_on;  // addresses
  std::string diff;     // unified diff of a rendered file, or "+ path = v" / "- path = v" lines; masked
};

// Adds, changes and destroys of one kind (a replace counts as one add and one
// destroy, as in the summary line).
struct KindCounts {
  int add = 0, change = 0, destroy = 0;
};

struct Review {
  std::string summary_line;                // SummaryLine(plan)
  std::map<std::string, KindCounts> kinds;  // by kind name, only kinds with changes
  KindCounts total;
  std::vector<ReviewItem> items;           // changing actions, in the plan's (address) order
  std::vector<std::string> warnings, errors;  // masked
};

// Builds the review of `plan`, masking every value in `secrets` and every
// attribute under a sensitive key. A render action without a diff (create)
// gets its whole content as added lines; a delete of a render gets its
// recorded attributes. Never fails.
Review MakeReview(const Plan& plan, const std::vector<std::string>& secrets);

// The anchor id of an address (HTML ids and Markdown links): stable, unique
// per address, only [A-Za-z0-9_-].
std::string AnchorOf(const std::string& address);

// The service an address belongs to: S for render.S/F, service.S and
// object.S/...; "" for node, label and config.
std::string ServiceOfAddress(const std::string& address);

// Every secret a saved plan holds exact values of: the values under
// sensitive keys of every action's before and after.
std::vector<std::string> PlanSecrets(const Plan& plan);

}  // namespace paiplan::plan
