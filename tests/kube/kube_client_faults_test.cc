// KubeClient's error messages and fault handling against the API test server
// (tests/kube/serve) with its admin switches: a hung server, expired LIST
// continue tokens, tokens that expire, 404/409/422 answers.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "engine/base/fs.h"
#include "providers/kubernetes/kube_client.h"
#include "tests/kube/kube_server_fixture.h"

namespace paiplan::kube {
namespace {

using testing::KubeTestServer;
using testing::MakeTempDir;

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class KubeClientFaultsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir("kubefaults"));
    server_ = new KubeTestServer();
    Status s = server_->Start(*dir_, {"node-a", "node-b", "node-c"});
    ASSERT_TRUE(s.ok()) << s.message();
  }
  static void TearDownTestSuite() {
    server_->Stop();
    delete server_;
    (void)fs::RemoveAll(*dir_);
    delete dir_;
  }
  void TearDown() override {
    // No switch outlives its test.
    EXPECT_TRUE(server_->AdminPost("/hang?count=0").ok());
    EXPECT_TRUE(server_->AdminPost("/expire-continue?count=0").ok());
    EXPECT_TRUE(server_->AdminPost("/fail?count=0").ok());
  }

  static KubeConfig Config(const std::string& path = "") {
    KubeConfigOptions o;
    o.paths = {path.empty() ? server_->kubeconfig_path() : path};
    auto cfg = LoadKubeConfig(o);
    EXPECT_TRUE(cfg.has_value() && cfg->has_value());
    return cfg && *cfg ? **cfg : KubeConfig{};
  }
  static int Stat(const char* key) {
    auto stats = server_->Stats();
    EXPECT_TRUE(stats.has_value());
    return stats ? (*stats)[key].get<int>() : -1;
  }

  static std::string* dir_;
  static KubeTestServer* server_;
};
std::string* KubeClientFaultsTest::dir_ = nullptr;
KubeTestServer* KubeClientFaultsTest::server_ = nullptr;

TEST_F(KubeClientFaultsTest, MissingNodeNamesContextAndHowToPickAnother) {
  KubeClient client(Config());
  Status s = client.PatchNodeLabels("no-such-node", {{"a", "b"}});
  ASSERT_EQ(s.code(), Code::kNotFound) << s.message();
  EXPECT_TRUE(Has(s.message(), "no-such-node")) << s.message();
  EXPECT_TRUE(Has(s.message(), "context \"test\" (cluster \"paiplan-test\", " + server_->server_url()))
      << s.message();
  EXPECT_TRUE(Has(s.message(), "`kubernetes.context` in paiplan.yaml")) << s.message();
}

TEST_F(KubeClientFaultsTest, MissingNamespaceIsNamedWithTheFix) {
  KubeClient client(Config());
  auto read = client.GetConfigMap("no-such-ns", "pai-configuration");
  ASSERT_FALSE(read.has_value()) << "a missing namespace is not a missing ConfigMap";
  EXPECT_EQ(read.error().code(), Code::kNotFound);
  Status s = client.CreateOrReplaceConfigMap("no-such-ns", "pai-configuration", {{"k", "v"}});
  ASSERT_EQ(s.code(), Code::kNotFound) << s.message();
  EXPECT_TRUE(Has(s.message(), "namespace \"no-such-ns\"")) << s.message();
  EXPECT_TRUE(Has(s.message(), "kubectl create namespace no-such-ns")) << s.message();
  EXPECT_TRUE(Has(s.message(), "`kubernetes.namespace`")) << s.message();
  EXPECT_TRUE(Has(s.message(), "context \"test\"")) << s.message();
}

TEST_F(KubeClientFaultsTest, InvalidLabelNamesTheFieldAndWhatWasSent) {
  KubeClient client(Config());
  Status s = client.PatchNodeLabels("node-a", {{"bad key!", "true"}});
  ASSERT_EQ(s.code(), Code::kInvalidArgument) << s.message();
  EXPECT_TRUE(Has(s.message(), "[causes: metadata.labels: Invalid value")) << s.message();
  EXPECT_TRUE(Has(s.message(), "paiplan sent: PATCH /api/v1/nodes/node-a {\"metadata\":{\"labels\":"
                               "{\"bad key!\":\"true\"}}}"))
      << s.message();
  EXPECT_TRUE(Has(s.message(), "layout.yaml")) << s.message();
}

