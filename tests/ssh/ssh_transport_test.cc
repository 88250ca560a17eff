// SshTransport against real sshd nodes: exec, streaming, SFTP, per-node
// /var/lib/paiplan, session reuse, host keys, auth, ProxyJump.
#include <sys/stat.h>

#include <fstream>
#include <random>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/base/fs.h"
#include "providers/ssh/ssh_pool.h"
#include "providers/ssh/ssh_transport.h"
#include "tests/ssh/sshd_harness.h"

namespace paiplan::providers::ssh {
namespace {

ExecRequest Cmd(std::string command) {
  ExecRequest r;
  r.command = std::move(command);
  return r;
}

using ::paiplan::testing::RunCommand;
using ::paiplan::testing::CountInFile;
using ::paiplan::testing::SshdHarness;
using ::testing::HasSubstr;
using ::testing::Not;

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string Token() {
  static std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(rng() % 1000000000ULL);
}

// "SHA256:..." of a public key file, as ssh-keygen -l prints it.
std::string FingerprintOf(const std::string& pub) {
  std::string out = pub + ".fp";
  RunCommand({"ssh-keygen", "-l", "-E", "sha256", "-f", pub}, out);
  std::string line = fs::ReadFile(out).value_or("");
  size_t b = line.find("SHA256:");
  return b == std::string::npos ? "missing" : line.substr(b, line.find(' ', b) - b);
}

class SshTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::SshdHarnessOptions o;
    o.nodes = 3;
    auto h = SshdHarness::Create(o);
    ASSERT_TRUE(h.has_value()) << h.error().message();
    harness_ = h->release();
  }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(harness_, nullptr); }
  static SshdHarness& H() { return *harness_; }

  static SshdHarness* harness_;
};
SshdHarness* SshTest::harness_ = nullptr;

TEST(ShellQuoteTest, QuotesSingleQuotes) {
  EXPECT_EQ(ShellQuote("plain"), "'plain'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
}

TEST(BuildRemoteCommandTest, ExportsEnvAndRejectsBadNames) {
  ExecRequest r;
  r.command = "echo hi";
  r.env = {{"B", "x y"}, {"A", "1"}};
  r.cwd = "/tmp";
  auto cmd = BuildRemoteCommand(r, "/tmp/p");
  ASSERT_TRUE(cmd.has_value());
  EXPECT_EQ(cmd->rfind("export A='1'; export B='x y'; cd '/tmp' && exec setsid -w sh -c ", 0), 0u)
      << *cmd;
  r.env = {{"BAD-NAME", "v"}};
  auto bad = BuildRemoteCommand(r, "/tmp/p");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
}

TEST_F(SshTest, ExecPassesEnvCwdAndExitStatus) {
  SshTransport t(H().Target(0));
  EXPECT_EQ(t.Describe(), "root@127.0.0.2:" + std::to_string(H().port()));
  ExecRequest r;
  r.command = "printf '%s|%s|' \"$A\" \"$B\"; pwd; exit 3";
  r.env = {{"A", "it's a 'quoted' $value"}, {"B", "two\nlines"}};
  r.cwd = "/usr/share";
  auto res = t.Exec(r);
  ASSERT_TRUE(res.has_value()) << res.error().message();
  EXPECT_EQ(res->exit_status, 3);
  EXPECT_EQ(res->stdout_tail, "it's a 'quoted' $value|two\nlines|/usr/share\n");

  r = ExecRequest();
  r.command = "no-such-command-paiplan";
  res = t.Exec(r);
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->exit_status, 127);
  EXPECT_THAT(res->stderr_tail, HasSubstr("not found"));

  r = ExecRequest();
  r.command = "true";
  r.cwd = "/no/such/dir";
  res = t.Exec(r);
  ASSERT_TRUE(res.has_value());
  EXPECT_NE(res->exit_status, 0);
}

