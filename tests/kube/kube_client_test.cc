// KubeClient against the real API test server (tests/kube/serve).
#include "providers/kubernetes/kube_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "engine/base/fs.h"
#include "tests/kube/kube_server_fixture.h"

namespace paiplan::kube {
namespace {

using testing::KubeTestServer;
using testing::MakeTempDir;

class KubeClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir("kubeclient"));
    server_ = new KubeTestServer();
    Status s = server_->Start(*dir_, {"node-a", "node-b", "node-c"},
                              {"--expired-token", "old-token", "--readonly-token", "ro-token"});
    ASSERT_TRUE(s.ok()) << s.message();
  }
  static void TearDownTestSuite() {
    server_->Stop();
    delete server_;
    (void)fs::RemoveAll(*dir_);
    delete dir_;
  }

  static KubeConfig Config(const std::string& context = "") {
    KubeConfigOptions o;
    o.paths = {server_->kubeconfig_path()};
    o.context = context;
    auto cfg = LoadKubeConfig(o);
    EXPECT_TRUE(cfg.has_value() && cfg->has_value());
    return cfg && *cfg ? **cfg : KubeConfig{};
  }
  static KubeConfig WithToken(const std::string& token) {
    KubeConfig c = Config();
    c.token = token;
    return c;
  }
  static std::map<std::string, std::string> LabelsOf(KubeClient& c, const std::string& node) {
    auto nodes = c.ListNodes();
    EXPECT_TRUE(nodes.has_value()) << nodes.error().message();
    for (const auto& n : *nodes) {
      if (n.name == node) return n.labels;
    }
    ADD_FAILURE() << "node " << node << " not listed";
    return {};
  }

  static std::string* dir_;
  static KubeTestServer* server_;
};
std::string* KubeClientTest::dir_ = nullptr;
KubeTestServer* KubeClientTest::server_ = nullptr;

TEST_F(KubeClientTest, ListsRegisteredNodesSorted) {
  KubeClient client(Config());
  auto nodes = client.ListNodes();
  ASSERT_TRUE(nodes.has_value()) << nodes.error().message();
  std::vector<std::string> names;
  for (const auto& n : *nodes) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"node-a", "node-b", "node-c"}));
  EXPECT_EQ((*nodes)[0].labels.at("kubernetes.io/hostname"), "node-a");
  EXPECT_FALSE((*nodes)[0].resource_version.empty());
}

TEST_F(KubeClientTest, PatchAddsChangesAndRemovesOnlyNamedLabels) {
  KubeClient client(Config());
  ASSERT_TRUE(client.PatchNodeLabels("node-b", {{"pai-worker", "true"}, {"pai-master", "true"}}).ok());
  // Someone else's label, set out of band.
  ASSERT_TRUE(client.PatchNodeLabels("node-b", {{"team", "infra"}}).ok());
  auto labels = LabelsOf(client, "node-b");
  EXPECT_EQ(labels["pai-worker"], "true");
  EXPECT_EQ(labels["pai-master"], "true");

  Status s = client.PatchNodeLabels("node-b", {{"pai-worker", "false"}, {"pai-master", std::nullopt}});
  ASSERT_TRUE(s.ok()) << s.message();
  labels = LabelsOf(client, "node-b");
  EXPECT_EQ(labels["pai-worker"], "false");
  EXPECT_EQ(labels.count("pai-master"), 0u);
  EXPECT_EQ(labels["team"], "infra");  // foreign label left alone
  EXPECT_EQ(labels["kubernetes.io/hostname"], "node-b");
  EXPECT_TRUE(client.PatchNodeLabels("node-b", {}).ok());
}

TEST_F(KubeClientTest, PatchErrors) {
  KubeClient client(Config());
  Status missing = client.PatchNodeLabels("no-such-node", {{"a", "b"}});
  EXPECT_EQ(missing.code(), Code::kNotFound) << missing.message();
  EXPECT_NE(missing.message().find("no-such-node"), std::string::npos);
  Status invalid = client.PatchNodeLabels("node-a", {{"bad key!", "x"}});
  EXPECT_EQ(invalid.code(), Code::kInvalidArgument) << invalid.message();
  EXPECT_NE(invalid.message().find("bad key!"), std::string::npos);
  EXPECT_NE(invalid.message().find(server_->server_url()), std::string::npos);
}