TEST_F(KubeClientFaultsTest, InvalidConfigMapKeyNamesItButNotTheValues) {
  KubeClient client(Config());
  Status s = client.CreateOrReplaceConfigMap("default", "bad-keys", {{"bad key", "s3cret-value"}});
  ASSERT_EQ(s.code(), Code::kInvalidArgument) << s.message();
  EXPECT_TRUE(Has(s.message(), "causes: data[bad key]: Invalid value")) << s.message();
  EXPECT_TRUE(Has(s.message(), "paiplan sent: POST /api/v1/namespaces/default/configmaps")) << s.message();
  EXPECT_TRUE(Has(s.message(), "\"bad key\":\"<12 bytes>\"")) << s.message();
  EXPECT_FALSE(Has(s.message(), "s3cret-value")) << s.message();
  EXPECT_TRUE(Has(s.message(), "input file names")) << s.message();
}

TEST_F(KubeClientFaultsTest, ConflictAfterRetriesSaysWhatToDo) {
  KubeClientOptions options;
  options.conflict_retries = 1;
  KubeClient client(Config(), options);
  ASSERT_TRUE(client.CreateOrReplaceConfigMap("default", "busy", {{"v", "1"}}).ok());
  ASSERT_TRUE(server_->AdminPost("/conflict?namespace=default&name=busy&count=100").ok());
  Status s = client.CreateOrReplaceConfigMap("default", "busy", {{"v", "2"}});
  ASSERT_TRUE(server_->AdminPost("/conflict?namespace=default&name=busy&count=0").ok());
  ASSERT_EQ(s.code(), Code::kConflict) << s.message();
  EXPECT_TRUE(Has(s.message(), "gave up after 2 attempts")) << s.message();
  EXPECT_TRUE(Has(s.message(), "another writer")) << s.message();
  EXPECT_TRUE(Has(s.message(), server_->server_url())) << s.message();
}

TEST_F(KubeClientFaultsTest, HungServerTimesOutWithinTheTimeoutNamingTheSetting) {
  ASSERT_TRUE(server_->AdminPost("/hang?seconds=8&count=1").ok());
  KubeClientOptions options;
  options.request_timeout = std::chrono::milliseconds(1000);
  KubeClient client(Config(), options);
  auto start = std::chrono::steady_clock::now();
  auto nodes = client.ListNodes();
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(nodes.has_value());
  const std::string& m = nodes.error().message();
  EXPECT_EQ(nodes.error().code(), Code::kTimeout) << m;
  EXPECT_TRUE(nodes.error().retryable());
  EXPECT_LT(took, std::chrono::seconds(4)) << "the 8 s hang must be cut at the 1 s timeout";
  EXPECT_TRUE(Has(m, "listing nodes")) << m;
  EXPECT_TRUE(Has(m, server_->server_url())) << m;
  EXPECT_TRUE(Has(m, "timed out after 1 s")) << m;
  EXPECT_TRUE(Has(m, "raise `kubernetes.timeout` (seconds) in paiplan.yaml (now 1 s)")) << m;
  EXPECT_EQ(Stat("hung"), 1);
  // The next request is not hung and succeeds.
  EXPECT_TRUE(client.ListNodes().has_value());
}

TEST_F(KubeClientFaultsTest, ExpiredContinueTokenRestartsTheListOnce) {
  KubeClientOptions options;
  options.list_page_size = 1;
  KubeClient client(Config(), options);
  ASSERT_TRUE(server_->AdminPost("/reset-stats").ok());
  ASSERT_TRUE(server_->AdminPost("/expire-continue?count=1").ok());
  auto nodes = client.ListNodes();
  ASSERT_TRUE(nodes.has_value()) << nodes.error().message();
  ASSERT_EQ(nodes->size(), 3u);
  EXPECT_EQ((*nodes)[0].name, "node-a");
  EXPECT_EQ((*nodes)[2].name, "node-c");
  EXPECT_EQ(Stat("expired_continue"), 1);
  EXPECT_EQ(Stat("node_list_requests"), 2) << "one restart from the beginning";
  EXPECT_EQ(Stat("node_list_pages"), 5) << "page 1, 410 on page 2, then pages 1-3 again";
}

