// examples/ci/: the drift workflows parse as YAML and say what their README
// promises (schedule, `paiplan drift --junit`, the report attached).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/drift/drift_fixture.h"

namespace paiplan::drift_test {
namespace {

using ::testing::HasSubstr;

// The file as JSON, through Python's yaml (Debian python3-yaml).
nlohmann::json LoadYaml(const std::string& name) {
  std::string path = std::string(PAIPLAN_TEST_DIR) + "/../examples/ci/" + name;
  CmdResult r = Shell("/usr/bin/python3 -c 'import json, sys, yaml; "
                "print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=str))' " + Quote(path));
  EXPECT_EQ(r.rc, 0) << r.all();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.all();
  return j.is_discarded() ? nlohmann::json::object() : j;
}

TEST(CiExamplesTest, GithubWorkflowRunsNightlyAndUploadsJunit) {
  auto j = LoadYaml("github-drift.yml");
  // YAML 1.1 reads the key `on` as true; GitHub reads it as "on".
  const auto& on = j.contains("true") ? j["true"] : j["on"];
  ASSERT_TRUE(on.contains("schedule")) << j.dump(2);
  EXPECT_FALSE(on["schedule"][0]["cron"].get<std::string>().empty());
  const auto& steps = j["jobs"]["drift"]["steps"];
  std::string runs, uses;
  for (const auto& s : steps) {
    if (s.contains("run")) runs += s["run"].get<std::string>();
    if (s.contains("uses")) uses += s["uses"].get<std::string>();
  }
  EXPECT_THAT(runs, HasSubstr("drift --junit drift.xml"));
  EXPECT_THAT(runs, HasSubstr("exit 2"));
  EXPECT_THAT(uses, HasSubstr("actions/upload-artifact"));
}

TEST(CiExamplesTest, GitlabJobRunsOnScheduleAndReportsJunit) {
  auto j = LoadYaml("gitlab-drift.yml");
  const auto& job = j["paiplan-drift"];
  ASSERT_TRUE(job.is_object()) << j.dump(2);
  EXPECT_EQ(job["rules"][0]["if"], "$CI_PIPELINE_SOURCE == \"schedule\"");
  EXPECT_EQ(job["artifacts"]["reports"]["junit"], "drift.xml");
  EXPECT_EQ(job["artifacts"]["when"], "always");
  EXPECT_THAT(job["script"][0].get<std::string>(), HasSubstr("drift --junit drift.xml"));
}

}  // namespace
}  // namespace paiplan::drift_test