TEST_F(KubeClientTest, ConfigMapLifecycle) {
  KubeClient client(Config());
  auto absent = client.GetConfigMap("default", "lifecycle");
  ASSERT_TRUE(absent.has_value()) << absent.error().message();
  EXPECT_FALSE(absent->has_value());

  ASSERT_TRUE(client.CreateOrReplaceConfigMap("default", "lifecycle", {{"a", "1"}, {"b", "2"}},
                                              {{"app.kubernetes.io/managed-by", "paiplan"}}).ok());
  auto created = client.GetConfigMap("default", "lifecycle");
  ASSERT_TRUE(created.has_value() && created->has_value());
  EXPECT_EQ((*created)->data, (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ((*created)->labels.at("app.kubernetes.io/managed-by"), "paiplan");

  Status s = client.CreateOrReplaceConfigMap("default", "lifecycle", {{"c", "3"}});
  ASSERT_TRUE(s.ok()) << s.message();
  auto replaced = client.GetConfigMap("default", "lifecycle");
  ASSERT_TRUE(replaced.has_value() && replaced->has_value());
  EXPECT_EQ((*replaced)->data, (std::map<std::string, std::string>{{"c", "3"}}));
  EXPECT_NE((*replaced)->resource_version, (*created)->resource_version);

  EXPECT_TRUE(client.DeleteConfigMap("default", "lifecycle").ok());
  EXPECT_TRUE(client.DeleteConfigMap("default", "lifecycle").ok());  // already gone: fine
  auto gone = client.GetConfigMap("default", "lifecycle");
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());
}

TEST_F(KubeClientTest, ConfigMapReplaceRetriesAfterConcurrentWriter) {
  KubeClient client(Config());
  ASSERT_TRUE(client.CreateOrReplaceConfigMap("default", "raced", {{"v", "1"}}).ok());
  auto before = server_->Stats();
  ASSERT_TRUE(before.has_value());
  // The next two PUTs each find that another writer changed the object after
  // our GET: the resourceVersion we send is stale and the server answers 409.
  ASSERT_TRUE(server_->AdminPost("/conflict?namespace=default&name=raced&count=2").ok());
  Status s = client.CreateOrReplaceConfigMap("default", "raced", {{"v", "2"}});
  ASSERT_TRUE(s.ok()) << s.message();
  auto after = server_->Stats();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ((*after)["configmap_puts"].get<int>() - (*before)["configmap_puts"].get<int>(), 3);
  auto cm = client.GetConfigMap("default", "raced");
  ASSERT_TRUE(cm.has_value() && cm->has_value());
  EXPECT_EQ((*cm)->data, (std::map<std::string, std::string>{{"v", "2"}}));
}

TEST_F(KubeClientTest, ConfigMapConflictGivesUpAfterBoundedRetries) {
  KubeClientOptions options;
  options.conflict_retries = 2;
  KubeClient client(Config(), options);
  ASSERT_TRUE(client.CreateOrReplaceConfigMap("default", "hot", {{"v", "1"}}).ok());
  ASSERT_TRUE(server_->AdminPost("/conflict?namespace=default&name=hot&count=100").ok());
  Status s = client.CreateOrReplaceConfigMap("default", "hot", {{"v", "2"}});
  EXPECT_EQ(s.code(), Code::kConflict) << s.message();
  EXPECT_NE(s.message().find("3 attempts"), std::string::npos) << s.message();
  ASSERT_TRUE(server_->AdminPost("/conflict?namespace=default&name=hot&count=0").ok());
}

TEST_F(KubeClientTest, InvalidConfigMapIsInvalidArgumentWithApiMessage) {
  KubeClient client(Config());
  Status s = client.CreateOrReplaceConfigMap("default", "Bad_Name", {{"k", "v"}});
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.message();
  EXPECT_NE(s.message().find("RFC 1123"), std::string::npos) << s.message();
  Status ns = client.CreateOrReplaceConfigMap("no-such-namespace", "x", {{"k", "v"}});
  EXPECT_EQ(ns.code(), Code::kNotFound) << ns.message();
}

TEST_F(KubeClientTest, ClientCertificateContextWorks) {
  KubeConfig c = Config("certs");
  EXPECT_TRUE(c.token.empty());
  EXPECT_FALSE(c.client_cert_pem.empty());
  KubeClient client(c);
  auto nodes = client.ListNodes();
  ASSERT_TRUE(nodes.has_value()) << nodes.error().message();
  EXPECT_EQ(nodes->size(), 3u);
}

TEST_F(KubeClientTest, WrongTokenIsPermissionDeniedNamingTheCredentialNotTheSecret) {
  KubeClient client(WithToken("wrong-secret-value"));
  auto nodes = client.ListNodes();
  ASSERT_FALSE(nodes.has_value());
  const std::string& m = nodes.error().message();
  EXPECT_EQ(nodes.error().code(), Code::kPermissionDenied) << m;
  EXPECT_NE(m.find("token from kubeconfig user \"test-token\""), std::string::npos) << m;
  EXPECT_NE(m.find(server_->server_url()), std::string::npos) << m;
  EXPECT_NE(m.find("401"), std::string::npos) << m;
  EXPECT_EQ(m.find("wrong-secret-value"), std::string::npos) << m;
  EXPECT_EQ(m.find(server_->token()), std::string::npos) << m;
}

TEST_F(KubeClientTest, ExpiredAndReadOnlyTokens) {
  KubeClient expired(WithToken("old-token"));
  Status s = expired.PatchNodeLabels("node-a", {{"x", "y"}});
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("token expired"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("old-token"), std::string::npos);

  KubeClient readonly(WithToken("ro-token"));
  EXPECT_TRUE(readonly.ListNodes().has_value());
  Status w = readonly.PatchNodeLabels("node-a", {{"x", "y"}});
  EXPECT_EQ(w.code(), Code::kPermissionDenied);
  EXPECT_NE(w.message().find("403"), std::string::npos) << w.message();
  EXPECT_NE(w.message().find("forbidden"), std::string::npos) << w.message();
}

TEST_F(KubeClientTest, NoCredentialsIsUnauthorized) {
  KubeConfig c = Config();
  c.token.clear();
  c.credential_source = "no credentials";
  KubeClient client(c);
  auto nodes = client.ListNodes();
  ASSERT_FALSE(nodes.has_value());
  EXPECT_EQ(nodes.error().code(), Code::kPermissionDenied);
}

TEST_F(KubeClientTest, UnreachableServerIsUnavailableWithUrl) {
  // A port that was free a moment ago and has no listener now.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  KubeConfig c = Config();
  c.server = "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  KubeClient client(c);
  auto nodes = client.ListNodes();
  ASSERT_FALSE(nodes.has_value());
  EXPECT_EQ(nodes.error().code(), Code::kUnavailable);
  EXPECT_TRUE(nodes.error().retryable());
  EXPECT_NE(nodes.error().message().find("cannot reach " + c.server), std::string::npos)
      << nodes.error().message();
  EXPECT_NE(nodes.error().message().find("connection refused"), std::string::npos);
}

TEST_F(KubeClientTest, WrongCaFailsTlsVerificationNamingTheCaSource) {
  std::string other = *dir_ + "/other-ca";
  ASSERT_TRUE(fs::MakeDirs(other).ok());
  auto [rc, out] = testing::RunCommand(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
      other + "/ca.key -out " + other + "/ca.crt -days 1 -subj /CN=not-the-cluster-ca");
  ASSERT_EQ(rc, 0) << out;
  KubeConfig c = Config();
  c.ca_pem = *fs::ReadFile(other + "/ca.crt");
  c.ca_source = other + "/ca.crt";
  KubeClient client(c);
  auto nodes = client.ListNodes();
  ASSERT_FALSE(nodes.has_value());
  EXPECT_EQ(nodes.error().code(), Code::kPermissionDenied) << nodes.error().message();
  EXPECT_NE(nodes.error().message().find(other + "/ca.crt"), std::string::npos)
      << nodes.error().message();
  EXPECT_NE(nodes.error().message().find("certificate"), std::string::npos);

  // insecure-skip-tls-verify, as a kubeconfig may say, then works.
  c.insecure_skip_tls_verify = true;
  KubeClient insecure(c);
  EXPECT_TRUE(insecure.ListNodes().has_value());
}

TEST_F(KubeClientTest, ConcurrentCallsFromManyThreads) {
  KubeClient client(Config());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (!client.ListNodes().has_value()) ++failures;
        std::string cm = "par-" + std::to_string(t);
        if (!client.CreateOrReplaceConfigMap("default", cm, {{"i", std::to_string(i)}}).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// One logical LIST of 1,000 nodes must be served in several pages.
TEST(KubeClientPagingTest, ListsThousandNodesAcrossPages) {
  std::string dir = MakeTempDir("kubepaging");
  KubeTestServer server;
  ASSERT_TRUE(server.Start(dir, {}, {"--node-count", "1000", "--node-prefix", "bulk"}).ok());
  KubeConfigOptions o;
  o.paths = {server.kubeconfig_path()};
  auto cfg = LoadKubeConfig(o);
  ASSERT_TRUE(cfg.has_value() && cfg->has_value());
  KubeClientOptions options;
  options.list_page_size = 300;
  KubeClient client(**cfg, options);
  auto nodes = client.ListNodes();
  ASSERT_TRUE(nodes.has_value()) << nodes.error().message();
  ASSERT_EQ(nodes->size(), 1000u);
  EXPECT_EQ(nodes->front().name, "bulk-00000");
  EXPECT_EQ(nodes->back().name, "bulk-00999");
  for (size_t i = 1; i < nodes->size(); ++i) ASSERT_LT((*nodes)[i - 1].name, (*nodes)[i].name);
  auto stats = server.Stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ((*stats)["node_list_requests"].get<int>(), 1);
  EXPECT_EQ((*stats)["node_list_pages"].get<int>(), 4);  // 300+300+300+100

  // Default page size 500: still more than one page.
  KubeClient default_client(**cfg);
  ASSERT_TRUE(server.AdminPost("/reset-stats").ok());
  ASSERT_EQ(default_client.ListNodes()->size(), 1000u);
  EXPECT_GE((*server.Stats())["node_list_pages"].get<int>(), 2);
  server.Stop();
  (void)fs::RemoveAll(dir);
}

}  // namespace
}  // namespace paiplan::kube