TEST_F(KubeClientFaultsTest, SecondExpiredContinueTokenFailsInsteadOfLooping) {
  KubeClientOptions options;
  options.list_page_size = 1;
  KubeClient client(Config(), options);
  ASSERT_TRUE(server_->AdminPost("/reset-stats").ok());
  ASSERT_TRUE(server_->AdminPost("/expire-continue?count=5").ok());
  auto nodes = client.ListNodes();
  ASSERT_FALSE(nodes.has_value());
  const std::string& m = nodes.error().message();
  EXPECT_EQ(nodes.error().code(), Code::kUnavailable) << m;
  EXPECT_TRUE(Has(m, "HTTP 410")) << m;
  EXPECT_TRUE(Has(m, "restarted once")) << m;
  EXPECT_TRUE(Has(m, "run the command again")) << m;
  EXPECT_EQ(Stat("node_list_requests"), 2);
}

TEST_F(KubeClientFaultsTest, TokenPastItsExpiryNamesTheKubeconfigUserAndSaysRefresh) {
  // A kubeconfig like the server's, whose user carries a short-lived token.
  std::string text = *fs::ReadFile(server_->kubeconfig_path());
  text.replace(text.find(server_->token()), server_->token().size(), "short-lived-token");
  const std::string path = *dir_ + "/short-lived.kubeconfig";
  std::ofstream(path) << text;
  ASSERT_TRUE(server_->AdminPost("/tokens?token=short-lived-token&expires-in=1.5").ok());
  KubeClient client(Config(path));
  ASSERT_TRUE(client.ListNodes().has_value()) << "valid before its expiry";
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  auto nodes = client.ListNodes();
  ASSERT_FALSE(nodes.has_value());
  const std::string& m = nodes.error().message();
  EXPECT_EQ(nodes.error().code(), Code::kPermissionDenied) << m;
  EXPECT_TRUE(Has(m, "HTTP 401 (Unauthorized: token expired)")) << m;
  EXPECT_TRUE(Has(m, "token from kubeconfig user \"test-token\"")) << m;
  EXPECT_TRUE(Has(m, "refresh the credentials")) << m;
  EXPECT_FALSE(Has(m, "short-lived-token")) << "never the secret itself: " << m;
}

// 500 and 503 answers and reset connections (admin /fail, tests/kube/kubeserve/
// faults.py): the call fails retryable (the executor retries it within its
// limits) with a message naming what came back, never a success, and stores
// nothing; with the fault gone the same call works.
TEST_F(KubeClientFaultsTest, ServerErrorsAndResetConnectionsFailRetryableNeverDone) {
  ASSERT_TRUE(server_->AdminPost("/fail?count=0").ok());
  ASSERT_TRUE(server_->AdminPost("/reset-stats").ok());
  KubeClient client(Config(), KubeClientOptions{});
  const nlohmann::json cm = {{"apiVersion", "v1"},
                             {"kind", "ConfigMap"},
                             {"metadata", {{"name", "faulty"}, {"namespace", "default"}}},
                             {"data", {{"k", "v"}}}};
  const std::string path = "/api/v1/namespaces/default/configmaps/faulty";
  for (std::string fault : {"500", "503", "reset"}) {
    // libcurl resends once, on a new connection, a request whose reused
    // connection was reset before any answer: reset more often than that.
    std::string count = fault == "reset" ? "10" : "1";
    ASSERT_TRUE(server_->AdminPost("/fail?status=" + fault + "&count=" + count + "&method=PATCH").ok());
    auto applied = client.ApplyObject(path, cm, "paiplan", false, false);
    ASSERT_FALSE(applied.has_value()) << fault << ": a failed apply came back as done";
    const std::string& m = applied.error().message();
    EXPECT_EQ(applied.error().code(), Code::kUnavailable) << fault << ": " << m;
    EXPECT_TRUE(applied.error().retryable()) << m;
    if (fault != "reset") {
      EXPECT_TRUE(Has(m, "injected by the test server")) << m;
    } else {
      EXPECT_TRUE(Has(m, server_->server_url())) << m;
    }
    ASSERT_TRUE(server_->AdminPost("/fail?count=0").ok());
    auto live = client.GetObject(path);
    ASSERT_TRUE(live.has_value()) << live.error().message();
    EXPECT_FALSE(live->has_value()) << fault << ": the refused apply stored the object";
  }
  auto applied = client.ApplyObject(path, cm, "paiplan", false, false);
  ASSERT_TRUE(applied.has_value()) << applied.error().message();
  EXPECT_EQ(Stat("failed"), 2);
  EXPECT_GE(Stat("reset"), 1);
  EXPECT_TRUE(client.DeleteObject(path).ok());
}

}  // namespace
}  // namespace paiplan::kube
