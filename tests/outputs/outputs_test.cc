// Script outputs through the real binary (docs/outputs.md): a
// role script and a service script publish key=value lines in
// $PAIPLAN_OUTPUTS; they are recorded with the action, masked when their key
// is sensitive, read by a dependent template as outputs["ADDR"]["KEY"]
// ((known after apply) in the first plan), passed to dependent scripts as
// PAIPLAN_OUTPUT_*, listed by `paiplan output`, and a changed output re-plans
// its dependents with a reason naming it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/integration/run_util.h"

namespace paiplan::integration {
namespace {

namespace sfs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

void Write(const std::string& path, const std::string& text, bool exec = false) {
  sfs::create_directories(sfs::path(path).parent_path());
  std::ofstream(path) << text;
  if (exec) sfs::permissions(path, sfs::perms::owner_all | sfs::perms::group_read | sfs::perms::others_read);
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr char kLayout[] = R"(machine-sku:
  SMALL:
    mem: 8GB
machine-list:
  - hostname: m0
    hostip: 127.0.0.1
    machine-type: SMALL
    k8s-role: master
    transport: local
)";

// m0's bootstrap publishes an endpoint (from the file `endpoint` of the
// workspace, so a test can change it) and a token; service `db` publishes a
// password; service `app` renders app.conf from both and records the
// PAIPLAN_OUTPUT_* variables its start-script got.
class OutputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pp_outputs_XXXXXX";
    root_ = ::mkdtemp(tmpl);
    Write(root_ + "/layout.yaml", kLayout);
    Write(root_ + "/paiplan.yaml", "kubernetes:\n  enabled: false\nservice-paths: [services]\n");
    Write(root_ + "/endpoint", "10.0.0.1:6443\n");
    Write(root_ + "/roles/master/bootstrap.sh",
          "set -eu\n{ echo \"endpoint=$(cat " + root_ + "/endpoint)\"; echo 'join_token=abcdef.0123456789abcdef';"
          " echo '# comment'; } >> \"$PAIPLAN_OUTPUTS\"\n", true);
    Write(root_ + "/services/db/deploy/service.yaml", "start-script: start.sh\n");
    Write(root_ + "/services/db/deploy/start.sh", "echo db_password=s3cr3t-pw >> \"$PAIPLAN_OUTPUTS\"\n", true);
    Write(root_ + "/services/app/deploy/service.yaml",
          "prerequisite: [db]\ntemplate-list: [app.conf]\nstart-script: start.sh\nrefresh-script: start.sh\n");
    Write(root_ + "/services/app/deploy/app.conf.template",
          "server = {{ outputs[\"node.m0\"][\"endpoint\"] }}\npassword = {{ outputs['service.db']['db_password'] }}\n");
    Write(root_ + "/services/app/deploy/start.sh", "env | grep '^PAIPLAN_OUTPUT_' | sort > " + root_ + "/app.env\n", true);
  }
  void TearDown() override {
    if (!HasFailure()) sfs::remove_all(root_);
    else std::cerr << "workspace kept: " << root_ << "\n";
  }
  RunResult Paiplan(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {PaiplanBinary(), "-C", root_, "--no-color"};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions o;
    o.env = {{"NO_COLOR", "1"}, {"HOME", root_}};
    o.unset_env = {"KUBECONFIG"};
    return integration::Run(argv, o);
  }
  std::string root_;
};

