// Issue 17: what got in a new user's way, each with the command that showed
// it, run on the real binary (a local machine, the recording test services).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace stdfs = std::filesystem;

std::string WithoutKubernetesSection(const std::string& layout) {
  std::istringstream in(layout);
  std::string out, line;
  bool skip = false;
  while (std::getline(in, line)) {
    if (line.rfind("kubernetes:", 0) == 0) skip = true;
    else if (!line.empty() && line[0] != ' ') skip = false;
    if (!skip) out += line + "\n";
  }
  return out;
}

// 1 and 9: a layout.yaml without a kubernetes: section (as a newcomer writes
// it) used to pass validate and fail in plan, inside a built-in role
// template. The built-in (kubeadm) role packages now default every
// kubernetes: key (docs/bootstrap.md), so validate and plan both pass, and
// nothing points the user at a built-in file.
TEST(NewcomerTest, LayoutWithoutKubernetesSectionValidatesAndPlansWithBuiltInRoles) {
  TestWorkspace ws({"t-side"});
  stdfs::remove_all(ws.Path("roles"));
  WriteFile(ws.Path("layout.yaml"), WithoutKubernetesSection(ReadFileOr(ws.Path("layout.yaml"))));
  RunResult v = ws.Paiplan({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  RunResult p = ws.Paiplan({"plan"});
  EXPECT_EQ(p.exit_code, 0) << p.All();
  EXPECT_THAT(v.All() + p.All(), Not(HasSubstr("fix the role template")));
  EXPECT_THAT(v.All() + p.All(), Not(HasSubstr("is undefined")));
}

// 9: a partial roles/ folder falls back to the built-in role per role (it
// used to report the missing roles/master/ as lacking bootstrap.sh).
TEST(NewcomerTest, PartialRolesFolderFallsBackPerRole) {
  TestWorkspace ws({"t-side"});
  stdfs::remove_all(ws.Path("roles/master"));  // roles/ keeps only worker
  // The built-in packages install for real unless told otherwise (docs/bootstrap.md).
  WriteFile(ws.Path("paiplan.yaml"), ReadFileOr(ws.Path("paiplan.yaml")) + "nodes: {env: {PAIPLAN_BOOTSTRAP_MODE: dry}}\n");
  RunResult v = ws.Paiplan({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  RunResult apply = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.All();  // the built-in master package ran

  // A role with no package anywhere: tests/docs/install_test.sh (an empty PAIPLAN_HOME).
}

// 2: a transport: local machine is not shown with SSH settings.
TEST(NewcomerTest, LocalMachinePlanShowsNoSshDetails) {
  TestWorkspace ws({"t-side"});
  RunResult plan = ws.Paiplan({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_THAT(plan.out, HasSubstr("+ transport = \"local\""));
  EXPECT_THAT(plan.out, Not(HasSubstr("sshport")));
  EXPECT_THAT(plan.out, Not(HasSubstr("username")));
}

// 3: an undefined value renders empty (as Jinja2) with a warning naming
// template:line:column and the expression; --strict-templates fails.
TEST(NewcomerTest, UndefinedTemplateValueWarnsAndStrictFails) {
  TestWorkspace ws({"t-side"});
  WriteFile(ws.Path("services/t-side/deploy/t-side.conf.template"),
            "name=t-side\ntimeout={{ cluster_cfg['t-side']['timeout'] }}\n");
  const std::string where = "t-side.conf.template:2:12: '{{ cluster_cfg['t-side']['timeout'] }}' is undefined";
  for (auto cmd : {"validate", "plan"}) {
    RunResult r = ws.Paiplan({cmd});
    EXPECT_EQ(r.exit_code, 0) << r.All();
    EXPECT_THAT(r.err, HasSubstr("warning: "));
    EXPECT_THAT(r.err, HasSubstr(where)) << cmd;
    RunResult strict = ws.Paiplan({"--strict-templates", cmd});
    EXPECT_EQ(strict.exit_code, 1) << strict.All();
    EXPECT_THAT(strict.err, HasSubstr(where)) << cmd;
  }
  ws.WriteSettings("templates: {strict: true}\n");
  EXPECT_EQ(ws.Paiplan({"validate"}).exit_code, 1);
  ws.WriteSettings("");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(ReadFileOr(ws.Path(".paiplan/rendered/t-side/t-side.conf")), "name=t-side\ntimeout=");
}

// 5: no "last output:" with nothing after it; a timeout is not "attempt 1 of 2".
TEST(NewcomerTest, FailureMessagesSayWhatHappened) {
  TestWorkspace ws({"t-side"});
  WriteFile(ws.Path("services/t-side/deploy/start.sh"), "#!/usr/bin/env bash\nexit 3\n");
  RunResult silent = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(silent.exit_code, 1) << silent.All();
  EXPECT_THAT(silent.All(), HasSubstr("exited with status 3; it printed nothing"));
  EXPECT_THAT(silent.All(), Not(HasSubstr("last output:\n\n")));

  TestWorkspace slow({"t-side"});
  slow.WriteSettings("scripts: {timeouts: {t-side: 1}, retries: 1, retry-delay: 0}\n");
  slow.Set("t-side", "start", "sleep", "20");
  RunResult timed = slow.Paiplan({"apply", "--auto-approve"}, 60);
  EXPECT_EQ(timed.exit_code, 1) << timed.All();
  EXPECT_THAT(timed.All(), HasSubstr("timed out after 1 s"));
  EXPECT_THAT(timed.All(), HasSubstr("(timeouts are not retried)"));
  EXPECT_THAT(timed.All(), Not(HasSubstr("attempt 1 of 2")));
}

// 6 and 7: a multi-line reason stays under its first line in the plan, and
// drift keeps a failure's whole first line and its log path.
TEST(NewcomerTest, MultiLineReasonIsIndentedAndDriftKeepsTheLogPath) {
  TestWorkspace ws({"t-side"});
  ws.Set("t-side", "start", "fail");
  ws.Set("t-side", "start", "echo");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 1);
  RunResult plan = ws.Paiplan({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  std::istringstream lines(plan.out);
  bool in_reason = false, multi = false;
  for (std::string line; std::getline(lines, line);) {
    bool attribute = line.rfind("      + ", 0) == 0 || line.rfind("      note: ", 0) == 0 ||
                     line.rfind("      after: ", 0) == 0;
    if (line.find("reason: ") != std::string::npos) in_reason = true;
    else if (line.empty() || attribute) in_reason = false;
    else if (in_reason) {
      multi = true;
      EXPECT_EQ(line.rfind("              ", 0), 0u) << "a continuation line is not indented: [" << line << "]";
    }
  }
  EXPECT_TRUE(multi) << "the reason was one line: the test checks nothing\n" << plan.out;

  RunResult drift = ws.Paiplan({"drift"});
  EXPECT_EQ(drift.exit_code, 2) << drift.All();
  EXPECT_THAT(drift.out, HasSubstr("exited with status 1; full log: "));
  EXPECT_THAT(drift.out, HasSubstr(".paiplan/logs/"));
  RunResult json = ws.Paiplan({"--json", "drift"});
  EXPECT_THAT(json.out, HasSubstr("; full log: "));
}

// 8: state rm with an invalid paiplan.yaml changes nothing and says so.
TEST(NewcomerTest, StateRmRefusesWhenPaiplanYamlIsInvalid) {
  TestWorkspace ws({"t-side"});
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  std::string good = ReadFileOr(ws.Path("paiplan.yaml"));
  WriteFile(ws.Path("paiplan.yaml"), good + "parallelism: many\n");
  RunResult rm = ws.Paiplan({"state", "rm", "service.t-side"});
  EXPECT_EQ(rm.exit_code, 1) << rm.All();
  EXPECT_THAT(rm.err, HasSubstr("paiplan.yaml has 1 error(s)"));
  EXPECT_THAT(rm.out, Not(HasSubstr("Removed")));
  WriteFile(ws.Path("paiplan.yaml"), good);
  EXPECT_THAT(ws.Paiplan({"state", "list"}).out, HasSubstr("service.t-side"));
}

// 12: kubernetes: {enabled: false} is a choice: no warning about it.
TEST(NewcomerTest, DisabledKubernetesDoesNotWarn) {
  TestWorkspace ws({"t-side"});  // paiplan.yaml has kubernetes: {enabled: false}
  for (auto cmd : {"validate", "plan"}) {
    RunResult r = ws.Paiplan({cmd});
    EXPECT_EQ(r.exit_code, 0) << r.All();
    EXPECT_THAT(r.err, Not(HasSubstr("Kubernetes"))) << cmd;
  }
}

// 13: --version, and help without CLI11's artefacts.
TEST(NewcomerTest, VersionAndHelp) {
  TestWorkspace ws({"t-side"});
  RunResult v = ws.Paiplan({"--version"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  EXPECT_EQ(v.out.rfind("paiplan 0.", 0), 0u) << v.out;
  EXPECT_THAT(v.out, HasSubstr("\nhome "));
  RunResult apply = ws.Paiplan({"apply", "--help"});
  EXPECT_THAT(apply.out, HasSubstr("--no-keep-going"));
  EXPECT_THAT(apply.out, Not(HasSubstr("{false}")));
  EXPECT_THAT(apply.out, Not(HasSubstr("INT:INT")));
  EXPECT_THAT(ws.Paiplan({"import", "--help"}).out, HasSubstr("observed first"));
  EXPECT_THAT(ws.Paiplan({"force-unlock", "--help"}).out, HasSubstr("The lock's id"));
}

// 14: no state yet: show and state list agree (not an error, said once).
TEST(NewcomerTest, MissingStateIsTheSameForShowAndStateList) {
  TestWorkspace ws({"t-side"});
  for (auto args : {std::vector<std::string>{"show"}, std::vector<std::string>{"state", "list"}}) {
    RunResult r = ws.Paiplan(args);
    EXPECT_EQ(r.exit_code, 0) << args.back() << ": " << r.All();
    EXPECT_THAT(r.err, HasSubstr("no state yet at "));
    EXPECT_THAT(r.err, HasSubstr("`paiplan apply` creates it"));
  }
}

// 15: no library text in errors; truncated JSON is named as such.
TEST(NewcomerTest, ErrorsAreInWordsNotLibraryText) {
  TestWorkspace ws({"t-side"});
  ASSERT_EQ(ws.Paiplan({"plan", "-o", ws.Path("p.plan")}).exit_code, 0);
  auto doc = nlohmann::json::parse(ReadFileOr(ws.Path("p.plan")));
  doc.erase("operation");
  WriteFile(ws.Path("broken.plan"), doc.dump());
  RunResult show = ws.Paiplan({"show", ws.Path("broken.plan")});
  EXPECT_EQ(show.exit_code, 1) << show.All();
  EXPECT_THAT(show.err, HasSubstr("the field \"operation\" is missing"));
  EXPECT_THAT(show.err, Not(HasSubstr("json.exception")));

  WriteFile(ws.Path("ctx.json"), "{\n  \"cluster_cfg\": {\"a\": 1,\n");
  WriteFile(ws.Path("t.template"), "{{ cluster_cfg.a }}\n");
  RunResult render = ws.Paiplan({"render", ws.Path("t.template"), "--context", ws.Path("ctx.json")});
  EXPECT_EQ(render.exit_code, 1) << render.All();
  EXPECT_THAT(render.err, HasSubstr("ctx.json:3:1: not valid JSON (the text ends too early"));
  EXPECT_THAT(render.err, Not(HasSubstr("not a JSON object")));
}

// 18: destroy leaves no working copy, and a removed machine no staging folder.
TEST(NewcomerTest, NoLeftoversAfterDestroyOrMachineRemoval) {
  TestWorkspace ws({"t-side"});
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ASSERT_TRUE(stdfs::exists(ws.Path(".paiplan/rendered/t-side/start.sh")));
  RunResult destroy = ws.Paiplan({"destroy", "--auto-approve"});
  ASSERT_EQ(destroy.exit_code, 0) << destroy.All();
  EXPECT_FALSE(stdfs::exists(ws.Path(".paiplan/rendered/t-side"))) << "the working copy was left behind";
  std::vector<std::string> staging;
  for (const auto& e : stdfs::recursive_directory_iterator(ws.Path(".paiplan/local-nodes")))
    if (e.path().filename() == "staging") staging.push_back(e.path());
  EXPECT_THAT(staging, ::testing::IsEmpty()) << "the node's staging folder was left behind";
}

// 19: import observes before it adopts a service.
TEST(NewcomerTest, ImportRefusesAServiceItCannotSeeRunning) {
  TestWorkspace ws({"t-side", "t-probe"});
  RunResult noprobe = ws.Paiplan({"import", "service.t-side"});
  EXPECT_EQ(noprobe.exit_code, 1) << noprobe.All();
  EXPECT_THAT(noprobe.err, HasSubstr("has no status-script"));
  ws.Set("t-probe", "status", "fail");
  RunResult failing = ws.Paiplan({"import", "service.t-probe"});
  EXPECT_EQ(failing.exit_code, 1) << failing.All();
  EXPECT_THAT(failing.err, HasSubstr("status probe failed (exit 1)"));
  EXPECT_THAT(ws.Paiplan({"state", "list"}).out, Not(HasSubstr("service.t-probe")));
  ws.Clear("t-probe", "status", "fail");
  RunResult ok = ws.Paiplan({"import", "service.t-probe"});
  EXPECT_EQ(ok.exit_code, 0) << ok.All();
}

// 20: cosmetics: a trailing slash, plurals, an empty file list, and a repair
// that leaves the probe failing is not reported as a success.
TEST(NewcomerTest, Cosmetics) {
  TestWorkspace ws({"t-probe"});
  WriteFile(ws.Path("layout.yaml"), ReadFileOr(ws.Path("layout.yaml")) + "bad: [\n");
  // -C with a trailing slash (ws.Paiplan passes -C itself, so run the binary directly).
  auto with_slash = [&](const std::string& cmd) {
    return integration::Run({PAIPLAN_BINARY, "--no-color", "-C", ws.root() + "/", cmd}, ws.Options());
  };
  RunResult broken = with_slash("validate");
  EXPECT_EQ(broken.exit_code, 1) << broken.All();
  EXPECT_THAT(broken.err, HasSubstr("in the workspace " + ws.root() + "; nothing was changed"));
  EXPECT_THAT(broken.All(), Not(HasSubstr(ws.root() + "//")));
  std::string layout = ReadFileOr(ws.Path("layout.yaml"));
  WriteFile(ws.Path("layout.yaml"), layout.substr(0, layout.size() - 7));
  RunResult init = with_slash("init");
  EXPECT_EQ(init.exit_code, 0) << init.All();
  EXPECT_THAT(init.out, HasSubstr("Initialised " + ws.root() + "/.paiplan "));

  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.Set("t-probe", "status", "fail");
  RunResult repair = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(repair.exit_code, 1) << repair.All();
  EXPECT_THAT(repair.All(), HasSubstr("the start-script ran, but the status probe of service t-probe still fails"));
  ws.Clear("t-probe", "status", "fail");
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  WriteFile(ws.Path(".paiplan/rendered/t-probe/t-probe.conf"), "edited by hand\n");
  RunResult accept = ws.Paiplan({"apply", "--refresh-only", "--auto-approve"});
  EXPECT_THAT(accept.out, HasSubstr("Recorded 1 observation (serial")) << accept.All();
}

TEST(NewcomerTest, ServiceWithoutTemplatesSaysNoFiles) {
  TestWorkspace ws({"t-side"});
  WriteFile(ws.Path("services/t-side/deploy/service.yaml"),
            "prerequisite: []\nstart-script: start.sh\nstop-script: stop.sh\n");
  stdfs::remove(ws.Path("services/t-side/deploy/t-side.conf.template"));
  RunResult plan = ws.Paiplan({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_THAT(plan.out, HasSubstr("+ renders = (no files)"));
  EXPECT_THAT(plan.out, Not(HasSubstr("renders = {}")));
}

// 4 (this part): validate warns once about secrets stored in clear;
// with a key, the state file holds no secret and pull shows (sensitive).
TEST(NewcomerTest, StateKeyEncryptsSecretsInTheStateFile) {
  TestWorkspace ws({"t-side"});
  const std::string secret = "hunter2-Qp7-in-the-state";
  ws.WriteServicesConfig("t-side:\n  admin-password: " + secret + "\n");
  WriteFile(ws.Path("services/t-side/deploy/t-side.conf.template"),
            "pw={{ cluster_cfg['t-side']['admin-password'] }}\n");
  RunResult clear = ws.Paiplan({"validate"});
  EXPECT_EQ(clear.exit_code, 0) << clear.All();
  EXPECT_THAT(clear.err, HasSubstr("without a state key they are stored in the state in clear"));

  WriteFile(ws.Path("state.key"), std::string(64, 'a') + "\n");
  ws.WriteSettings("state: {encryption: {key-file: state.key}}\n");
  RunResult keyed = ws.Paiplan({"validate"});
  EXPECT_EQ(keyed.exit_code, 0) << keyed.All();
  EXPECT_THAT(keyed.err, Not(HasSubstr("in clear")));
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_THAT(ReadFileOr(ws.Path(".paiplan/rendered/t-side/t-side.conf")), HasSubstr(secret));
  EXPECT_THAT(FilesContaining(ws.Path(".paiplan/state"), secret), ::testing::IsEmpty());
  EXPECT_THAT(FilesContaining(ws.Path(".paiplan/state"), "pp1:"), Not(::testing::IsEmpty()));
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0) << "the encrypted state must plan as before";
  RunResult pull = ws.Paiplan({"state", "pull"});
  EXPECT_THAT(pull.out, Not(HasSubstr(secret)));
  EXPECT_THAT(pull.out, HasSubstr("(sensitive)"));
  EXPECT_THAT(ws.Paiplan({"state", "pull", "--show-sensitive"}).out, HasSubstr(secret));

  // Without the key: reads mask, writes refuse.
  ws.WriteSettings("");
  RunResult masked = ws.Paiplan({"state", "pull", "--show-sensitive"});
  EXPECT_EQ(masked.exit_code, 0) << masked.All();
  EXPECT_THAT(masked.out, Not(HasSubstr(secret)));
  RunResult refused = ws.Paiplan({"plan"});
  EXPECT_EQ(refused.exit_code, 1) << refused.All();
  EXPECT_THAT(refused.err, HasSubstr("no state key is configured"));

  // Rotation.
  ws.WriteSettings("state: {encryption: {key-file: state.key}}\n");
  WriteFile(ws.Path("new.key"), std::string(64, 'b') + "\n");
  RunResult rekey = ws.Paiplan({"state", "rekey", "--new-key-file", ws.Path("new.key")});
  EXPECT_EQ(rekey.exit_code, 0) << rekey.All();
  EXPECT_EQ(ws.Paiplan({"plan"}).exit_code, 1) << "the old key still opens the state";
  ws.WriteSettings("state: {encryption: {key-file: new.key}}\n");
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace paiplan::integration
