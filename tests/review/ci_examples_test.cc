// examples/ci: the GitHub Actions workflow and the GitLab CI pipeline are
// checked against JSON Schemas of the parts of those formats they use
// (tests/review/ci_schemas/, unknown keys are errors), for the flow the docs
// promise (plan -o on the review, one comment, artefacts with the plan file
// and its page, apply of exactly that file on merge), and every shell script
// in them is linted with shellcheck.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/config/yaml_doc.h"

namespace paiplan {
namespace {

const std::string kRoot = std::string(PAIPLAN_TEST_DIR) + "/../";

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

nlohmann::json LoadYaml(const std::string& rel) {
  Diagnostics diags;
  auto f = config::LoadYamlFile(kRoot + rel, rel, &diags);
  EXPECT_TRUE(f.has_value()) << rel << " does not parse";
  return f ? nlohmann::json::parse(f->value.dump()) : nlohmann::json();
}

// Schema errors as "path: description" lines; empty when valid.
std::string SchemaErrors(const nlohmann::json& doc, const std::string& schema_file) {
  nlohmann::json schema_doc = nlohmann::json::parse(Slurp(std::string(PAIPLAN_TEST_DIR) + "/review/ci_schemas/" + schema_file));
  valijson::Schema schema;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_doc);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  if (validator.validate(schema, target, &results)) return "";
  std::string out;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    std::string path;
    for (const auto& p : e.context) path += p;
    out += path + ": " + e.description + "\n";
  }
  return out.empty() ? "invalid" : out;
}

// Runs shellcheck on `script` (as `shell`); returns its complaints, "" when clean.
std::string ShellCheck(const std::string& script, const std::string& shell) {
  // A name of this process's own: ctest -j runs the tests of this binary in
  // parallel processes, which shared one file before (a flaky failure).
  std::string dir = ::testing::TempDir(), tag = std::to_string(::getpid());
  std::string file = dir + "/ci_script-" + tag + ".sh", out = dir + "/ci_shellcheck-" + tag + ".txt";
  std::ofstream(file) << script;
  int rc = std::system(("shellcheck -s " + shell + " '" + file + "' > '" + out + "' 2>&1").c_str());
  std::string complaints = rc == 0 ? "" : Slurp(out) + "\n--- script ---\n" + script;
  std::filesystem::remove(file);
  std::filesystem::remove(out);
  return complaints;
}

const nlohmann::json& Step(const nlohmann::json& job, const std::string& uses_prefix) {
  for (const auto& s : job["steps"])
    if (s.value("uses", "").starts_with(uses_prefix)) return s;
  static nlohmann::json none = nlohmann::json::object();
  ADD_FAILURE() << "no step uses " << uses_prefix;
  return none;
}

std::string RunText(const nlohmann::json& job) {
  std::string all;
  for (const auto& s : job["steps"]) all += s.value("run", "") + s.value("with", nlohmann::json::object()).value("script", "");
  return all;
}

TEST(CiExamplesTest, GitHubWorkflowMatchesTheSchema) {
  auto doc = LoadYaml("examples/ci/github/paiplan.yml");
  EXPECT_EQ(SchemaErrors(doc, "github-workflow.schema.json"), "");
}

TEST(CiExamplesTest, GitHubSchemaRejectsMistakes) {
  auto doc = LoadYaml("examples/ci/github/paiplan.yml");
  auto typo = doc;
  typo["jobs"]["plan"]["runs_on"] = typo["jobs"]["plan"]["runs-on"];
  typo["jobs"]["plan"].erase("runs-on");
  EXPECT_NE(SchemaErrors(typo, "github-workflow.schema.json"), "");
  auto both = doc;
  both["jobs"]["plan"]["steps"][0]["run"] = "echo";
  EXPECT_NE(SchemaErrors(both, "github-workflow.schema.json"), "");
  auto unpinned = doc;
  unpinned["jobs"]["plan"]["steps"][0]["uses"] = "actions/checkout";
  EXPECT_NE(SchemaErrors(unpinned, "github-workflow.schema.json"), "");
}

