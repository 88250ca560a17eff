// An unchanged OpenPAI v0.14-form tree (tests/testdata/openpai: parsers,
// script templates, deploy-rules, overriding services-configuration.yaml)
// planned and applied by the real binary; every rendered file compared with
// what Python Jinja2 renders from the context the parsers produce, computed
// independently by tests/openpai/reference.py.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/run_util.h"

namespace paiplan::integration {
namespace {

namespace stdfs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kTests = PAIPLAN_TEST_DIR;

// A copy of the fixture in a fresh directory under /tmp, removed at the end.
class OpenpaiTree {
 public:
  OpenpaiTree() {
    char tmpl[] = "/tmp/paiplan-openpai-XXXXXX";
    root_ = mkdtemp(tmpl);
    stdfs::copy(kTests + "/testdata/openpai", root_, stdfs::copy_options::recursive);
  }
  ~OpenpaiTree() {
    if (!::testing::Test::HasFailure()) stdfs::remove_all(root_);
    else std::cerr << "kept workspace " << root_ << "\n";
  }
  std::string Path(const std::string& rel) const { return root_ + "/" + rel; }
  RunResult Paiplan(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) const {
    std::vector<std::string> argv = {PaiplanBinary(), "-C", root_};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions o;
    o.env = {{"NO_COLOR", "1"}, {"HOME", root_}};
    o.env.insert(env.begin(), env.end());
    o.unset_env = {"KUBECONFIG"};
    return Run(argv, o);
  }
  void Append(const std::string& rel, const std::string& text) const {
    WriteFile(Path(rel), ReadFileOr(Path(rel)) + text);
  }
  // Every file under the workspace with its content: "nothing written" means
  // this does not change.
  std::map<std::string, std::string> Snapshot() const {
    std::map<std::string, std::string> out;
    for (const auto& e : stdfs::recursive_directory_iterator(root_)) {
      if (e.is_regular_file()) out[e.path().string()] = ReadFileOr(e.path().string());
      else out[e.path().string()] = "(dir)";
    }
    return out;
  }

