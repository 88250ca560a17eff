// `paiplan state ...` and `force-unlock` on a real state, and secrets kept
// out of every output, log and error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* kSecret = "Xy9-s3cret-PASSWORD-value-42";

TEST(IntegStateCommandTest, ListShowRmPullPush) {
  TestWorkspace ws;
  ws.WriteServicesConfig(std::string("t-app:\n  admin-password: ") + kSecret + "\n");
  RunResult none = ws.Paiplan({"state", "list"});
  EXPECT_EQ(none.exit_code, 0) << none.All();
  EXPECT_EQ(none.out, "");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);

  RunResult list = ws.Paiplan({"state", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.All();
  EXPECT_EQ(list.out,
            "node.node-0\nrender.t-app/t-app.conf\nrender.t-base/t-base.conf\nrender.t-cache/t-cache.conf\n"
            "render.t-side/t-side.conf\nrender.t-store/t-store.conf\nservice.t-app\nservice.t-base\n"
            "service.t-cache\nservice.t-side\nservice.t-store\n");

  RunResult show = ws.Paiplan({"state", "show", "service.t-store"});
  ASSERT_EQ(show.exit_code, 0) << show.All();
  EXPECT_THAT(show.out, HasSubstr("# service.t-store"));
  EXPECT_THAT(show.out, HasSubstr("attributes.config.value = \"t-store-v1\""));
  EXPECT_THAT(show.out, HasSubstr("last_outcome = \"success\""));
  for (auto args : {std::vector<std::string>{"state", "show", "service.t-app"},
                    std::vector<std::string>{"--json", "state", "show", "service.t-app"},
                    std::vector<std::string>{"--json", "state", "show", "render.t-app/t-app.conf"}}) {
    RunResult app = ws.Paiplan(args);
    EXPECT_EQ(app.exit_code, 0) << app.All();
    EXPECT_THAT(app.out, Not(HasSubstr(kSecret))) << args.back();
    EXPECT_THAT(app.out, HasSubstr("(sensitive)")) << args.back();
  }
  EXPECT_THAT(ws.Paiplan({"state", "show", "service.t-app"}).out,
              HasSubstr("attributes.config.admin-password = \"(sensitive)\""));
  RunResult missing = ws.Paiplan({"state", "show", "service.nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("service.nope is not in the state"));

  // pull masks sensitive values; --show-sensitive (a backup) keeps them.
  RunResult masked = ws.Paiplan({"state", "pull"});
  ASSERT_EQ(masked.exit_code, 0) << masked.All();
  EXPECT_THAT(masked.out, Not(HasSubstr(kSecret)));
  EXPECT_THAT(masked.out, HasSubstr("\"admin-password\": \"(sensitive)\""));
  // pull → push round trip (--show-sensitive keeps the secrets a push needs):
  // same serial refused without --force, newer accepted.
  RunResult pull = ws.Paiplan({"state", "pull", "--show-sensitive"});
  ASSERT_EQ(pull.exit_code, 0);
  EXPECT_THAT(pull.out, HasSubstr(kSecret));
  auto doc = nlohmann::json::parse(pull.out);
  ASSERT_TRUE(doc.contains("lineage") && doc.contains("serial") && doc.contains("resources"));
  EXPECT_EQ(doc["resources"].size(), 11u);
  WriteFile(ws.Path("pulled.json"), pull.out);
  RunResult same = ws.Paiplan({"state", "push", ws.Path("pulled.json")});
  EXPECT_EQ(same.exit_code, 1) << same.All();
  EXPECT_THAT(same.err, HasSubstr("not newer"));

  auto other = doc;
  other["lineage"] = "00000000-0000-4000-8000-000000000000";
  other["serial"] = doc["serial"].get<int64_t>() + 5;
  WriteFile(ws.Path("other.json"), other.dump(2));
  for (auto args : {std::vector<std::string>{"state", "push", ws.Path("other.json")},
                    std::vector<std::string>{"state", "push", "--force", ws.Path("other.json")}}) {
    RunResult foreign = ws.Paiplan(args);
    EXPECT_EQ(foreign.exit_code, 1) << foreign.All();
    EXPECT_THAT(foreign.err, HasSubstr("lineage"));
  }
  EXPECT_EQ(ws.Paiplan({"state", "pull", "--show-sensitive"}).out, pull.out) << "a refused push changed the state";

  // rm: forgets the record only; the plan wants to start it again.
  RunResult rm = ws.Paiplan({"state", "rm", "service.t-side"});
  EXPECT_EQ(rm.exit_code, 0) << rm.All();
  EXPECT_THAT(ws.Paiplan({"state", "list"}).out, Not(HasSubstr("service.t-side")));
  EXPECT_TRUE(ws.Calls("stop").empty()) << "state rm touched the service";
  auto plan = ws.Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan["service.t-side"].first, "create");

  // push the pulled document back with a newer serial: t-side is recorded again.
  auto newer = doc;
  newer["serial"] = doc["serial"].get<int64_t>() + 100;
  WriteFile(ws.Path("newer.json"), newer.dump(2));
  RunResult push = ws.Paiplan({"state", "push", ws.Path("newer.json")});
  EXPECT_EQ(push.exit_code, 0) << push.All();
  EXPECT_THAT(ws.Paiplan({"state", "list"}).out, HasSubstr("service.t-side"));
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
  EXPECT_EQ(ws.Paiplan({"state", "rm", "service.nope"}).exit_code, 1);

  RunResult unlock = ws.Paiplan({"force-unlock", "no-such-lock"});
  EXPECT_EQ(unlock.exit_code, 1) << unlock.All();
  EXPECT_THAT(unlock.err, HasSubstr("no lock with id no-such-lock"));
}

TEST(IntegSecretsTest, SecretNeverAppearsInOutputsLogsErrorsOrStateShow) {
  TestWorkspace ws;
  ws.WriteServicesConfig(std::string("t-app:\n  admin-password: ") + kSecret + "\n");
  ws.Set("t-app", "start", "echo");  // prints its rendered file, password included
  ws.Set("t-app", "start", "fail");
  std::vector<RunResult> runs;
  runs.push_back(ws.Paiplan({"plan"}));
  runs.push_back(ws.Paiplan({"--json", "plan"}));
  RunResult apply = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.All();
  EXPECT_THAT(apply.err, HasSubstr("start-script start.sh of service t-app exited with status 1"));
  runs.push_back(apply);
  runs.push_back(ws.Paiplan({"plan"}));  // "previous create failed: <error with the script's output>"
  runs.push_back(ws.Paiplan({"--json", "plan"}));
  runs.push_back(ws.Paiplan({"state", "show", "service.t-app"}));
  runs.push_back(ws.Paiplan({"--json", "state", "show", "service.t-app"}));
  runs.push_back(ws.Paiplan({"state", "show", "render.t-app/t-app.conf"}));
  runs.push_back(ws.Paiplan({"--json", "show"}));
  runs.push_back(ws.Paiplan({"--json", "apply", "--auto-approve"}));
  ws.Clear("t-app", "start", "fail");
  runs.push_back(ws.Paiplan({"apply", "--auto-approve"}));  // succeeds, still echoing
  // The secret really reached the script and its output: masking is what hid it.
  EXPECT_THAT(ReadFileOr(ws.Path(".paiplan/rendered/t-app/t-app.conf")), HasSubstr(kSecret));
  runs.push_back(ws.Paiplan({"destroy", "--auto-approve"}));

  auto logs = FilesContaining(ws.Path(".paiplan/logs"), "admin-password=");
  EXPECT_FALSE(logs.empty()) << "the failing script's output was not logged";
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_THAT(runs[i].out, Not(HasSubstr(kSecret))) << "run " << i << " stdout";
    EXPECT_THAT(runs[i].err, Not(HasSubstr(kSecret))) << "run " << i << " stderr";
  }
  EXPECT_THAT(runs[5].out, HasSubstr("(sensitive)"));
  EXPECT_THAT(FilesContaining(ws.Path(".paiplan/logs"), kSecret), ::testing::IsEmpty());
  // Partial leaks (a masked prefix) would show as a long substring.
  EXPECT_THAT(FilesContaining(ws.Path(".paiplan/logs"), std::string(kSecret).substr(4)), ::testing::IsEmpty());
}

// A secret changed in services-configuration.yaml, used by the template as
// it is, through |tojson (JSON- and HTML-safe-escaped, non-ASCII as \uXXXX)
// and through |e: neither the old nor the new value shows in any form.
TEST(IntegSecretsTest, ChangedSecretTransformedByTemplatesIsMaskedInPlanDiffs) {
  TestWorkspace ws({"t-side"});
  ws.AddService("t-sec", {});
  WriteFile(ws.Path("services/t-sec/deploy/t-sec.conf.template"),
            "raw={{ cluster_cfg['t-sec']['admin-password'] }}\n"
            "json={{ cluster_cfg['t-sec']['admin-password'] | tojson }}\n"
            "obj={{ cluster_cfg['t-sec'] | tojson }}\n"
            "html={{ cluster_cfg['t-sec']['admin-password'] | e }}\n"
            "version={{ cluster_cfg['t-sec']['value'] }}\n");
  // YAML single quotes: the values are s3cr<et>pass'1"\u00e9&x and n3w<s&cr"et'2\u00e9.
  ws.WriteServicesConfig("t-sec:\n  admin-password: 's3cr<et>pass''1\"\u00e9&x'\n");
  ws.Set("t-sec", "refresh", "echo");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string rendered = ReadFileOr(ws.Path(".paiplan/rendered/t-sec/t-sec.conf"));
  ASSERT_THAT(rendered, HasSubstr("s3cr\\u003cet\\u003epass\\u0027"));  // the |tojson form, really rendered

  ws.WriteServicesConfig("t-sec:\n  admin-password: 'n3w<s&cr\"et''2\u00e9'\n  value: v2\n");
  std::vector<RunResult> runs = {ws.Paiplan({"plan"}), ws.Paiplan({"--json", "plan"}),
                                 ws.Paiplan({"apply", "--auto-approve"})};
  EXPECT_EQ(runs[2].exit_code, 0) << runs[2].All();
  EXPECT_THAT(runs[0].out, HasSubstr("+version=v2")) << "no render diff printed: the test checks nothing";
  EXPECT_THAT(runs[0].out, HasSubstr("-json=\"(sensitive)\""));
  EXPECT_THAT(runs[0].out, HasSubstr("+json=\"(sensitive)\""));
  EXPECT_THAT(runs[1].out, HasSubstr("+json=\\\"(sensitive)\\\""));
  EXPECT_THAT(ReadFileOr(ws.Path(".paiplan/rendered/t-sec/t-sec.conf")), HasSubstr("n3w"));
  // No fragment of either value: any unmasked form would contain one.
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const char* fragment : {"s3cr", "n3w"}) {
      EXPECT_THAT(runs[i].out, Not(HasSubstr(fragment))) << "run " << i;
      EXPECT_THAT(runs[i].err, Not(HasSubstr(fragment))) << "run " << i;
    }
  }
  EXPECT_THAT(FilesContaining(ws.Path(".paiplan/logs"), "n3w"), ::testing::IsEmpty());
  EXPECT_FALSE(FilesContaining(ws.Path(".paiplan/logs"), "html=(sensitive)").empty()) << "refresh did not echo";
}

