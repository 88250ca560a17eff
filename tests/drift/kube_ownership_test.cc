// What paiplan pushes to and takes from the Kubernetes API: no secrets in the
// cluster ConfigMap, the kubeconfig's warnings shown, and objects and labels
// paiplan did not create left alone unless imported (docs/workspace.md). The REAL
// paiplan binary against the Kubernetes API test server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "engine/base/fs.h"
#include "providers/kubernetes/kube_client.h"
#include "tests/drift/drift_fixture.h"

namespace paiplan::drift_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class KubeOwnershipTest : public DriftFixture {
 protected:
  // A client of the test server, for what kubectl cannot do (typed create).
  kube::KubeClient Client() const {
    kube::KubeConfigOptions o;
    o.paths = {server_.kubeconfig_path()};
    auto cfg = kube::LoadKubeConfig(o);
    EXPECT_TRUE(cfg && cfg->has_value());
    return kube::KubeClient(**cfg);
  }
  std::optional<kube::ConfigMap> PaiConfiguration() const {
    auto cm = Client().GetConfigMap("default", "pai-configuration");
    EXPECT_TRUE(cm.has_value()) << cm.error().message();
    return cm ? *cm : std::nullopt;
  }
};

TEST_F(KubeOwnershipTest, SecretsNeverReachTheConfigMap) {
  ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
  CmdResult sed = Shell("sed -i 's/hostname: local-worker-0$/&\\n    password: machine-pw-1234/' " +
                        Quote(ws_ + "/layout.yaml"));
  ASSERT_EQ(sed.rc, 0) << sed.all();
  ASSERT_THAT(fs::ReadFile(ws_ + "/layout.yaml").value_or(""), HasSubstr("password: machine-pw-1234"));
  AppendTo("services-configuration.yaml", "demo-store:\n  admin-password: \"svc-pw-5678\"\n");
  CmdResult apply = Paiplan("apply --auto-approve");
  ASSERT_EQ(apply.rc, 0) << apply.all();

  auto cm = PaiConfiguration();
  ASSERT_TRUE(cm.has_value());
  std::string all;
  for (const auto& [k, v] : cm->data) all += k + ": " + v + "\n";
  for (const char* secret : {"machine-pw-1234", "svc-pw-5678", "demo-token-value"}) {
    EXPECT_THAT(all, Not(HasSubstr(secret))) << all;
  }
  EXPECT_THAT(cm->data["layout.yaml"], HasSubstr("password: \"(sensitive)\""));
  EXPECT_THAT(cm->data["layout.yaml"], HasSubstr("hostname: local-worker-0"));
  EXPECT_THAT(cm->data["services-configuration.yaml"], HasSubstr("admin-password: \"(sensitive)\""));
  EXPECT_THAT(cm->data["services-configuration.yaml"], HasSubstr("greeting: hello from services-configuration.yaml"));
  EXPECT_EQ(Paiplan("drift").rc, 0) << "the masked data is what is hashed and recorded";
}

TEST_F(KubeOwnershipTest, InsecureSkipTlsVerifyIsWarnedByEveryCommand) {
  ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
  auto cfg = nlohmann::json::parse(fs::ReadFile(server_.kubeconfig_path()).value_or("{}"));
  auto& cluster = cfg["clusters"][0]["cluster"];
  cluster.erase("certificate-authority-data");
  cluster["insecure-skip-tls-verify"] = true;
  std::string insecure = tmp_ + "/insecure-kubeconfig";
  std::ofstream(insecure) << cfg.dump(2);
  ASSERT_EQ(Shell("sed -i 's#kubeconfig: .*#kubeconfig: " + insecure + "#' " + Quote(ws_ + "/paiplan.yaml")).rc, 0);
  const std::string kWarning = "sets insecure-skip-tls-verify: the API server's certificate is NOT verified";

  CmdResult validate = Paiplan("validate");
  EXPECT_EQ(validate.rc, 0) << validate.all();
  EXPECT_THAT(validate.err, HasSubstr(kWarning));
  CmdResult validate_json = Paiplan("validate --json");
  auto vj = nlohmann::json::parse(validate_json.out, nullptr, false);
  ASSERT_FALSE(vj.is_discarded()) << validate_json.all();
  EXPECT_GE(vj["warnings"].get<int>(), 1);
  CmdResult plan = Paiplan("plan");
  EXPECT_EQ(plan.rc, 0) << plan.all();
  EXPECT_THAT(plan.err, HasSubstr(kWarning));
  CmdResult plan_json = Paiplan("plan --json");
  auto pj = nlohmann::json::parse(plan_json.out, nullptr, false);
  ASSERT_FALSE(pj.is_discarded()) << plan_json.all();
  EXPECT_THAT(pj["warnings"].dump(), HasSubstr(kWarning));
  CmdResult apply = Paiplan("apply --auto-approve");
  EXPECT_EQ(apply.rc, 0) << apply.all();
  EXPECT_THAT(apply.err, HasSubstr(kWarning));
  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 0) << drift.all();
  EXPECT_THAT(drift.err, HasSubstr(kWarning));
}