 private:
  std::string root_;
};

// Compares every file reference.py expects with the one paiplan rendered.
void ExpectRenderedLikeReference(const OpenpaiTree& ws, const std::string& mode, size_t expected_files) {
  std::string out = ws.Path("expected");
  RunResult ref = Run({"/usr/bin/python3", kTests + "/openpai/reference.py", ws.Path(""), out, mode});
  ASSERT_EQ(ref.exit_code, 0) << "python3-jinja2 and python3-yaml are required: " << ref.All();
  size_t compared = 0;
  for (const auto& e : stdfs::recursive_directory_iterator(out)) {
    if (!e.is_regular_file()) continue;
    std::string rel = stdfs::relative(e.path(), out).string();
    std::string mine = ReadFileOr(ws.Path(".paiplan/rendered/" + rel), "(missing)");
    EXPECT_EQ(mine, ReadFileOr(e.path().string())) << rel << " differs from Jinja2 over the parsers' context";
    ++compared;
  }
  EXPECT_EQ(compared, expected_files);
}

TEST(OpenpaiTreeTest, PlanAndApplyRenderWhatJinja2RendersFromTheParsersContext) {
  OpenpaiTree ws;
  RunResult validate = ws.Paiplan({"validate"});
  ASSERT_EQ(validate.exit_code, 0) << validate.All();
  // upgraded-script: accepted, and the warning says what paiplan does instead.
  EXPECT_THAT(validate.err, HasSubstr("upgraded-script 'upgraded.sh' is never run"));
  EXPECT_THAT(validate.err, HasSubstr("runs the start-script 'start.sh' again"));
  RunResult plan = ws.Paiplan({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_THAT(plan.out, HasSubstr("render.zoo-keeper/start.sh"));  // the script comes from its template
  RunResult apply = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.All();
  // The rendered start.sh ran in the rendered deploy directory (it checks zoo.cfg there).
  EXPECT_EQ(ReadFileOr(ws.Path("zoo-keeper.started")),
            "quorum=192.0.2.1:2281,192.0.2.2:2281 image=registry.example.com/openpai/zookeeper\n");
  EXPECT_EQ(ReadFileOr(ws.Path("web-portal.started")), "started\n");
  // 8 templates, 3 of them manifests in paiplan's own deploy-rules format.
  ExpectRenderedLikeReference(ws, "paiplan", 5);
  EXPECT_THAT(ReadFileOr(ws.Path(".paiplan/rendered/web-portal/web-portal.yaml")), HasSubstr("NotIn"));
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(OpenpaiTreeTest, PaictlDeployRulesOutputIsPaictlsFilesByteForByte) {
  OpenpaiTree ws;
  ws.Append("paiplan.yaml", "deploy-rules-output: paictl\n");
  RunResult apply = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.All();
  ExpectRenderedLikeReference(ws, "paictl", 8);
}

int CountLines(const std::string& path) { return CountOf(ReadFileOr(path), "\n"); }

TEST(OpenpaiTreeTest, ParserResultsAreCachedByInputHash) {
  OpenpaiTree ws;
  std::map<std::string, std::string> env = {{"OPENPAI_TEST_PARSER_RUNS", ws.Path("runs.log")}};
  ASSERT_EQ(ws.Paiplan({"init"}, env).exit_code, 0);
  ASSERT_EQ(ws.Paiplan({"plan"}, env).exit_code, 0);  // .paiplan/ exists now: the result is cached
  int after_init = CountLines(ws.Path("runs.log"));
  EXPECT_GE(after_init, 1);
  EXPECT_TRUE(stdfs::exists(ws.Path(".paiplan/cache/config-parsers.json")));
  ASSERT_EQ(ws.Paiplan({"plan"}, env).exit_code, 0);
  ASSERT_EQ(ws.Paiplan({"plan"}, env).exit_code, 0);
  EXPECT_EQ(CountLines(ws.Path("runs.log")), after_init) << "a no-op plan ran the parsers again";
  ws.Append("services-configuration.yaml", "  extra: 1\n");  // under log-shipper: an input changed
  ASSERT_EQ(ws.Paiplan({"plan"}, env).exit_code, 0);
  EXPECT_EQ(CountLines(ws.Path("runs.log")), after_init + 1);
  ws.Append("src/zoo-keeper/config/zoo_keeper.py", "# edited\n");  // a parser file changed
  ASSERT_EQ(ws.Paiplan({"plan"}, env).exit_code, 0);
  EXPECT_EQ(CountLines(ws.Path("runs.log")), after_init + 2);
}

// Replaces web-portal's run() body with `body` and applies: the apply must
// fail, name the parser and the phase, and write nothing.
RunResult ApplyWithBrokenRun(OpenpaiTree& ws, const std::string& body) {
  std::string path = ws.Path("src/web-portal/config/web_portal.py");
  std::string text = ReadFileOr(path);
  size_t at = text.find("    def run(self):\n");
  EXPECT_NE(at, std::string::npos);
  text.insert(at + std::string("    def run(self):\n").size(), body);
  WriteFile(path, text);
  auto before = ws.Snapshot();
  RunResult r = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_EQ(ws.Snapshot(), before) << "a failed parser must leave the workspace untouched";
  EXPECT_FALSE(stdfs::exists(ws.Path(".paiplan/rendered")));
  EXPECT_THAT(r.All(), Not(HasSubstr("portal-admin-tok-secret")));
  return r;
}

TEST(OpenpaiTreeTest, ARaisingParserIsNamedWithItsPhaseAndTraceback) {
  OpenpaiTree ws;
  RunResult r = ApplyWithBrokenRun(ws, "        raise ValueError('no portal for %s' % self.service_conf['admin-token'])\n");
  EXPECT_THAT(r.err, HasSubstr("src/web-portal/config/web_portal.py:"));
  EXPECT_THAT(r.err, HasSubstr("config parser of 'web-portal'"));
  EXPECT_THAT(r.err, HasSubstr("failed in run: ValueError: no portal for (sensitive)"));
  EXPECT_THAT(r.err, HasSubstr("Traceback (most recent call last)"));
}

TEST(OpenpaiTreeTest, ANonSerialisableResultIsAClearError) {
  OpenpaiTree ws;
  RunResult r = ApplyWithBrokenRun(ws, "        return {'hosts': set(['a'])}\n");
  EXPECT_THAT(r.err, HasSubstr("failed in run: not JSON-serialisable"));
  EXPECT_THAT(r.err, HasSubstr("run() result of web-portal['hosts'] is a set"));
}

TEST(OpenpaiTreeTest, AnEndlessParserIsStoppedAtTheTimeLimit) {
  OpenpaiTree ws;
  std::string settings = ReadFileOr(ws.Path("paiplan.yaml"));
  settings.replace(settings.find("timeout: 30"), 11, "timeout: 10");  // python3 starts slowly on a loaded machine
  WriteFile(ws.Path("paiplan.yaml"), settings);
  RunResult r = ApplyWithBrokenRun(ws, "        while True:\n            pass\n");
  EXPECT_THAT(r.err, HasSubstr("config parsers did not finish within 10 s"));
  EXPECT_THAT(r.err, HasSubstr("running: web-portal's run()"));
}

TEST(OpenpaiTreeTest, AValidationPreReturningFalseStopsBeforeAnyRun) {
  OpenpaiTree ws;
  std::string sc = ReadFileOr(ws.Path("services-configuration.yaml"));
  sc.replace(sc.find("server-port: 9286"), 17, "server-port: 80");
  WriteFile(ws.Path("services-configuration.yaml"), sc);
  RunResult r = ws.Paiplan({"validate"}, {{"OPENPAI_TEST_PARSER_RUNS", ws.Path("runs.log")}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("failed in validation_pre: validation_pre returned False: server-port 80"));
  EXPECT_FALSE(stdfs::exists(ws.Path("runs.log"))) << "run() must not start after a failed validation_pre";
}

}  // namespace
}  // namespace paiplan::integration
