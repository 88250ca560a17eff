// A machine with `password:` and no keyfile-path in layout.yaml, through the
// paiplan binary: it is bootstrapped over a password login, and the password
// (a sensitive value) appears in no output — plan text and JSON, the saved
// plan, apply, `.paiplan/` (logs included), state pull/show, drift text and
// JSON. The sshd nodes accept the password through a shadow copy mounted in
// their own namespaces only; the host's /etc/shadow must be unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "engine/base/sha256.h"
#include "tests/ssh_e2e/e2e_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

namespace stdfs = std::filesystem;

class SshE2ePasswordTest : public SshE2eTest {
 protected:
  // Every regular file under `dir` (recursively) whose bytes contain `needle`.
  static std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle,
                                                  int* files_read) {
    std::vector<std::string> hits;
    std::error_code ec;
    for (auto it = stdfs::recursive_directory_iterator(dir, ec);
         !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      ++*files_read;
      if (ReadFile(it->path().string()).find(needle) != std::string::npos) {
        hits.push_back(it->path().string());
      }
    }
    return hits;
  }
};

// node0 logs in with the harness key, node1 only with its layout password.
TEST_F(SshE2ePasswordTest, PasswordMachineBootstrapsAndThePasswordIsNeverShown) {
  const std::string shadow_before = Sha256Hex(ReadFile("/etc/shadow"));
  ASSERT_FALSE(ReadFile("/etc/shadow").empty());
  const std::string pw = "pp-E2e-Secret-" + std::to_string(std::random_device{}());
  ClusterOptions options;
  options.root_password = pw;
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, options));
  entry_options_[1].keyfile = "";
  entry_options_[1].extra = "    password: " + pw + "\n";
  WriteLayout({0, 1});
  ASSERT_THAT(ReadFile(ws_ + "/layout.yaml"), HasSubstr("password: " + pw));
  std::vector<std::pair<std::string, std::string>> outputs;  // what -> text
  auto keep = [&](const std::string& what, const RunResult& r) { outputs.emplace_back(what, r.all()); };

  RunResult plan = Paiplan({"plan", "--detailed-exitcode"});
  keep("plan", plan);
  ASSERT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("+ node.node1"));
  nlohmann::json plan_json;
  EXPECT_EQ(PlannedChanges(&plan_json).count("node.node1"), 1u);
  outputs.emplace_back("plan --json", plan_json.dump());
  const std::string saved_plan = ws_ + "/saved.plan";
  RunResult saved = Paiplan({"plan", "-o", saved_plan});
  keep("plan -o", saved);
  EXPECT_TRUE(Exists(saved_plan)) << saved.all();
  outputs.emplace_back("the saved plan file", ReadFile(saved_plan));
  keep("show saved plan", Paiplan({"show", saved_plan}));

  RunResult apply = Paiplan({"apply", "--auto-approve"});
  keep("apply", apply);
  ASSERT_EQ(apply.rc, 0) << apply.all();
  EXPECT_THAT(apply.out, HasSubstr("Apply complete! Actions: 2 done, 0 failed"));
  auto marker = Marker(1);
  ASSERT_TRUE(marker.is_object()) << ReadFile(MarkerPath(1));
  EXPECT_EQ(marker.value("hostname", ""), "node1");
  EXPECT_EQ(ReadFile(NodeFile(1, "bootstrap.log")), "bootstrap node1 worker\n");
  std::string node1_log = ReadFile(h_->log_path(1));
  EXPECT_GE(CountOf(node1_log, "Accepted password for root"), 1) << node1_log;
  EXPECT_EQ(CountOf(node1_log, "Accepted publickey"), 0) << "node1 has no key in the layout";

  keep("state pull", Paiplan({"state", "pull"}));
  keep("state show node.node1 --json", Paiplan({"state", "show", "node.node1", "--json"}));
  keep("show", Paiplan({"show"}));
  RunResult clean = Paiplan({"drift"});
  keep("drift (clean)", clean);
  EXPECT_EQ(clean.rc, 0) << clean.all();
  ASSERT_EQ(Shell("rm '" + MarkerPath(1) + "'").rc, 0);
  RunResult drift = Paiplan({"drift"});
  keep("drift", drift);
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    node.node1 (node): bootstrap marker missing"));
  keep("drift --json", Paiplan({"drift", "--json"}));

  for (const auto& [what, text] : outputs) {
    EXPECT_FALSE(text.empty()) << what;
    EXPECT_THAT(text, Not(HasSubstr(pw))) << what;
  }
  ASSERT_TRUE(stdfs::is_directory(ws_ + "/.paiplan/logs"));
  int files_read = 0;
  EXPECT_THAT(FilesContaining(ws_ + "/.paiplan/logs", "node1", &files_read), Not(::testing::IsEmpty()))
      << "the apply logs name the machine (so the search below reads real logs)";
  // The whole workspace (.paiplan/ with its logs, state and rendered files,
  // the saved plan): the password is only where the user wrote it.
  files_read = 0;
  EXPECT_THAT(FilesContaining(ws_, pw, &files_read), ::testing::ElementsAre(ws_ + "/layout.yaml"));
  EXPECT_GT(files_read, 10);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(CountOf(ReadFile(h_->log_path(i)), pw), 0);

  h_.reset();  // stops the nodes this test started
  EXPECT_EQ(Sha256Hex(ReadFile("/etc/shadow")), shadow_before) << "the real /etc/shadow changed";
}

}  // namespace
}  // namespace paiplan::ssh_e2e
