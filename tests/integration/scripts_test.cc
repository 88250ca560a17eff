// Service scripts through the real binary: retries of failed scripts (not of
// timed-out ones), the environment scripts get, and the reasons of the
// updates a changed config or deploy directory causes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/test_workspace.h"
#include "tests/kube/kube_server_fixture.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<Call> CallsOf(const TestWorkspace& ws, const std::string& service, const std::string& action) {
  std::vector<Call> out;
  for (const auto& c : ws.Calls(action))
    if (c.service == service) out.push_back(c);
  return out;
}

// Every action log of `address` (.paiplan/logs/<run>/<address>.log), concatenated.
std::string ActionLogs(const TestWorkspace& ws, const std::string& address) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(ws.Path(".paiplan/logs")))
    if (e.path().filename() == address + ".log") all += ReadFileOr(e.path().string());
  return all;
}

std::map<std::string, std::string> EnvOut(const TestWorkspace& ws, const std::string& service, const std::string& action) {
  std::map<std::string, std::string> env;
  std::istringstream in(ReadFileOr(ws.Path("control/" + service + "." + action + ".envout")));
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

TEST(IntegScriptRetryTest, FlakyScriptIsRetriedWithBackoffAndEachFailureLogged) {
  TestWorkspace ws({"t-side"});
  ws.WriteSettings("scripts:\n  retries: 2\n  retry-delay: 0.3\n");
  ws.Set("t-side", "start", "failtimes", "2");
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto calls = CallsOf(ws, "t-side", "start");
  ASSERT_EQ(calls.size(), 3u) << r.All();
  EXPECT_EQ(calls[0].status, "fail");
  EXPECT_EQ(calls[1].status, "fail");
  EXPECT_EQ(calls[2].status, "ok");
  // Backoff: 0.3 s, then 0.6 s.
  EXPECT_GE(calls[1].start_ns - calls[0].end_ns, 300'000'000);
  EXPECT_GE(calls[2].start_ns - calls[1].end_ns, 600'000'000);
  std::string log = ActionLogs(ws, "service.t-side");
  EXPECT_THAT(log, HasSubstr("# start-script attempt 1 of 3 failed: start-script start.sh of service t-side "
                             "exited with status 1; retrying in 0.3 s\n"));
  EXPECT_THAT(log, HasSubstr("# start-script attempt 2 of 3 failed: start-script start.sh of service t-side "
                             "exited with status 1; retrying in 0.6 s\n"));
  EXPECT_THAT(log, Not(HasSubstr("attempt 3 of 3 failed")));
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(IntegScriptRetryTest, NoRetriesByDefaultAndPerServiceOverride) {
  TestWorkspace ws({"t-base", "t-side"});
  ws.WriteSettings("scripts:\n  retry-delay: 0\n  service-retries:\n    t-side: 1\n");
  ws.Set("t-base", "start", "failtimes", "1");
  ws.Set("t-side", "start", "failtimes", "1");
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("start-script start.sh of service t-base exited with status 1"));
  EXPECT_EQ(CallsOf(ws, "t-base", "start").size(), 1u) << "retried although retries default to 0";
  auto side = CallsOf(ws, "t-side", "start");
  ASSERT_EQ(side.size(), 2u) << r.All();
  EXPECT_EQ(side[1].status, "ok");

  // All attempts failing: the error says how many ran.
  ws.Set("t-side", "stop", "fail");
  RunResult d = ws.Paiplan({"destroy", "--auto-approve"});
  EXPECT_EQ(d.exit_code, 1) << d.All();
  EXPECT_EQ(CallsOf(ws, "t-side", "stop").size(), 2u);
  EXPECT_THAT(d.err, HasSubstr("(attempt 2 of 2)"));
}

TEST(IntegScriptRetryTest, ScriptKilledAtItsTimeoutIsNotRetried) {
  TestWorkspace ws({"t-side"});
  ws.WriteSettings("scripts:\n  timeout: 1\n  retries: 3\n  retry-delay: 0\n");
  ws.Set("t-side", "start", "hang");
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.err, HasSubstr("timed out after 1 s"));
  EXPECT_EQ(CallsOf(ws, "t-side", "start").size(), 1u) << "a timed-out script was retried";
  std::string log = ActionLogs(ws, "service.t-side");
  EXPECT_THAT(log, HasSubstr("timed out after 1 s"));
  EXPECT_THAT(log, Not(HasSubstr("retrying")));
}

