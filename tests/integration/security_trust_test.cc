// Security review findings about trust (docs/security.md), on the real
// binary: an untrusted workspace's credentials and servers, tokens with line
// breaks, shell code in configuration values, secrets of every type, hostile
// YAML and templates, and single-line layout fields.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

namespace stdfs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// A TCP listener on 127.0.0.1 (free port) that counts connections and keeps
// what they sent: proves whether paiplan sent anything to a server.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 8) != 0) std::abort();
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Listener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  int connections() const { return connections_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      ++connections_;
      ::close(c);  // the request fails; what matters is that one was made
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string Kubeconfig(int port, const std::string& user_lines) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster:\n    server: http://127.0.0.1:" +
         std::to_string(port) + "\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user:\n" +
         user_lines;
}

void WriteKubeSettings(const TestWorkspace& ws, const std::vector<std::string>& services) {
  std::string s = "enabled-services:\n";
  for (const auto& x : services) s += "  - " + x + "\n";
  s += "service-paths:\n  - services\nkubernetes:\n  kubeconfig: kubeconfig.yaml\nretry:\n  attempts: 1\n";
  WriteFile(ws.Path("paiplan.yaml"), s);
}

TEST(IntegSecurityTrustTest, UntrustedWorkspaceSendsNoLocalFileToItsServer) {
  TestWorkspace ws({"t-base"});
  Listener server;
  WriteFile(ws.Path("stolen.txt"), "operator-private-token\n");
  WriteFile(ws.Path("kubeconfig.yaml"), Kubeconfig(server.port(), "    tokenFile: " + ws.Path("stolen.txt") + "\n"));
  WriteKubeSettings(ws, {"t-base"});
  RunResult flag = ws.Paiplan({"--untrusted-workspace", "plan"});
  EXPECT_EQ(flag.exit_code, 0) << flag.All();
  EXPECT_THAT(flag.err, HasSubstr("untrusted workspace: kubernetes.kubeconfig / kubernetes.context is ignored"));
  RunOptions o = ws.Options();
  o.env["PAIPLAN_UNTRUSTED_WORKSPACE"] = "1";
  RunResult env = integration::Run({PaiplanBinary(), "-C", ws.root(), "plan"}, o);
  EXPECT_EQ(env.exit_code, 0) << env.All();
  EXPECT_THAT(env.err, HasSubstr("untrusted workspace"));
  EXPECT_EQ(server.connections(), 0) << "the workspace's kubeconfig was used";
  // Trusted, the same workspace does reach its server: the listener works.
  ws.Paiplan({"plan"});
  EXPECT_GE(server.connections(), 1);
}

TEST(IntegSecurityTrustTest, UntrustedRefusesPlainHttpEvenFromTheOperatorsKubeconfig) {
  TestWorkspace ws({"t-base"});
  Listener server;
  WriteFile(ws.Path("operator-kubeconfig"), Kubeconfig(server.port(), "    token: abc\n"));
  RunOptions o = ws.Options();
  o.env["KUBECONFIG"] = ws.Path("operator-kubeconfig");
  o.unset_env = {"PAIPLAN_TEST_LOG"};
  WriteFile(ws.Path("paiplan.yaml"), "enabled-services: [t-base]\nservice-paths: [services]\nretry: {attempts: 1}\n");
  RunResult r = integration::Run({PaiplanBinary(), "-C", ws.root(), "--untrusted-workspace", "plan"}, o);
  EXPECT_THAT(r.All(), HasSubstr("is not an https server"));
  EXPECT_EQ(server.connections(), 0);
}

TEST(IntegSecurityTrustTest, TokenWithALineBreakIsRefusedBeforeAnyRequest) {
  TestWorkspace ws({"t-base"});
  Listener server;
  WriteFile(ws.Path("token.txt"), "line-one\r\nX-Injected: yes\n");
  WriteFile(ws.Path("kubeconfig.yaml"), Kubeconfig(server.port(), "    tokenFile: token.txt\n"));
  WriteKubeSettings(ws, {"t-base"});
  RunResult r = ws.Paiplan({"plan"});
  EXPECT_THAT(r.All(), HasSubstr("control character"));
  EXPECT_THAT(r.All(), Not(HasSubstr("X-Injected")));
  EXPECT_EQ(server.connections(), 0);
}

TEST(IntegSecurityTrustTest, UntrustedPlanRunsNoProbeAndApplyIsRefused) {
  TestWorkspace ws({"t-probe"});
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::error_code ec;
  stdfs::remove(ws.Path("probe.env"), ec);
  ws.ResetCalls();
  RunResult p = ws.Paiplan({"--untrusted-workspace", "plan"});
  EXPECT_EQ(p.exit_code, 0) << p.All();
  EXPECT_FALSE(stdfs::exists(ws.Path("probe.env"))) << "the status probe ran";
  RunResult a = ws.Paiplan({"--untrusted-workspace", "apply", "--auto-approve"});
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_THAT(a.err, HasSubstr("can be validated and planned, not applied"));
  EXPECT_TRUE(ws.Calls().empty());
  ws.Paiplan({"plan"});
  EXPECT_TRUE(stdfs::exists(ws.Path("probe.env"))) << "trusted, the probe runs: the check above means something";
}

