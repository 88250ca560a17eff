// Rendered manifests as objects (providers/kubernetes/manifest.h).
#include "providers/kubernetes/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paiplan::kube {
namespace {

using ::testing::HasSubstr;

TEST(ManifestTest, ParsesDocumentsExpandsListsAndTypesScalars) {
  auto objs = ParseManifests(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {n: \"1\", b: 'true'}\n---\n"
      "# only a comment\n---\n"
      "kind: List\napiVersion: v1\nitems:\n"
      "- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: 3, paused: false, x: ~}}\n"
      "- {apiVersion: v1, kind: Service, metadata: {name: s}, spec: {ports: [{port: 80}]}}\n",
      "f.yaml");
  ASSERT_TRUE(objs.has_value()) << objs.error().message();
  ASSERT_EQ(objs->size(), 3u);
  EXPECT_EQ((*objs)[0]["data"]["n"], "1") << "quoted numbers stay strings";
  EXPECT_EQ((*objs)[0]["data"]["b"], "true");
  EXPECT_EQ((*objs)[1]["kind"], "Deployment");
  EXPECT_EQ((*objs)[1]["spec"]["replicas"], 3);
  EXPECT_EQ((*objs)[1]["spec"]["paused"], false);
  EXPECT_TRUE((*objs)[1]["spec"]["x"].is_null());
  EXPECT_EQ((*objs)[2]["spec"]["ports"][0]["port"], 80);
}

// yaml-cpp 0.7's LoadAll never returns on this text (tests/fuzz/regressions/
// yaml_fuzz/yaml-cpp-endless-loop); libyaml's refusal is reported instead.
TEST(ManifestTest, TextYamlCppLoopsOnIsRefusedWithLibyamlsError) {
  auto bad = ParseManifests(", -c9100r\nap- --o:-", "svc/loop.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("svc/loop.yaml:1:1: "));
  EXPECT_THAT(bad.error().message(), HasSubstr("must be valid YAML"));
}

TEST(ManifestTest, BadDocumentsNameFileAndDocument) {
  auto bad = ParseManifests("apiVersion: v1\nkind: ConfigMap\n", "svc/x.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("svc/x.yaml: document 1: `metadata.name` is missing"));
  auto yaml = ParseManifests("a: [1, 2\n", "svc/y.yaml");
  ASSERT_FALSE(yaml.has_value());
  EXPECT_THAT(yaml.error().message(), HasSubstr("svc/y.yaml:"));
  EXPECT_THAT(yaml.error().message(), HasSubstr("must be valid YAML"));
}

TEST(ManifestTest, RestPathsByGroupAndScope) {
  EXPECT_EQ(ObjectPath("v1", "ConfigMap", "ns", "c"), "/api/v1/namespaces/ns/configmaps/c");
  EXPECT_EQ(ObjectPath("apps/v1", "Deployment", "ns", ""), "/apis/apps/v1/namespaces/ns/deployments");
  EXPECT_EQ(ObjectPath("v1", "Namespace", "ignored", "pai"), "/api/v1/namespaces/pai");
  EXPECT_EQ(ObjectPath("networking.k8s.io/v1", "Ingress", "ns", "i"),
            "/apis/networking.k8s.io/v1/namespaces/ns/ingresses/i");
  EXPECT_EQ(ObjectPath("rbac.authorization.k8s.io/v1", "ClusterRole", "", "r"),
            "/apis/rbac.authorization.k8s.io/v1/clusterroles/r");
}

}  // namespace
}  // namespace paiplan::kube