TEST(IntegScriptEnvTest, ScriptsGetTheirActionAndNoKubeconfigWithoutKubernetes) {
  TestWorkspace ws({"t-side"});
  ws.Set("t-side", "start", "env");
  ws.Set("t-side", "stop", "env");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ASSERT_EQ(ws.Paiplan({"destroy", "--auto-approve"}).exit_code, 0);
  auto start = EnvOut(ws, "t-side", "start");
  EXPECT_EQ(start["PAIPLAN_ACTION"], "start");
  EXPECT_EQ(start["PAIPLAN_SERVICE"], "t-side");
  EXPECT_EQ(start["PAIPLAN_WORKSPACE"], ws.root());
  EXPECT_EQ(start["KUBECONFIG"], "<unset>");
  EXPECT_EQ(EnvOut(ws, "t-side", "stop")["PAIPLAN_ACTION"], "stop");
}

TEST(IntegScriptEnvTest, ScriptsGetKubeconfigAndActionWithKubernetes) {
  TestWorkspace ws({"t-side"});
  kube::testing::KubeTestServer server;
  ASSERT_TRUE(server.Start(ws.Path("kube"), {"127.0.0.11"}).ok());
  // The workspace's one machine (node-0, hostip 127.0.0.11) is that node.
  WriteFile(ws.Path("paiplan.yaml"), "enabled-services: [t-side]\nservice-paths: [services]\nretry: {attempts: 1}\n"
                                     "kubernetes:\n  kubeconfig: kube/kubeconfig\n");
  for (const char* a : {"start", "refresh", "stop"}) ws.Set("t-side", a, "env");
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_THAT(r.out, HasSubstr("label.node-0"));
  ws.WriteServicesConfig("t-side:\n  value: t-side-v2\n");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ASSERT_EQ(ws.Paiplan({"destroy", "--auto-approve"}).exit_code, 0);
  for (const char* a : {"start", "refresh", "stop"}) {
    auto env = EnvOut(ws, "t-side", a);
    EXPECT_EQ(env["PAIPLAN_ACTION"], a);
    EXPECT_EQ(env["PAIPLAN_SERVICE"], "t-side") << a;
    EXPECT_EQ(env["KUBECONFIG"], server.kubeconfig_path()) << a;
  }
}

TEST(IntegUpdateReasonTest, ChangedConfigAndChangedDeployFileExplainTheRefresh) {
  TestWorkspace ws({"t-side"});
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);

  // A config key no template reads: only the service changes, for its config.
  ws.WriteServicesConfig("t-side:\n  unused-knob: 3\n");
  auto plan = ws.Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan["service.t-side"].first, "update");
  EXPECT_THAT(plan["service.t-side"].second, ::testing::MatchesRegex("config changed \\((config\\.)?unused-knob\\)"));
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);

  // A file of deploy/ that is not a template: copied as is, named in the reason.
  WriteFile(ws.Path("services/t-side/deploy/helper.txt"), "v1\n");
  plan = ws.Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan["service.t-side"].second, "deploy directory changed: helper.txt added");
  ws.ResetCalls();
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ASSERT_EQ(ws.Calls().size(), 1u);
  EXPECT_EQ(ws.Calls()[0].action, "refresh");
  EXPECT_EQ(ReadFileOr(ws.Path(".paiplan/rendered/t-side/helper.txt")), "v1\n");

  WriteFile(ws.Path("services/t-side/deploy/helper.txt"), "v2\n");
  plan = ws.Plan();
  EXPECT_EQ(plan["service.t-side"].second, "deploy directory changed: helper.txt changed");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(ReadFileOr(ws.Path(".paiplan/rendered/t-side/helper.txt")), "v2\n");
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace paiplan::integration