TEST_F(SshTest, StreamsOutputWhileTheCommandRuns) {
  // The command prints "one" and then waits for a file that only the output
  // callback creates (through the node's bind-mounted /var/lib/paiplan): it
  // can only finish if "one" was delivered while it was still running.
  SshTransport t(H().Target(0));
  std::string go = "go-" + Token();
  ExecRequest r;
  r.command = "echo one; echo warn >&2; i=0; while [ ! -e /var/lib/paiplan/" + go +
              " ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "
              "[ -e /var/lib/paiplan/" + go + " ] && echo two";
  std::string out, err;
  r.on_output = [&](std::string_view chunk, bool is_stderr) {
    (is_stderr ? err : out).append(chunk);
    if (out.find("one\n") != std::string::npos) {
      fs::WriteFileAtomic(H().var_lib_dir(0) + "/" + go, "").ok();
    }
  };
  auto res = t.Exec(r);
  ASSERT_TRUE(res.has_value()) << res.error().message();
  EXPECT_EQ(out, "one\ntwo\n");
  EXPECT_EQ(err, "warn\n");
  EXPECT_EQ(res->exit_status, 0);
  fs::RemoveAll(H().var_lib_dir(0) + "/" + go).ok();
}

TEST_F(SshTest, UploadIsAtomicWithModeAndReadsBack) {
  SshTransport t(H().Target(1));
  std::string rel = "up-" + Token() + "/sub/dir/pkg.bin";
  std::string remote = "/var/lib/paiplan/" + rel;
  std::string host = H().var_lib_dir(1) + "/" + rel;
  std::string content = RandomBytes(100 * 1024, 7);
  ASSERT_TRUE(t.Upload(remote, content, 0640).ok());
  EXPECT_EQ(fs::ReadFile(host).value_or(""), content);
  struct stat st{};
  ASSERT_EQ(stat(host.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);

  // Overwrite (rename over an existing file) with other content and mode.
  std::string content2 = RandomBytes(1000, 8);
  ASSERT_TRUE(t.Upload(remote, content2, 0755).ok());
  auto back = t.ReadFile(remote);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, content2);
  ASSERT_EQ(stat(host.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  // No temp file left beside it.
  EXPECT_EQ(fs::ListDir(fs::Dirname(host)).value_or(std::vector<std::string>{}),
            std::vector<std::string>{"pkg.bin"});

  ASSERT_TRUE(t.RemoveFile(remote).ok());
  EXPECT_FALSE(fs::Exists(host));
  EXPECT_TRUE(t.RemoveFile(remote).ok());  // missing is OK
  auto missing = t.ReadFile(remote);
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
  // Empty files work too.
  ASSERT_TRUE(t.Upload(remote, "", 0600).ok());
  EXPECT_EQ(**t.ReadFile(remote), "");
}

TEST_F(SshTest, EachNodeHasItsOwnVarLibPaiplan) {
  SshTransport n0(H().Target(0)), n1(H().Target(1));
  std::string name = "/var/lib/paiplan/own-" + Token() + ".json";
  ASSERT_TRUE(n0.Upload(name, "{\"node\":0}", 0644).ok());
  auto on0 = n0.ReadFile(name);
  auto on1 = n1.ReadFile(name);
  ASSERT_TRUE(on0.has_value() && on1.has_value());
  ASSERT_TRUE(on0->has_value());
  EXPECT_FALSE(on1->has_value());
  // Through a shell as well, and the host sees it only in node 0's directory.
  ExecRequest r;
  r.command = "test -e " + name;
  EXPECT_EQ(n0.Exec(r)->exit_status, 0);
  EXPECT_NE(n1.Exec(r)->exit_status, 0);
  EXPECT_TRUE(fs::Exists(H().var_lib_dir(0) + "/" + fs::Basename(name)));
  EXPECT_FALSE(fs::Exists(H().var_lib_dir(1) + "/" + fs::Basename(name)));
  EXPECT_FALSE(fs::Exists(name));  // not on the host's own /var/lib/paiplan
}

TEST_F(SshTest, ReusesOneSessionForManyOperations) {
  const std::string accepted = "Accepted publickey for root";
  size_t before = CountInFile(H().log_path(2), accepted);
  SshTransport t(H().Target(2));
  for (int i = 0; i < 25; ++i) {
    ExecRequest r;
    r.command = "echo " + std::to_string(i);
    auto res = t.Exec(r);
    ASSERT_TRUE(res.has_value()) << res.error().message();
    EXPECT_EQ(res->stdout_tail, std::to_string(i) + "\n");
  }
  std::string f = "/var/lib/paiplan/reuse-" + Token();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(t.Upload(f, std::to_string(i), 0644).ok());
    EXPECT_EQ(**t.ReadFile(f), std::to_string(i));
  }
  EXPECT_EQ(t.stats().handshakes, 1);
  EXPECT_EQ(t.stats().execs, 25);
  EXPECT_EQ(CountInFile(H().log_path(2), accepted), before + 1);
}

TEST_F(SshTest, ReconnectsOnceAfterTheServerRestarted) {
  SshTransport t(H().Target(2));
  ExecRequest r;
  r.command = "echo up";
  ASSERT_TRUE(t.Exec(r).has_value());
  ASSERT_TRUE(H().Stop(2).ok());
  ASSERT_TRUE(H().Start(2).ok());
  auto res = t.Exec(r);
  ASSERT_TRUE(res.has_value()) << res.error().message();
  EXPECT_EQ(res->stdout_tail, "up\n");
  EXPECT_TRUE(t.ReadFile("/etc/hostname").has_value());
  EXPECT_EQ(t.stats().handshakes, 2);
}

TEST_F(SshTest, ChangedHostKeyIsRefusedWithFingerprintAndFix) {
  // known_hosts claims node 0 has node 1's key.
  std::string kh = H().dir() + "/kh-changed-" + Token();
  std::string pub1 = fs::ReadFile(H().host_key_pub(1)).value();
  std::string line = "[127.0.0.2]:" + std::to_string(H().port()) + " " + pub1;
  ASSERT_TRUE(fs::WriteFileAtomic(kh, line).ok());
  SshTarget target = H().Target(0);
  target.known_hosts_file = kh;
  for (auto policy : {SshTarget::kStrict, SshTarget::kAcceptNew}) {
    target.policy = policy;
    SshTransport t(target);
    auto res = t.Exec(Cmd("true"));
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().code(), Code::kPermissionDenied);
    const std::string& m = res.error().message();
    EXPECT_THAT(m, HasSubstr("host key for 127.0.0.2:" + std::to_string(H().port()) + " CHANGED"));
    EXPECT_THAT(m, HasSubstr("man-in-the-middle"));
    EXPECT_THAT(m, HasSubstr(FingerprintOf(H().host_key_pub(0))));
    EXPECT_THAT(m, HasSubstr("ssh-keygen -R '[127.0.0.2]:" + std::to_string(H().port()) + "' -f " + kh));
  }
  EXPECT_EQ(fs::ReadFile(kh).value(), line);  // never rewritten
}