TEST(CiExamplesTest, GitHubPlansOnPullRequestsAndAppliesTheReviewedPlanOnMerge) {
  auto doc = LoadYaml("examples/ci/github/paiplan.yml");
  ASSERT_TRUE(doc.contains("jobs"));
  const auto& plan = doc["jobs"]["plan"];
  const auto& apply = doc["jobs"]["apply"];
  EXPECT_EQ(plan["if"], "github.event_name == 'pull_request'");
  EXPECT_EQ(apply["if"], "github.event_name == 'push'");
  std::string plan_run = RunText(plan);
  EXPECT_NE(plan_run.find("paiplan --no-color plan -o pr.plan --format markdown > plan.md"), std::string::npos);
  EXPECT_NE(plan_run.find("paiplan show pr.plan --format html > plan.html"), std::string::npos);
  // One comment, found again by its marker and updated.
  EXPECT_NE(plan_run.find("updateComment"), std::string::npos);
  EXPECT_NE(plan_run.find("createComment"), std::string::npos);
  EXPECT_NE(plan_run.find("<!-- paiplan-plan -->"), std::string::npos);
  std::string paths = Step(plan, "actions/upload-artifact@")["with"].value("path", "");
  for (const char* f : {"pr.plan", "plan.html", "plan.md"}) EXPECT_NE(paths.find(f), std::string::npos) << f;
  std::string name = Step(plan, "actions/upload-artifact@")["with"].value("name", "");
  EXPECT_EQ(name, "paiplan-plan-${{ github.event.pull_request.head.sha }}");
  std::string apply_run = RunText(apply);
  EXPECT_NE(apply_run.find("'paiplan-plan-' + pr.head.sha"), std::string::npos) << "apply fetches the reviewed artefact";
  EXPECT_NE(apply_run.find("paiplan --no-color apply pr.plan"), std::string::npos);
  EXPECT_EQ(apply_run.find("auto-approve"), std::string::npos) << "only a saved plan is applied";
  EXPECT_EQ(Step(apply, "actions/download-artifact@")["with"].value("run-id", ""), "${{ steps.find.outputs.run_id }}");
}

TEST(CiExamplesTest, GitHubRunScriptsPassShellcheck) {
  auto doc = LoadYaml("examples/ci/github/paiplan.yml");
  for (const auto& [name, job] : doc["jobs"].items())
    for (const auto& s : job["steps"])
      if (s.contains("run")) EXPECT_EQ(ShellCheck("#!/bin/bash\n" + s["run"].get<std::string>(), "bash"), "") << name;
}

TEST(CiExamplesTest, GitLabPipelineMatchesTheSchema) {
  auto doc = LoadYaml("examples/ci/gitlab/.gitlab-ci.yml");
  EXPECT_EQ(SchemaErrors(doc, "gitlab-ci.schema.json"), "");
  auto typo = doc;
  typo["paiplan-plan"]["artifact"] = typo["paiplan-plan"]["artifacts"];
  EXPECT_NE(SchemaErrors(typo, "gitlab-ci.schema.json"), "");
  auto bad_expiry = doc;
  bad_expiry["paiplan-plan"]["artifacts"]["expire_in"] = "two weeks";
  EXPECT_NE(SchemaErrors(bad_expiry, "gitlab-ci.schema.json"), "");
}

TEST(CiExamplesTest, GitLabPlansOnMergeRequestsAndAppliesTheReviewedPlanOnMerge) {
  auto doc = LoadYaml("examples/ci/gitlab/.gitlab-ci.yml");
  const auto& plan = doc["paiplan-plan"];
  const auto& apply = doc["paiplan-apply"];
  EXPECT_EQ(plan["rules"][0]["if"], "$CI_PIPELINE_SOURCE == \"merge_request_event\"");
  EXPECT_EQ(apply["rules"][0]["if"], "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == \"push\"");
  auto script = [](const nlohmann::json& job) {
    std::string s;
    for (const auto& l : job["script"]) s += l.get<std::string>() + "\n";
    return s;
  };
  std::string ps = script(plan), as = script(apply);
  EXPECT_NE(ps.find("paiplan --no-color plan -o pr.plan --format markdown > plan.md"), std::string::npos);
  EXPECT_NE(ps.find("paiplan show pr.plan --format html > plan.html"), std::string::npos);
  EXPECT_NE(ps.find("sh ci/paiplan-comment.sh plan.md"), std::string::npos);
  EXPECT_EQ(plan["artifacts"]["paths"], nlohmann::json({"pr.plan", "plan.html", "plan.md"}));
  EXPECT_NE(as.find("sh ci/paiplan-fetch-plan.sh pr.plan"), std::string::npos);
  EXPECT_NE(as.find("paiplan --no-color apply pr.plan"), std::string::npos);
  EXPECT_EQ(as.find("auto-approve"), std::string::npos);
  EXPECT_EQ(ShellCheck("#!/bin/sh\n" + ps, "sh"), "");
  EXPECT_EQ(ShellCheck("#!/bin/sh\n" + as, "sh"), "");
  // The helper scripts: the note is found by the marker the first line carries.
  std::string comment = Slurp(kRoot + "examples/ci/gitlab/paiplan-comment.sh");
  EXPECT_NE(comment.find("marker='<!-- paiplan-plan -->'"), std::string::npos);
  EXPECT_NE(comment.find("-X PUT"), std::string::npos);
  std::string fetch = Slurp(kRoot + "examples/ci/gitlab/paiplan-fetch-plan.sh");
  EXPECT_NE(fetch.find("select(.name == \"paiplan-plan\")"), std::string::npos);
  for (const char* f : {"paiplan-comment.sh", "paiplan-fetch-plan.sh"})
    EXPECT_EQ(ShellCheck(Slurp(kRoot + "examples/ci/gitlab/" + f), "sh"), "") << f;
}

}  // namespace
}  // namespace paiplan