TEST(IntegSecurityTrustTest, CatalogueServiceEnvQuotesEveryConfigValue) {
  const std::string catalogue = std::string(PAIPLAN_TEST_DIR) + "/../services";
  std::string pwned = "/tmp/pp-sec-pwned-" + std::to_string(::getpid());
  std::string hostile = "x'; touch " + pwned + "; echo '$(touch " + pwned + ")";
  int rendered = 0;
  for (const auto& e : stdfs::directory_iterator(catalogue)) {
    std::string tmpl = e.path().string() + "/deploy/service.env.template";
    if (!stdfs::exists(tmpl)) continue;
    std::string name = e.path().filename().string();
    nlohmann::json cfg = {{"namespace", hostile}, {"ready-timeout", 30}, {"storage-path", hostile},
                          {"data-path", hostile}, {"release", hostile}, {"chart", hostile}, {"pvc-name", hostile}};
    std::string ctx = ::testing::TempDir() + "/ctx-" + name + ".json";
    WriteFile(ctx, nlohmann::json({{"cluster_cfg", {{name, cfg}}}}).dump());
    RunResult r = integration::Run({PaiplanBinary(), "render", tmpl, "--context", ctx});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.All();
    std::string env = ::testing::TempDir() + "/" + name + ".env";
    WriteFile(env, r.out);
    RunResult sourced = integration::Run({"/bin/bash", "-c", "source " + env + " && printf %s \"$NAMESPACE\""});
    EXPECT_EQ(sourced.exit_code, 0) << name << ": " << sourced.All();
    EXPECT_EQ(sourced.out, hostile) << name;
    EXPECT_FALSE(stdfs::exists(pwned)) << name << ": a configuration value ran as shell code:\n" << r.out;
    ++rendered;
  }
  EXPECT_GE(rendered, 15);
}

TEST(IntegSecurityTrustTest, NamespaceMustBeADnsLabel) {
  TestWorkspace ws({"t-base"});
  ws.WriteServicesConfig("t-base:\n  namespace: \"default; touch /tmp/x\"\n");
  RunResult v = ws.Paiplan({"validate"});
  EXPECT_EQ(v.exit_code, 1) << v.All();
  EXPECT_THAT(v.err, HasSubstr("error: services-configuration.yaml:2:14: t-base.namespace \"default; touch /tmp/x\" is "
                               "not a valid Kubernetes namespace"));
}

TEST(IntegSecurityTrustTest, SecretsOfEveryTypeAreMaskedByKey) {
  TestWorkspace ws({"t-app", "t-store", "t-cache", "t-base"});
  WriteFile(ws.Path("services/t-app/deploy/t-app.conf.template"),
            "value={{ cluster_cfg['t-app']['value'] }}\nup={{ cluster_cfg['t-app']['admin-password'] | upper }}\n"
            "n={{ cluster_cfg['t-app']['api-token'] }}\nl={{ cluster_cfg['t-app']['db-secret'] | join(',') }}\n");
  auto config = [&](const std::string& pw, int token, const std::string& item) {
    ws.WriteServicesConfig("t-app:\n  value: v\n  admin-password: " + pw + "\n  api-token: " + std::to_string(token) +
                           "\n  db-secret: [" + item + ", beta-item]\n  ssh-key: {inner: gamma-inner}\n  pin-password: ab\n");
  };
  config("alpha-pw-one", 987654321, "alpha-item");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  config("second-pw-two", 123456789, "other-item");
  std::vector<std::pair<std::string, RunResult>> runs;
  for (auto args : {std::vector<std::string>{"plan"}, std::vector<std::string>{"--json", "plan"},
                    std::vector<std::string>{"--json", "show"}, std::vector<std::string>{"state", "pull"},
                    std::vector<std::string>{"state", "show", "service.t-app"}}) {
    runs.emplace_back(args.back(), ws.Paiplan(args));
  }
  EXPECT_THAT(runs[0].second.out, HasSubstr("render.t-app/t-app.conf")) << "no change planned: the test checks nothing";
  for (const auto& [what, r] : runs) {
    EXPECT_EQ(r.exit_code, 0) << what << ": " << r.All();
    for (const char* s : {"alpha-pw-one", "ALPHA-PW-ONE", "second-pw-two", "SECOND-PW-TWO", "987654321", "123456789",
                          "alpha-item", "other-item", "beta-item", "gamma-inner"}) {
      EXPECT_THAT(r.All(), Not(HasSubstr(s))) << what;
    }
  }
  auto pulled = nlohmann::json::parse(runs[3].second.out);
  const auto& cfg = pulled["resources"]["service.t-app"]["attributes"]["config"];
  EXPECT_EQ(cfg["pin-password"], "(sensitive)") << "a short value is masked by its key";
  EXPECT_EQ(cfg["api-token"], "(sensitive)");
  EXPECT_EQ(cfg["db-secret"], "(sensitive)");
  RunResult clear = ws.Paiplan({"state", "pull", "--show-sensitive"});
  EXPECT_THAT(clear.out, HasSubstr("987654321"));
  WriteFile(ws.Path("masked.json"), runs[3].second.out);
  RunResult push = ws.Paiplan({"state", "push", "--force", ws.Path("masked.json")});
  EXPECT_EQ(push.exit_code, 1) << "a masked document would overwrite the secrets";
  EXPECT_THAT(push.err, HasSubstr("--show-sensitive"));
}