TEST_F(SshTest, UnknownHostIsRefusedWhenStrict) {
  std::string kh = H().dir() + "/kh-empty-" + Token();
  ASSERT_TRUE(fs::WriteFileAtomic(kh, "").ok());
  SshTarget target = H().Target(1);
  target.known_hosts_file = kh;
  SshTransport t(target);
  auto res = t.ReadFile("/etc/hostname");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), Code::kPermissionDenied);
  std::string p = std::to_string(H().port());
  EXPECT_THAT(res.error().message(), HasSubstr("host key for 127.0.0.3:" + p + " is not in " + kh));
  EXPECT_THAT(res.error().message(), HasSubstr(FingerprintOf(H().host_key_pub(1))));
  EXPECT_THAT(res.error().message(),
              HasSubstr("ssh-keyscan -p " + p + " 127.0.0.3 >> " + kh));
  EXPECT_THAT(res.error().message(), HasSubstr("strict-host-keys: accept-new"));
}

TEST_F(SshTest, AcceptNewRecordsTheKeyAndStrictAcceptsItAfterwards) {
  std::string kh = H().dir() + "/kh-new-" + Token();
  SshTarget target = H().Target(1);
  target.known_hosts_file = kh;  // does not exist yet
  target.policy = SshTarget::kAcceptNew;
  {
    SshTransport t(target);
    auto res = t.Exec(Cmd("echo ok"));
    ASSERT_TRUE(res.has_value()) << res.error().message();
  }
  std::string written = fs::ReadFile(kh).value_or("");
  EXPECT_THAT(written, HasSubstr("[127.0.0.3]:" + std::to_string(H().port())));
  target.policy = SshTarget::kStrict;
  SshTransport strict(target);
  EXPECT_TRUE(strict.Connect().ok());
}

