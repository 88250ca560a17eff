#include "providers/kubernetes/kubeconfig.h"

#include <gtest/gtest.h>

#include "engine/base/fs.h"
#include "tests/kube/kube_server_fixture.h"

namespace paiplan::kube {
namespace {

using testing::MakeTempDir;

class KubeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("kubeconfig");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override { (void)fs::RemoveAll(dir_); }
  std::string Write(const std::string& rel, const std::string& text) {
    std::string path = fs::Join(dir_, rel);
    EXPECT_TRUE(fs::MakeDirs(fs::Dirname(path)).ok());
    EXPECT_TRUE(fs::WriteFileAtomic(path, text).ok());
    return path;
  }
  // Options that never read the real environment.
  KubeConfigOptions Env(const std::string& kubeconfig) {
    KubeConfigOptions o;
    o.kubeconfig_env = kubeconfig;
    o.home = dir_ + "/home";
    return o;
  }
  std::string dir_;
};

const char kFirst[] = R"(
apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c1
  cluster: {server: "https://10.0.0.1:6443/", certificate-authority-data: "Q0EtUEVN"}
contexts:
- name: one
  context: {cluster: c1, user: u1}
- name: two
  context: {cluster: c2, user: u2}
users:
- name: u1
  user: {token: first-token}
)";

const char kSecond[] = R"(
current-context: two
clusters:
- name: c1
  cluster: {server: "https://shadowed:1"}
- name: c2
  cluster: {server: "https://10.0.0.2:6443", insecure-skip-tls-verify: true}
users:
- name: u1
  user: {token: shadowed}
- name: u2
  user: {client-certificate-data: "Q0VSVA==", client-key-data: "S0VZ"}
)";

TEST_F(KubeConfigTest, MergesKubeconfigFilesFirstWins) {
  std::string a = Write("a.yaml", kFirst), b = Write("b.yaml", kSecond);
  auto cfg = LoadKubeConfig(Env(a + ":" + dir_ + "/missing.yaml:" + b));
  ASSERT_TRUE(cfg.has_value()) << cfg.error().message();
  ASSERT_TRUE(cfg->has_value());
  const KubeConfig& k = **cfg;
  EXPECT_EQ(k.files, (std::vector<std::string>{a, b}));
  EXPECT_EQ(k.context_name, "one");  // current-context of the first file
  EXPECT_EQ(k.server, "https://10.0.0.1:6443");  // c1 from the first file, trailing / dropped
  EXPECT_EQ(k.ca_pem, "CA-PEM");
  EXPECT_EQ(k.token, "first-token");
  EXPECT_NE(k.credential_source.find("token from kubeconfig user \"u1\""), std::string::npos);
  EXPECT_EQ(k.credential_source.find("first-token"), std::string::npos);
  EXPECT_TRUE(k.warnings.empty());
}

TEST_F(KubeConfigTest, ExplicitContextAcrossFilesWithDataFieldsAndInsecureWarning) {
  std::string a = Write("a.yaml", kFirst), b = Write("b.yaml", kSecond);
  KubeConfigOptions o = Env(a + ":" + b);
  o.context = "two";
  auto cfg = LoadKubeConfig(o);
  ASSERT_TRUE(cfg.has_value()) << cfg.error().message();
  const KubeConfig& k = **cfg;
  EXPECT_EQ(k.server, "https://10.0.0.2:6443");
  EXPECT_TRUE(k.insecure_skip_tls_verify);
  ASSERT_EQ(k.warnings.size(), 1u);
  EXPECT_NE(k.warnings[0].find("insecure-skip-tls-verify"), std::string::npos);
  EXPECT_EQ(k.client_cert_pem, "CERT");
  EXPECT_EQ(k.client_key_pem, "KEY");
  EXPECT_TRUE(k.token.empty());
  EXPECT_NE(k.credential_source.find("client certificate"), std::string::npos);
}