// A script that passes the secret on base64-encoded (a Secret's data) or
// percent-encoded (a URL): those forms are masked in its output and logs too.
TEST(IntegSecretsTest, Base64AndUrlEncodedSecretsAreMaskedInScriptOutput) {
  TestWorkspace ws({"t-side"});
  ws.AddService("t-sec", {});
  WriteFile(ws.Path("services/t-sec/deploy/t-sec.conf.template"), "{{ cluster_cfg['t-sec']['admin-password'] }}\n");
  ws.WriteServicesConfig("t-sec:\n  admin-password: 'p@ss w0rd/x+y?'\n");
  ws.Set("t-sec", "start", "encode");
  ws.Set("t-sec", "start", "fail");
  RunResult apply = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.All();
  RunResult plan = ws.Paiplan({"plan"});  // the recorded failure, with the script's output
  const std::string b64 = "cEBzcyB3MHJkL3greT8", url = "p%40ss%20w0rd/x%2By%3F";
  ASSERT_THAT(ReadFileOr(ws.Path(".paiplan/rendered/t-sec/t-sec.conf")), HasSubstr("p@ss w0rd/x+y?"));
  auto logs = FilesContaining(ws.Path(".paiplan/logs"), "base64: (sensitive)");
  EXPECT_FALSE(logs.empty()) << "the script's encoded output was not logged masked";
  EXPECT_FALSE(FilesContaining(ws.Path(".paiplan/logs"), "url: (sensitive)").empty());
  for (const std::string& form : {b64, url}) {
    EXPECT_THAT(FilesContaining(ws.Path(".paiplan/logs"), form), ::testing::IsEmpty()) << form;
    for (const RunResult* r : {&apply, &plan}) {
      EXPECT_THAT(r->out, Not(HasSubstr(form)));
      EXPECT_THAT(r->err, Not(HasSubstr(form)));
    }
  }
}

}  // namespace
}  // namespace paiplan::integration