TEST_F(SshTest, AuthFailureNamesTheMethodsButNeverThePassword) {
  std::string key = H().dir() + "/other-key-" + Token();
  ASSERT_EQ(RunCommand({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key}), 0);
  SshTarget target = H().Target(0);
  target.identity_file = key;
  target.password = "s3cret-Pa55";
  SshTransport t(target);
  auto res = t.Exec(Cmd("true"));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), Code::kPermissionDenied);
  std::string p = std::to_string(H().port());
  EXPECT_THAT(res.error().message(),
              HasSubstr("authentication failed for root@127.0.0.2:" + p + " (tried: key " + key +
                        ", password)"));
  EXPECT_THAT(res.error().message(), Not(HasSubstr("s3cret")));
  EXPECT_THAT(t.Describe(), Not(HasSubstr("s3cret")));
}

TEST_F(SshTest, ProxyJumpReachesTheTargetThroughTheBastion) {
  SshTarget target = H().Target(2);
  SshJumpHost jump;
  jump.host = H().ip(0);
  jump.port = H().port();
  target.proxy_jump = jump;
  SshTransport t(target);
  EXPECT_EQ(t.Describe(), "root@127.0.0.4:" + std::to_string(H().port()) + " via 127.0.0.2");
  auto res = t.Exec(Cmd("echo via-jump; test -d /var/lib/paiplan"));
  ASSERT_TRUE(res.has_value()) << res.error().message();
  EXPECT_EQ(res->stdout_tail, "via-jump\n");
  EXPECT_EQ(res->exit_status, 0);
  std::string f = "/var/lib/paiplan/jump-" + Token();
  ASSERT_TRUE(t.Upload(f, "through the bastion", 0600).ok());
  EXPECT_EQ(fs::ReadFile(H().var_lib_dir(2) + "/" + fs::Basename(f)).value_or(""),
            "through the bastion");

  // The path really depends on the bastion: without it, a new session fails.
  ASSERT_TRUE(H().Stop(0).ok());
  SshTransport t2(target);
  auto down = t2.Exec(Cmd("true"));
  ASSERT_TRUE(H().Start(0).ok());
  ASSERT_FALSE(down.has_value());
  EXPECT_EQ(down.error().code(), Code::kUnavailable) << down.error().message();
  EXPECT_TRUE(SshTransport(H().Target(2)).Connect().ok());  // direct still fine
}

TEST(SshPoolTest, GetReturnsTheSameTransportPerMachine) {
  SshPool pool(2);
  SshTarget a, b;
  a.host = "127.0.0.2";
  b.host = "127.0.0.3";
  a.port = b.port = 1;
  Transport* t1 = pool.Get("m1", a);
  EXPECT_EQ(pool.Get("m1", a), t1);
  EXPECT_NE(pool.Get("m2", b), t1);
  Transport* moved = pool.Get("m1", b);  // endpoint changed: new transport
  EXPECT_NE(moved, t1);
  EXPECT_EQ(t1->Describe(), "root@127.0.0.2:1");  // old pointer still valid
  EXPECT_EQ(pool.TotalHandshakes(), 0);            // lazy: nothing connected yet
}

}  // namespace
}  // namespace paiplan::providers::ssh