TEST_F(KubeConfigTest, RelativePathsAreRelativeToTheirKubeconfig) {
  Write("conf/pki/ca.crt", "CA FILE");
  Write("conf/pki/client.crt", "CERT FILE");
  Write("conf/pki/client.key", "KEY FILE");
  Write("conf/token", "file-token\n");
  std::string path = Write("conf/config", R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://k:6443", certificate-authority: pki/ca.crt}}]
users: [{name: u, user: {client-certificate: pki/client.crt, client-key: pki/client.key, tokenFile: token}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)");
  KubeConfigOptions o = Env("");
  o.paths = {path};
  auto cfg = LoadKubeConfig(o);
  ASSERT_TRUE(cfg.has_value()) << cfg.error().message();
  const KubeConfig& k = **cfg;
  EXPECT_EQ(k.ca_pem, "CA FILE");
  EXPECT_EQ(k.ca_source.find(dir_ + "/conf/pki/ca.crt"), 0u) << k.ca_source;
  EXPECT_EQ(k.client_cert_pem, "CERT FILE");
  EXPECT_EQ(k.client_key_pem, "KEY FILE");
  EXPECT_EQ(k.token, "file-token");
  EXPECT_NE(k.credential_source.find("tokenFile " + dir_ + "/conf/token"), std::string::npos);
}

TEST_F(KubeConfigTest, HomeConfigWhenKubeconfigUnsetAndNulloptWhenNothing) {
  auto none = LoadKubeConfig(Env(""));
  ASSERT_TRUE(none.has_value()) << none.error().message();
  EXPECT_FALSE(none->has_value());
  auto only_missing = LoadKubeConfig(Env(dir_ + "/nope:" + dir_ + "/nope2"));
  ASSERT_TRUE(only_missing.has_value());
  EXPECT_FALSE(only_missing->has_value());

  Write("home/.kube/config", kFirst);
  auto home = LoadKubeConfig(Env(""));
  ASSERT_TRUE(home.has_value()) << home.error().message();
  ASSERT_TRUE(home->has_value());
  EXPECT_EQ((*home)->files[0], dir_ + "/home/.kube/config");
}

TEST_F(KubeConfigTest, MissingExplicitFileIsAnErrorNamingIt) {
  KubeConfigOptions o = Env("");
  o.paths = {dir_ + "/absent.yaml"};
  auto cfg = LoadKubeConfig(o);
  ASSERT_FALSE(cfg.has_value());
  EXPECT_EQ(cfg.error().code(), Code::kNotFound);
  EXPECT_NE(cfg.error().message().find(dir_ + "/absent.yaml"), std::string::npos);
}

TEST_F(KubeConfigTest, MissingServerNamesFileAndKey) {
  std::string p = Write("k.yaml", R"(
current-context: x
clusters: [{name: c, cluster: {certificate-authority-data: "QQ=="}}]
contexts: [{name: x, context: {cluster: c}}]
)");
  auto cfg = LoadKubeConfig(Env(p));
  ASSERT_FALSE(cfg.has_value());
  EXPECT_EQ(cfg.error().code(), Code::kInvalidArgument);
  EXPECT_NE(cfg.error().message().find(p), std::string::npos) << cfg.error().message();
  EXPECT_NE(cfg.error().message().find("server"), std::string::npos);
}

TEST_F(KubeConfigTest, UnknownContextAndMissingCurrentContext) {
  std::string a = Write("a.yaml", kFirst);
  KubeConfigOptions o = Env(a);
  o.context = "nope";
  auto cfg = LoadKubeConfig(o);
  ASSERT_FALSE(cfg.has_value());
  EXPECT_EQ(cfg.error().code(), Code::kNotFound);
  EXPECT_NE(cfg.error().message().find("context \"nope\""), std::string::npos);
  EXPECT_NE(cfg.error().message().find(a), std::string::npos);

  std::string b = Write("b.yaml", "clusters: []\n");
  auto no_current = LoadKubeConfig(Env(b));
  ASSERT_FALSE(no_current.has_value());
  EXPECT_NE(no_current.error().message().find("current-context"), std::string::npos);
}

TEST_F(KubeConfigTest, MissingReferencedFileNamesItAndTheKubeconfig) {
  std::string p = Write("k.yaml", R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://k", certificate-authority: gone.crt}}]
contexts: [{name: x, context: {cluster: c}}]
)");
  auto cfg = LoadKubeConfig(Env(p));
  ASSERT_FALSE(cfg.has_value());
  EXPECT_EQ(cfg.error().code(), Code::kIOError);
  EXPECT_NE(cfg.error().message().find(dir_ + "/gone.crt"), std::string::npos);
  EXPECT_NE(cfg.error().message().find(p), std::string::npos);
}

TEST_F(KubeConfigTest, InvalidYamlAndExecPluginAreErrors) {
  std::string bad = Write("bad.yaml", "clusters: [\n");
  auto cfg = LoadKubeConfig(Env(bad));
  ASSERT_FALSE(cfg.has_value());
  EXPECT_NE(cfg.error().message().find(bad + ":2:1: not a valid kubeconfig: did not find expected node content"), std::string::npos)
      << cfg.error().message();

  std::string exec = Write("exec.yaml", R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://k"}}]
users: [{name: u, user: {exec: {command: aws}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)");
  auto e = LoadKubeConfig(Env(exec));
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message().find("exec"), std::string::npos);
}

}  // namespace
}  // namespace paiplan::kube
