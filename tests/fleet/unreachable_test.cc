// Unreachable machines do not block the fleet (docs/failure-semantics.md): on real sshd
// nodes with one sshd stopped, the rest is planned and applied, the stopped
// machine and what needs it are listed under "Not observed (left out)", the
// exit status is 1 (partial); --require-all gives all-or-nothing; a saved
// plan records what it left out; drift keeps them UNKNOWN.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/ssh_e2e/e2e_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FleetUnreachableTest : public SshE2eTest {
 protected:
  void AddService() {
    std::string d = ws_ + "/services/s1/deploy/";
    WriteFile(d + "service.yaml", "template-list:\n  - s1.conf\nstart-script: start.sh\nrefresh-script: start.sh\n");
    WriteFile(d + "start.sh", "echo started >> \"$PAIPLAN_WORKSPACE/s1.runs\"\n");
    WriteFile(d + "s1.conf.template", "machines={{ cluster_cfg['layout']['machine-list'] | length }}\n");
    std::string settings = ReadFile(ws_ + "/paiplan.yaml");
    size_t at = settings.find("enabled-services: []");
    ASSERT_NE(at, std::string::npos) << settings;
    WriteFile(ws_ + "/paiplan.yaml", settings.replace(at, 20, "enabled-services: [s1]"));
  }
};

TEST_F(FleetUnreachableTest, OneStoppedSshdIsLeftOutWithWhatNeedsItAndTheRestIsApplied) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(3));
  ASSERT_NO_FATAL_FAILURE(AddService());
  RunResult first = Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(first.rc, 0) << first.all();
  ASSERT_TRUE(h_->Stop(2).ok());
  ASSERT_EQ(Shell("rm '" + MarkerPath(1) + "'").rc, 0);      // node1 needs a repair
  // s1's config changes: its render is rewritten and it is refreshed.
  std::string tmpl = ws_ + "/services/s1/deploy/s1.conf.template";
  WriteFile(tmpl, ReadFile(tmpl) + "version=2\n");

  RunResult plan = Paiplan({"plan"});
  EXPECT_EQ(plan.rc, 1) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("# node.node1 "));
  EXPECT_THAT(plan.out, HasSubstr("\nNot observed (left out):\n  node.node2 \u2014 "));
  EXPECT_THAT(plan.out, HasSubstr("connection refused"));
  EXPECT_THAT(plan.out, HasSubstr("# service.s1 ")) << "s1 does not need node2 here (no Kubernetes labels)";
  EXPECT_THAT(plan.err, HasSubstr("Partial plan: 1 resource was not observed and left out (above)"));

  RunResult all = Paiplan({"apply", "--auto-approve", "--require-all"});
  EXPECT_EQ(all.rc, 1) << all.all();
  EXPECT_THAT(all.err, HasSubstr("could not observe node.node2"));
  EXPECT_THAT(all.err, HasSubstr("nothing was changed"));
  EXPECT_FALSE(Exists(MarkerPath(1))) << "--require-all changed something";

  std::string file = ws_ + "/partial.plan";
  RunResult saved = Paiplan({"plan", "-o", file});
  EXPECT_EQ(saved.rc, 1) << saved.all();
  ASSERT_TRUE(Exists(file)) << "a partial plan is saved with what it left out: " << saved.all();
  RunResult show = Paiplan({"show", file});
  EXPECT_THAT(show.out, HasSubstr("Not observed (left out):\n  node.node2 \u2014 ")) << show.all();
  RunResult json = Paiplan({"show", file, "--json"});
  auto doc = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << json.all();
  ASSERT_EQ(doc["left_out"].size(), 1u) << doc["left_out"].dump();
  EXPECT_EQ(doc["left_out"][0]["address"], "node.node2");
  EXPECT_THAT(doc["left_out"][0].value("error", ""), HasSubstr("connection refused"));

  RunResult apply = Paiplan({"apply", file});
  EXPECT_EQ(apply.rc, 1) << apply.all();
  EXPECT_THAT(apply.out, HasSubstr("Partial apply: 1 resource was not observed and left out"));
  EXPECT_TRUE(Marker(1).is_object()) << "the reachable machine was not repaired: " << apply.all();
  EXPECT_EQ(ReadFile(ws_ + "/s1.runs"), "started\nstarted\n") << "the rest was not applied";
  EXPECT_THAT(ReadFile(ws_ + "/.paiplan/rendered/s1/s1.conf"), HasSubstr("version=2"));

  RunResult drift = Paiplan({"drift"});
  EXPECT_EQ(drift.rc, 1) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("UNKNOWN  node.node2 (node): "));

  // --exclude hides the unreachable machine too: it is not needed, so not "Not observed".
  RunResult excluded = Paiplan({"plan", "--exclude", "node.node2"});
  EXPECT_EQ(excluded.rc, 0) << excluded.all();
  EXPECT_THAT(excluded.all(), Not(HasSubstr("Not observed")));
  EXPECT_THAT(excluded.all(), Not(HasSubstr("Partial")));
  RunResult strict = Paiplan({"plan", "--exclude", "node.node2", "--require-all"});
  EXPECT_EQ(strict.rc, 0) << "an excluded machine need not be observed, even with --require-all: " << strict.all();

  ASSERT_TRUE(h_->Start(2).ok());
  RunResult rest = Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(rest.rc, 0) << rest.all();
  EXPECT_THAT(rest.all(), Not(HasSubstr("Not observed")));
  EXPECT_EQ(ReadFile(ws_ + "/s1.runs"), "started\nstarted\n") << "run twice";
  EXPECT_EQ(Paiplan({"plan", "--detailed-exitcode"}).rc, 0);
}

}  // namespace
}  // namespace paiplan::ssh_e2e
