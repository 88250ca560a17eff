// LocalTransport: plain commands are spawned without /bin/sh, everything
// else still goes through the shell, uploads land atomically under the root.
#include "engine/plan/local_transport.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "engine/base/fs.h"

namespace paiplan::plan {
namespace {

class LocalTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pp_local_XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  void TearDown() override { ASSERT_TRUE(fs::RemoveAll(root_).ok()); }

  // Runs `cmd` in /work on the node; returns its exit status and output.
  std::pair<int, std::string> Run(LocalTransport& t, const std::string& cmd) {
    providers::ExecRequest req;
    req.command = cmd;
    req.cwd = "/work";
    req.timeout = std::chrono::seconds(20);
    std::string out;
    req.on_output = [&](std::string_view chunk, bool) { out += chunk; };
    auto r = t.Exec(req);
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return {r ? r->exit_status : -1, out};
  }

  std::string root_;
};

TEST_F(LocalTransportTest, PlainCommandRunsWithoutAShell) {
  LocalTransport t(root_);
  // The script prints its parent's command name: this test binary when the
  // command was spawned directly, a shell when /bin/sh -c ran it.
  ASSERT_TRUE(t.Upload("/work/who.sh", "cat /proc/$PPID/comm\necho \"root=$PAIPLAN_NODE_ROOT arg=$1\"\n", 0755).ok());
  auto [rc, out] = Run(t, "bash ./who.sh x-1");
  EXPECT_EQ(rc, 0);
  std::string self;
  std::ifstream("/proc/self/comm") >> self;
  EXPECT_EQ(out, self + "\nroot=" + root_ + " arg=x-1\n");
}

TEST_F(LocalTransportTest, ShellSyntaxStillGoesThroughTheShell) {
  LocalTransport t(root_);
  ASSERT_TRUE(t.Upload("/work/ok.sh", "echo one\n", 0755).ok());
  EXPECT_EQ(Run(t, "bash ./ok.sh && echo two | tr a-z A-Z").second, "one\nTWO\n");
  EXPECT_EQ(Run(t, "GREETING=hi bash -c 'echo $GREETING'").second, "hi\n");
  EXPECT_EQ(Run(t, "exit 3").first, 3);
  // A program that is not on PATH: the shell's "not found" (127), not an error.
  auto [rc, out] = Run(t, "no-such-program-paiplan --flag");
  EXPECT_EQ(rc, 127);
  EXPECT_NE(out.find("not found"), std::string::npos) << out;
}

TEST_F(LocalTransportTest, UploadCreatesParentsAndReplacesAtomically) {
  LocalTransport t(root_);
  ASSERT_TRUE(t.Upload("/var/lib/paiplan/staging/a.sh", "v1", 0755).ok());
  ASSERT_TRUE(t.Upload("/var/lib/paiplan/staging/a.sh", "v2", 0644).ok());
  EXPECT_EQ(*fs::ReadFile(root_ + "/var/lib/paiplan/staging/a.sh"), "v2");
  auto entries = fs::ListDir(root_ + "/var/lib/paiplan/staging");
  ASSERT_TRUE(entries);
  EXPECT_EQ(*entries, std::vector<std::string>{"a.sh"});
  auto back = t.ReadFile("/var/lib/paiplan/staging/a.sh");
  ASSERT_TRUE(back && back->has_value());
  EXPECT_EQ(**back, "v2");
}

}  // namespace
}  // namespace paiplan::plan
