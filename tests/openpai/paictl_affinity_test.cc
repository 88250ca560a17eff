// kube::PaictlDeployRules against paictl's post-processing done by Python
// (PyYAML load, affinity set, yaml.dump) over tests/openpai/paictl_yaml/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "providers/kubernetes/paictl_affinity.h"
#include "tests/integration/run_util.h"

namespace paiplan::kube {
namespace {

namespace stdfs = std::filesystem;
using ::testing::HasSubstr;

const std::string kDir = std::string(PAIPLAN_TEST_DIR) + "/openpai/paictl_yaml";

// paictl's steps, as the operator's Python would run them.
const char* kPython =
    "import sys, yaml\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "config = yaml.load(text, yaml.SafeLoader)\n"
    "exprs = [{'operator': 'In', 'key': 'pai-worker', 'values': ['true']},\n"
    "         {'operator': 'NotIn', 'key': 'no-drivers', 'values': ['true']}]\n"
    "if config is not None and 'kind' in config and config['kind'] in ['DaemonSet', 'Deployment', 'StatefulSet', 'Pod']:\n"
    "    config['spec']['template']['spec']['affinity'] = {'nodeAffinity': {'requiredDuringSchedulingIgnoredDuringExecution':\n"
    "        {'nodeSelectorTerms': [{'matchExpressions': exprs}]}}}\n"
    "    sys.stdout.write(yaml.dump(config, default_flow_style=False))\n"
    "else:\n"
    "    sys.stdout.write(text)\n";

const std::vector<DeployRule> kRules = {{"pai-worker", true}, {"no-drivers", false}};

TEST(PaictlAffinityTest, EqualsPyYamlDumpOfEveryCorpusFile) {
  int files = 0;
  for (const auto& e : stdfs::directory_iterator(kDir)) {
    std::string path = e.path().string();
    auto py = integration::Run({"/usr/bin/python3", "-c", kPython, path});
    ASSERT_EQ(py.exit_code, 0) << "python3-yaml is required: " << py.All();
    auto mine = PaictlDeployRules(integration::ReadFileOr(path), kRules, e.path().filename().string());
    ASSERT_TRUE(mine.has_value()) << path << ": " << mine.error().message();
    EXPECT_EQ(*mine, py.out) << path;
    ++files;
  }
  EXPECT_GE(files, 4);
}

TEST(PaictlAffinityTest, OnlyFilesPaictlPostProcessed) {
  EXPECT_TRUE(PaictlPostProcesses("webportal.yaml"));
  EXPECT_TRUE(PaictlPostProcesses("x.yaml.tmpl"));
  EXPECT_FALSE(PaictlPostProcesses("delete-webportal.yaml"));
  EXPECT_FALSE(PaictlPostProcesses("start.sh"));
}

TEST(PaictlAffinityTest, FailsWherePaictlFailed) {
  auto two = PaictlDeployRules("kind: Deployment\n---\nkind: Service\n", kRules, "two.yaml");
  ASSERT_FALSE(two.has_value());
  EXPECT_THAT(two.error().message(), HasSubstr("two.yaml: line 2: a second YAML document"));
  auto pod = PaictlDeployRules("kind: Pod\nspec:\n  containers: []\n", kRules, "pod.yaml");
  ASSERT_FALSE(pod.has_value());
  EXPECT_THAT(pod.error().message(), HasSubstr("without a map at spec.template.spec"));
  auto alias = PaictlDeployRules("kind: Deployment\na: &x 1\nb: *x\n", kRules, "alias.yaml");
  ASSERT_FALSE(alias.has_value());
  EXPECT_THAT(alias.error().message(), HasSubstr("alias"));
}

}  // namespace
}  // namespace paiplan::kube
