// concurrency.ssh-handshakes through the real binary on real sshd nodes: the
// machines are reached through tests/fleet/slow_proxy.py, which holds the
// start of every connection (before the server's SSH banner) and counts how
// many are held at once. Only that count is checked, never times.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/ssh_e2e/e2e_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

class SshHandshakeConcurrencyTest : public SshE2eTest {
 protected:
  // Starts k nodes behind the proxy with concurrency.ssh-handshakes `bound`,
  // applies, and returns what the proxy counted.
  nlohmann::json ApplyThroughProxy(int k, int bound) {
    ClusterOptions o;
    o.strict_host_keys = "accept-new";  // the proxy addresses are new to known_hosts
    o.extra_settings = "concurrency:\n  ssh-handshakes: " + std::to_string(bound) + "\n";
    StartCluster(k, o);
    if (HasFatalFailure()) return {};
    std::string layout = ReadFile(ws_ + "/layout.yaml");
    std::vector<std::string> argv = {"/usr/bin/python3", std::string(PAIPLAN_TEST_DIR) + "/fleet/slow_proxy.py",
                                     "--port", std::to_string(h_->port()), "--hold", "0.5", "--stats", ws_ + "/proxy.json"};
    for (int i = 0; i < k; ++i) {
      std::string proxy_ip = "127.0.1." + std::to_string(i + 2);
      std::string from = "hostip: " + h_->ip(i) + "\n";
      size_t at = layout.find(from);
      EXPECT_NE(at, std::string::npos) << layout;
      if (at != std::string::npos) layout.replace(at, from.size(), "hostip: " + proxy_ip + "\n");
      argv.push_back(proxy_ip + "=" + h_->ip(i));
    }
    WriteFile(ws_ + "/layout.yaml", layout);
    proxy_ = std::make_unique<Background>(argv, ws_, 600);
    for (int t = 0; t < 300 && !Exists(ws_ + "/proxy.json.ready") && proxy_->Running(); ++t) SleepMs(100);
    EXPECT_TRUE(Exists(ws_ + "/proxy.json.ready")) << "the proxy did not start";
    RunResult r = Paiplan({"apply", "--auto-approve"});
    EXPECT_EQ(r.rc, 0) << r.all();
    return nlohmann::json::parse(ReadFile(ws_ + "/proxy.json"), nullptr, false);
  }
  void TearDown() override {
    proxy_.reset();  // killed by pid (its own process group)
    SshE2eTest::TearDown();
  }
  std::unique_ptr<Background> proxy_;
};

TEST_F(SshHandshakeConcurrencyTest, SshHandshakesBoundsConnectionsBeingSetUp) {
  nlohmann::json stats = ApplyThroughProxy(6, 2);
  ASSERT_TRUE(stats.is_object()) << stats.dump();
  EXPECT_GE(stats.value("connections", 0), 6) << "every machine was reached through the proxy";
  EXPECT_EQ(stats.value("max_held", 0), 2) << "ssh-handshakes: 2 (and six connections may overlap)";
}

TEST_F(SshHandshakeConcurrencyTest, WithAHigherBoundMoreHandshakesOverlap) {
  nlohmann::json stats = ApplyThroughProxy(6, 16);
  ASSERT_TRUE(stats.is_object()) << stats.dump();
  EXPECT_GE(stats.value("max_held", 0), 3) << "without a tight bound the six handshakes overlap";
}

}  // namespace
}  // namespace paiplan::ssh_e2e
