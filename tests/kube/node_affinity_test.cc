#include "providers/kubernetes/node_affinity.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "engine/base/fs.h"

namespace paiplan::kube {
namespace {

const std::string kCorpus = std::string(PAIPLAN_TEST_DIR) + "/kube/testdata/affinity";
const std::vector<DeployRule> kRules = {{"pai-worker", true}, {"no-drivers", false}};

std::vector<YAML::Node> LoadAll(const std::string& text) {
  try {
    return YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    ADD_FAILURE() << "output is not valid YAML: " << e.what() << "\n" << text;
    return {};
  }
}

YAML::Node Terms(const YAML::Node& doc) {
  return doc["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
}

// The expressions of a term as "key op values" strings.
std::vector<std::string> Exprs(const YAML::Node& term) {
  std::vector<std::string> out;
  for (const auto& e : term["matchExpressions"]) {
    std::string s = e["key"].as<std::string>() + " " + e["operator"].as<std::string>();
    for (const auto& v : e["values"]) s += " " + v.as<std::string>();
    out.push_back(s);
  }
  return out;
}

TEST(NodeAffinityTest, CorpusMatchesGoldenOutputs) {
  auto files = fs::ListDir(kCorpus);
  ASSERT_TRUE(files.has_value());
  int checked = 0;
  for (const auto& f : *files) {
    if (f.size() < 5 || f.substr(f.size() - 5) != ".yaml") continue;
    auto in = fs::ReadFile(kCorpus + "/" + f);
    ASSERT_TRUE(in.has_value());
    auto out = InjectNodeAffinity(*in, kRules, f);
    ASSERT_TRUE(out.has_value()) << f << ": " << out.error().message();
    const std::string golden = kCorpus + "/" + f + ".golden";
    if (std::getenv("PAIPLAN_UPDATE_GOLDEN")) {
      ASSERT_TRUE(fs::WriteFileAtomic(golden, *out).ok());
    }
    auto want = fs::ReadFile(golden);
    ASSERT_TRUE(want.has_value()) << "missing " << golden << " (PAIPLAN_UPDATE_GOLDEN=1 writes it)";
    EXPECT_EQ(*out, *want) << f;
    // Injecting again changes nothing.
    auto again = InjectNodeAffinity(*out, kRules, f);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(LoadAll(*again).size(), LoadAll(*out).size());
    for (size_t i = 0; i < LoadAll(*out).size(); ++i) {
      EXPECT_EQ(YAML::Dump(LoadAll(*again)[i]), YAML::Dump(LoadAll(*out)[i])) << f;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(NodeAffinityTest, EmptyRulesReturnInputUnchanged) {
  const std::string text = "kind: Deployment\nspec: {template: {spec: {}}}  # keep\n";
  auto out = InjectNodeAffinity(text, {}, "x.yaml");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, text);
}

TEST(NodeAffinityTest, OneTermWithAllRulesAnded) {
  auto in = fs::ReadFile(kCorpus + "/deployment.yaml");
  auto out = InjectNodeAffinity(*in, kRules, "deployment.yaml");
  ASSERT_TRUE(out.has_value()) << out.error().message();
  auto docs = LoadAll(*out);
  ASSERT_EQ(docs.size(), 1u);
  YAML::Node terms = Terms(docs[0]);
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(Exprs(terms[0]),
            (std::vector<std::string>{"pai-worker In true", "no-drivers NotIn true"}));
  // Everything else is preserved, with its type.
  YAML::Node pod = docs[0]["spec"]["template"];
  EXPECT_EQ(pod["metadata"]["annotations"]["port"].Tag(), "!");  // still a quoted string
  EXPECT_EQ(pod["metadata"]["annotations"]["enabled"].Tag(), "!");
  EXPECT_EQ(pod["metadata"]["annotations"]["empty"].as<std::string>(), "");
  EXPECT_EQ(pod["spec"]["hostNetwork"].Tag(), "?");  // still a plain boolean
  EXPECT_TRUE(pod["spec"]["hostNetwork"].as<bool>());
  EXPECT_TRUE(pod["spec"]["nodeSelector"].IsNull());
  EXPECT_EQ(pod["spec"]["containers"][0]["command"][2].as<std::string>(),
            "echo start\nexec node index.js\n");
  EXPECT_EQ(pod["spec"]["containers"][0]["env"][1]["value"].Tag(), "!");
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0]["containerPort"].as<int>(), 9186);
  EXPECT_EQ(docs[0]["spec"]["replicas"].as<int>(), 1);
  // The values are the string "true", not a boolean.
  EXPECT_EQ(terms[0]["matchExpressions"][0]["values"][0].Tag(), "!");
}

TEST(NodeAffinityTest, ExistingTermsEachGetTheRules) {
  auto in = fs::ReadFile(kCorpus + "/existing-affinity.yaml");
  auto out = InjectNodeAffinity(*in, {{"pai-master", true}}, "existing-affinity.yaml");
  ASSERT_TRUE(out.has_value()) << out.error().message();
  YAML::Node doc = LoadAll(*out).at(0);
  YAML::Node terms = Terms(doc);
  ASSERT_EQ(terms.size(), 2u);
  EXPECT_EQ(Exprs(terms[0]), (std::vector<std::string>{"zone In a", "pai-master In true"}));
  EXPECT_EQ(Exprs(terms[1]), (std::vector<std::string>{"pai-master In true"}));
  EXPECT_EQ(terms[1]["matchFields"][0]["key"].as<std::string>(), "metadata.name");
  YAML::Node aff = doc["spec"]["template"]["spec"]["affinity"];
  EXPECT_EQ(aff["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"]
                .as<int>(), 10);
  EXPECT_TRUE(aff["podAntiAffinity"].IsMap());
}

TEST(NodeAffinityTest, NonWorkloadDocumentsKeepTheirBytes) {
  auto in = fs::ReadFile(kCorpus + "/multi.yaml");
  auto out = InjectNodeAffinity(*in, kRules, "multi.yaml");
  ASSERT_TRUE(out.has_value()) << out.error().message();
  // The Service and the ConfigMap, comments and flow style included, are untouched.
  size_t ds = in->find("--- # a DaemonSet");
  ASSERT_NE(ds, std::string::npos);
  EXPECT_EQ(out->substr(0, ds + 18), in->substr(0, ds + 18));
  auto docs = LoadAll(*out);
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_FALSE(docs[0]["spec"]["template"].IsDefined());  // the Service got nothing
  EXPECT_FALSE(docs[1]["spec"].IsDefined());              // nor the ConfigMap
  EXPECT_EQ(Terms(docs[2]).size(), 1u);
  EXPECT_EQ(Terms(docs[3]).size(), 1u);
  auto job = InjectNodeAffinity(*fs::ReadFile(kCorpus + "/job-and-pod.yaml"), kRules, "j.yaml");
  ASSERT_TRUE(job.has_value());
  auto jdocs = LoadAll(*job);
  ASSERT_EQ(jdocs.size(), 3u);
  EXPECT_EQ(Terms(jdocs[0]).size(), 1u);  // Job
  EXPECT_FALSE(jdocs[1]["spec"]["affinity"].IsDefined());  // Pod: not a workload
  EXPECT_EQ(Terms(jdocs[2]).size(), 1u);  // ReplicaSet
}

TEST(NodeAffinityTest, CronJobUsesItsJobTemplate) {
  auto out = InjectNodeAffinity(
      "kind: CronJob\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
      "        spec: {containers: [{name: c, image: i}]}\n",
      {{"pai-worker", true}}, "cron.yaml");
  ASSERT_TRUE(out.has_value()) << out.error().message();
  YAML::Node doc = YAML::Load(*out);
  YAML::Node terms = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["affinity"]
                        ["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
                        ["nodeSelectorTerms"];
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(doc["spec"]["schedule"].as<std::string>(), "* * * * *");
}

TEST(NodeAffinityTest, ParseErrorNamesFileAndLine) {
  const std::string text = "kind: Service\n---\nkind: Deployment\nspec: [\n  a: b\n";
  auto out = InjectNodeAffinity(text, kRules, "services/x/deploy/x.yaml");
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(out.error().message().rfind("services/x/deploy/x.yaml:", 0), 0u)
      << out.error().message();
  // The error is in the second document (lines 3..5), not at line 1.
  int line = std::atoi(out.error().message().c_str() + std::string("services/x/deploy/x.yaml:").size());
  EXPECT_GE(line, 3) << out.error().message();
  EXPECT_LE(line, 6) << out.error().message();
}

TEST(NodeAffinityTest, TemplateThatIsNotAMapIsAnError) {
  auto out = InjectNodeAffinity("kind: Deployment\nspec:\n  template: [1]\n", kRules, "d.yaml");
  ASSERT_FALSE(out.has_value());
  EXPECT_NE(out.error().message().find("d.yaml:1"), std::string::npos) << out.error().message();
}

YAML::Node ValuesTerms(const YAML::Node& affinity) {
  return affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
}

TEST(NodeAffinityTest, HelmValuesGetTheRulesUnderEveryAffinityKey) {
  const std::string text =
      "# values\nmaster:\n  affinity: {}\n  port: 7077\nworker:\n  nested:\n    affinity:\n  tag: \"2.4\"\n"
      "other:\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
      "        nodeSelectorTerms:\n          - matchExpressions:\n              - {key: zone, operator: In, values: [a]}\n";
  auto out = InjectValuesAffinity(text, kRules, "x-values.yaml");
  ASSERT_TRUE(out.has_value()) << out.error().message();
  YAML::Node v = YAML::Load(*out);
  for (const YAML::Node& a : {v["master"]["affinity"], v["worker"]["nested"]["affinity"]}) {
    ASSERT_EQ(ValuesTerms(a).size(), 1u) << *out;
    EXPECT_EQ(Exprs(ValuesTerms(a)[0]), (std::vector<std::string>{"pai-worker In true", "no-drivers NotIn true"}));
  }
  // Existing terms each get the rules (ANDed), as in manifests.
  EXPECT_EQ(Exprs(ValuesTerms(v["other"]["affinity"])[0]),
            (std::vector<std::string>{"zone In a", "pai-worker In true", "no-drivers NotIn true"}));
  EXPECT_EQ(v["master"]["port"].as<int>(), 7077);
  EXPECT_EQ(v["worker"]["tag"].Tag(), "!") << "quoting lost:\n" << *out;
  auto again = InjectValuesAffinity(*out, kRules, "x-values.yaml");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *out) << "not idempotent";
  EXPECT_EQ(*InjectValuesAffinity(text, {}, "x-values.yaml"), text);
}

TEST(NodeAffinityTest, HelmValuesWithoutAffinityKeyAreAnErrorWhenRulesAreGiven) {
  auto out = InjectValuesAffinity("master:\n  port: 1\n", kRules, "spark-values.yaml");
  ASSERT_FALSE(out.has_value());
  EXPECT_NE(out.error().message().find("spark-values.yaml: the service has deploy-rules"), std::string::npos)
      << out.error().message();
  EXPECT_FALSE(InjectValuesAffinity("a: [\n", kRules, "v-values.yaml").has_value());
}

}  // namespace
}  // namespace paiplan::kube