TEST_F(KubeOwnershipTest, ForeignConfigMapIsNotOverwrittenUntilImported) {
  ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
  ASSERT_TRUE(Client().CreateOrReplaceConfigMap("default", "pai-configuration", {{"owner", "someone-else"}}).ok());

  CmdResult plan = Paiplan("plan");
  EXPECT_THAT(plan.out, HasSubstr("ConfigMap default/pai-configuration already exists and was not created by paiplan"));
  CmdResult apply = Paiplan("apply --auto-approve");
  EXPECT_EQ(apply.rc, 1) << apply.all();
  EXPECT_THAT(apply.all(), HasSubstr("config.cluster: ConfigMap default/pai-configuration already exists"));
  EXPECT_THAT(apply.all(), HasSubstr("paiplan import config.cluster"));
  auto cm = PaiConfiguration();
  ASSERT_TRUE(cm.has_value());
  EXPECT_EQ(cm->data, (std::map<std::string, std::string>{{"owner", "someone-else"}})) << "left as it was";
  EXPECT_EQ(NodeLabels("127.0.0.21")["pai-worker"], "true") << "independent actions still ran";

  CmdResult replan = Paiplan("plan");
  EXPECT_THAT(replan.out, HasSubstr("already exists and was not created by paiplan"));

  CmdResult import = Paiplan("import config.cluster");
  ASSERT_EQ(import.rc, 0) << import.all();
  CmdResult adopt = Paiplan("apply --auto-approve");
  ASSERT_EQ(adopt.rc, 0) << adopt.all();
  cm = PaiConfiguration();
  ASSERT_TRUE(cm.has_value());
  EXPECT_FALSE(cm->data.count("owner"));
  EXPECT_TRUE(cm->data.count("layout.yaml"));
  EXPECT_EQ(cm->labels["app.kubernetes.io/managed-by"], "paiplan");
  EXPECT_EQ(Paiplan("plan --detailed-exitcode").rc, 0);
}

TEST_F(KubeOwnershipTest, FailedCreateOverForeignConfigMapDoesNotDeleteItOnDestroy) {
  ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
  ASSERT_TRUE(Client().CreateOrReplaceConfigMap("default", "pai-configuration", {{"owner", "someone-else"}}).ok());
  EXPECT_EQ(Paiplan("apply --auto-approve").rc, 1);
  CmdResult destroy = Paiplan("destroy --auto-approve");
  EXPECT_EQ(destroy.rc, 0) << destroy.all();
  auto cm = PaiConfiguration();
  ASSERT_TRUE(cm.has_value()) << "destroy must not delete a ConfigMap paiplan never created";
  EXPECT_EQ(cm->data["owner"], "someone-else");
}

TEST_F(KubeOwnershipTest, PreexistingLabelIsNotOwnedAndSurvivesDestroy) {
  ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
  ASSERT_EQ(Kubectl("label node 127.0.0.21 pai-worker=true").rc, 0);
  CmdResult apply = Paiplan("apply --auto-approve");
  ASSERT_EQ(apply.rc, 0) << apply.all();
  EXPECT_EQ(Paiplan("drift").rc, 0);
  EXPECT_EQ(Paiplan("plan --detailed-exitcode").rc, 0);
  CmdResult state = Paiplan("state pull");
  auto sj = nlohmann::json::parse(state.out, nullptr, false);
  ASSERT_FALSE(sj.is_discarded()) << state.all();
  EXPECT_EQ(sj["resources"]["label.local-worker-0"]["owned_labels"], nlohmann::json::array());
  EXPECT_EQ(sj["resources"]["label.local-worker-1"]["owned_labels"], nlohmann::json({"no-drivers", "pai-worker"}));

  CmdResult destroy = Paiplan("destroy --auto-approve");
  ASSERT_EQ(destroy.rc, 0) << destroy.all();
  EXPECT_EQ(NodeLabels("127.0.0.21")["pai-worker"], "true") << "set before paiplan: not paiplan's to remove";
  EXPECT_FALSE(NodeLabels("127.0.0.22").count("pai-worker")) << "set by paiplan: removed";
}

TEST_F(KubeOwnershipTest, PreexistingLabelWithAnotherValueIsNotOverwritten) {
  ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
  ASSERT_EQ(Kubectl("label node 127.0.0.21 pai-worker=false").rc, 0);
  CmdResult apply = Paiplan("apply --auto-approve");
  EXPECT_EQ(apply.rc, 1) << apply.all();
  EXPECT_THAT(apply.all(), HasSubstr("node 127.0.0.21 already has pai-worker=false, not set by paiplan"));
  EXPECT_THAT(apply.all(), HasSubstr("paiplan import label.<hostname>"));
  EXPECT_EQ(NodeLabels("127.0.0.21")["pai-worker"], "false") << "someone else's value is left as it is";
  EXPECT_EQ(NodeLabels("127.0.0.22")["pai-worker"], "true") << "the other nodes are labelled";
  // Imported, it is paiplan's: the next apply sets the layout's value, and destroy removes it.
  ASSERT_EQ(Paiplan("import label.local-worker-0").rc, 0);
  CmdResult again = Paiplan("apply --auto-approve");
  ASSERT_EQ(again.rc, 0) << again.all();
  EXPECT_EQ(NodeLabels("127.0.0.21")["pai-worker"], "true");
  ASSERT_EQ(Paiplan("destroy --auto-approve").rc, 0);
  EXPECT_FALSE(NodeLabels("127.0.0.21").count("pai-worker"));
}

TEST_F(KubeOwnershipTest, ImportedPreexistingLabelIsOwned) {
  ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
  ASSERT_EQ(Kubectl("label node 127.0.0.21 pai-worker=true").rc, 0);
  CmdResult import = Paiplan("import label.local-worker-0");
  ASSERT_EQ(import.rc, 0) << import.all();
  ASSERT_EQ(Paiplan("apply --auto-approve").rc, 0);
  ASSERT_EQ(Paiplan("destroy --auto-approve").rc, 0);
  EXPECT_FALSE(NodeLabels("127.0.0.21").count("pai-worker")) << "imported: adopted, so destroy removes it";
}

}  // namespace
}  // namespace paiplan::drift_test