TEST_F(OutputsTest, FirstPlanShowsKnownAfterApplyAndApplyRendersThePublishedValues) {
  RunResult plan = Paiplan({"plan", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  auto j = nlohmann::json::parse(plan.out);
  bool found = false;
  for (const auto& a : j["actions"]) {
    if (a["address"] != "render.app/app.conf") continue;
    found = true;
    EXPECT_EQ(a["after"]["outputs_used"]["node.m0[endpoint]"], "(known after apply)");
    auto deps = a["depends_on"].get<std::vector<std::string>>();
    EXPECT_THAT(deps, ::testing::Contains("node.m0"));
    EXPECT_THAT(deps, ::testing::Contains("service.db"));
  }
  EXPECT_TRUE(found) << plan.out;

  RunResult apply = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.All();
  EXPECT_EQ(Read(root_ + "/.paiplan/rendered/app/app.conf"), "server = 10.0.0.1:6443\npassword = s3cr3t-pw");
  std::string env = Read(root_ + "/app.env");
  EXPECT_THAT(env, HasSubstr("PAIPLAN_OUTPUT_SERVICE_DB_DB_PASSWORD=s3cr3t-pw\n"));
  EXPECT_THAT(env, HasSubstr("PAIPLAN_OUTPUT_NODE_M0_ENDPOINT=10.0.0.1:6443\n"));
  EXPECT_THAT(apply.All(), Not(HasSubstr("s3cr3t-pw")));
  EXPECT_THAT(apply.All(), Not(HasSubstr("0123456789abcdef")));

  RunResult again = Paiplan({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.All();
  EXPECT_THAT(again.out, HasSubstr("No changes"));
}

TEST_F(OutputsTest, OutputCommandMasksSensitiveKeysUnlessAsked) {
  ASSERT_EQ(Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  RunResult all = Paiplan({"output"});
  ASSERT_EQ(all.exit_code, 0) << all.All();
  EXPECT_EQ(all.out,
            "node.m0:\n  endpoint = \"10.0.0.1:6443\"\n  join_token = (sensitive)\n"
            "service.db:\n  db_password = (sensitive)\n");
  RunResult one = Paiplan({"output", "node.m0", "endpoint"});
  EXPECT_EQ(one.exit_code, 0);
  EXPECT_EQ(one.out, "10.0.0.1:6443\n");
  RunResult hidden = Paiplan({"output", "service.db", "db_password"});
  EXPECT_EQ(hidden.out, "(sensitive)\n");
  EXPECT_THAT(hidden.err, HasSubstr("--show-sensitive"));
  RunResult shown = Paiplan({"output", "service.db", "db_password", "--show-sensitive"});
  EXPECT_EQ(shown.out, "s3cr3t-pw\n");
  RunResult js = Paiplan({"output", "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.All();
  auto j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["node.m0"]["join_token"]["value"], "(sensitive)");
  EXPECT_EQ(j["node.m0"]["join_token"]["sensitive"], true);
  EXPECT_EQ(j["node.m0"]["endpoint"]["value"], "10.0.0.1:6443");
  RunResult missing = Paiplan({"output", "node.nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no outputs recorded for node.nope"));
  RunResult badkey = Paiplan({"output", "node.m0", "nope"});
  EXPECT_EQ(badkey.exit_code, 1);
  EXPECT_THAT(badkey.err, HasSubstr("published no output 'nope' (it published: endpoint, join_token)"));
  RunResult state = Paiplan({"state", "show", "service.db"});
  EXPECT_THAT(state.All(), Not(HasSubstr("s3cr3t-pw")));
}

TEST_F(OutputsTest, ChangedOutputReplansItsDependentsNamingTheOutput) {
  ASSERT_EQ(Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  // The machine is re-bootstrapped (marker removed) and publishes a new endpoint.
  Write(root_ + "/endpoint", "10.0.0.2:6443\n");
  sfs::remove(root_ + "/.paiplan/local-nodes/m0/var/lib/paiplan/node.json");
  RunResult first = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(first.exit_code, 0) << first.All();
  RunResult plan = Paiplan({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_THAT(plan.out, HasSubstr("~ render.app/app.conf"));
  EXPECT_THAT(plan.out, HasSubstr("output node.m0[endpoint] changed"));
  ASSERT_EQ(Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(Read(root_ + "/.paiplan/rendered/app/app.conf"), "server = 10.0.0.2:6443\npassword = s3cr3t-pw");
}

TEST_F(OutputsTest, BadOutputLineFailsTheActionNamingFileAndLine) {
  Write(root_ + "/services/db/deploy/start.sh", "printf 'ok=1\\nnot a pair\\n' >> \"$PAIPLAN_OUTPUTS\"\n", true);
  RunResult apply = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_THAT(apply.All(), HasSubstr("$PAIPLAN_OUTPUTS of service.db:2: an output line must be key=value"));
}

TEST_F(OutputsTest, ReadingAnOutputTheProducerNeverPublishedIsAnError) {
  ASSERT_EQ(Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  Write(root_ + "/services/app/deploy/app.conf.template", "x = {{ outputs['service.db']['nope'] }}\n");
  RunResult plan = Paiplan({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_THAT(plan.All(), HasSubstr("service.db published no output 'nope' (it published: db_password)"));
}

}  // namespace
}  // namespace paiplan::integration
