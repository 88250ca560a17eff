// The plan's three forms: text for people (Terraform's symbols and summary
// line), the documented JSON document (--json, see engine/plan/PLAN_FORMAT.md),
// and the saved plan file (-o FILE: the JSON document plus what apply needs).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/plan/model.h"

namespace paiplan::plan {

struct TextOptions {
  bool color = false;
  std::vector<std::string> secrets;  // values masked wherever they appear
  int max_failed_batches = 0;  // a rolling replacement halts after this many (0: not said)
};

// Prints the changing actions (sorted by address) with reasons and attribute
// diffs, then "Plan: A to add, C to change, D to destroy." (or "No changes.").
void PrintPlanText(const Plan& plan, const TextOptions& opt, std::ostream& out);
// "Plan: A to add, C to change, D to destroy."
std::string SummaryLine(const Plan& plan);
// The plan symbol of an action type: "+", "~", "-/+", "-" (" " for no-op).
const char* ActionSymbol(ActionType t);
// A quoted SHA-256 ("<64 hex>") shortened to 12 digits for people; any other
// value is returned unchanged. The JSON forms keep hashes whole.
std::string ShortHash(const std::string& v);

// The --json document. `with_content` adds render contents (plan files only).
nlohmann::ordered_json PlanToJson(const Plan& plan, bool with_content, const std::vector<std::string>& secrets);
// Parses a plan file; errors name `source`.
Result<Plan> PlanFromJson(const nlohmann::json& doc, const std::string& source);

Status SavePlanFile(const Plan& plan, const std::string& path);
Result<Plan> LoadPlanFile(const std::string& path);

}  // namespace paiplan::plan