TEST(IntegSecurityTrustTest, HostileYamlStopsWithinItsLimits) {
  TestWorkspace ws({"t-base"});
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, char(c - 1));
    laughs += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
              ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  }
  WriteFile(ws.Path("services-configuration.yaml"), laughs);
  RunResult bomb = ws.Paiplan({"validate"}, 60);
  EXPECT_EQ(bomb.exit_code, 1) << bomb.All();
  EXPECT_THAT(bomb.err, HasSubstr("error: services-configuration.yaml:"));
  EXPECT_THAT(bomb.err, HasSubstr("aliases expand to more than 10000000 nodes (the limit)"));
  std::string deep = "t-base:\n  v: " + std::string(300, '[') + std::string(300, ']') + "\n";
  WriteFile(ws.Path("services-configuration.yaml"), deep);
  RunResult nest = ws.Paiplan({"validate"});
  EXPECT_EQ(nest.exit_code, 1) << nest.All();
  EXPECT_THAT(nest.err, HasSubstr("error: services-configuration.yaml:2:"));
  EXPECT_THAT(nest.err, HasSubstr("nested more than 200 levels deep"));
}

TEST(IntegSecurityTrustTest, DeepTemplateExpressionFailsInValidateAndPlanWithoutACrash) {
  TestWorkspace ws({"t-base"});
  std::string sum = "x={{ 1";
  for (int i = 0; i < 20000; ++i) sum += " + 1";
  WriteFile(ws.Path("services/t-base/deploy/t-base.conf.template"), "first\n" + sum + " }}\n");
  for (const char* cmd : {"validate", "plan"}) {
    RunResult r = ws.Paiplan({cmd});
    EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.All();
    EXPECT_EQ(r.term_signal, 0) << cmd << " crashed";
    EXPECT_THAT(r.err, HasSubstr("t-base/deploy/t-base.conf.template:2:6: expression nested too deeply")) << cmd;
  }
}

TEST(IntegSecurityTrustTest, LayoutFieldsAreSingleLinesAndNoSshOption) {
  TestWorkspace ws({"t-base"});
  std::string layout = ReadFileOr(ws.Path("layout.yaml"));
  std::string bad = layout;
  bad.replace(bad.find("hostip: 127.0.0.11"), 18, "hostip: \"127.0.0.11\\nEXTRA\"");
  bad += "    proxy-jump: \"-oProxyCommand=touch /tmp/pp-sec-x@jump\"\n    username: \"root\\r\"\n";
  WriteFile(ws.Path("layout.yaml"), bad);
  RunResult v = ws.Paiplan({"validate"});
  EXPECT_EQ(v.exit_code, 1) << v.All();
  EXPECT_THAT(v.err, HasSubstr("machine 'node-0': hostip '127.0.0.11\\x0aEXTRA' contains a control character"));
  EXPECT_THAT(v.err, HasSubstr("machine 'node-0': username 'root\\x0d' contains a control character"));
  EXPECT_THAT(v.err, HasSubstr("proxy-jump '-oProxyCommand=touch /tmp/pp-sec-x@jump' starts with '-'"));
  EXPECT_THAT(v.err, HasSubstr("error: layout.yaml:"));
}

TEST(IntegSecurityTrustTest, HugeConfigValueIsNotPrintedWhole) {
  TestWorkspace ws({"t-base"});
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.WriteServicesConfig("t-base:\n  value: " + std::string(3 << 20, 'z') + "\n");
  RunResult p = ws.Paiplan({"plan"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_LT(p.out.size(), size_t(64 << 10)) << "the value was printed whole";
  EXPECT_THAT(p.out, HasSubstr("bytes; shortened"));
}

}  // namespace
}  // namespace paiplan::integration
