// `paiplan drift` against real sshd machines (issue 9): a machine whose sshd
// is down cannot be observed; drift exits 1, names it with the reason, and
// still checks and reports every other resource — text, JSON and JUnit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/ssh_e2e/e2e_fixture.h"

namespace paiplan::ssh_e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SshE2eDriftTest : public SshE2eTest {
 protected:
  // Adds service s1 (one render, a start-script) to the workspace, so the
  // report has more than nodes to check.
  void AddService() {
    std::string d = ws_ + "/services/s1/deploy/";
    WriteFile(d + "service.yaml", "template-list:\n  - s1.conf\nstart-script: start.sh\n");
    WriteFile(d + "start.sh", "echo started\n");
    WriteFile(d + "s1.conf.template", "machines={{ cluster_cfg['layout']['machine-list'] | length }}\n");
    std::string settings = ReadFile(ws_ + "/paiplan.yaml");
    size_t at = settings.find("enabled-services: []");
    ASSERT_NE(at, std::string::npos) << settings;
    WriteFile(ws_ + "/paiplan.yaml", settings.replace(at, 20, "enabled-services: [s1]"));
  }
  std::string Rendered() const { return ws_ + "/.paiplan/rendered/s1/s1.conf"; }

  // 3 machines and s1 applied; node1's sshd stopped; node2's marker deleted;
  // s1's rendered file edited.
  void AppliedThenNode1DownAndNode2Drifted() {
    ASSERT_NO_FATAL_FAILURE(StartCluster(3));
    ASSERT_NO_FATAL_FAILURE(AddService());
    RunResult apply = Paiplan({"apply", "--auto-approve"});
    ASSERT_EQ(apply.rc, 0) << apply.all();
    RunResult clean = Paiplan({"drift"});
    ASSERT_EQ(clean.rc, 0) << clean.all();
    ASSERT_TRUE(h_->Stop(1).ok());
    ASSERT_EQ(Shell("rm '" + MarkerPath(2) + "'").rc, 0);
    ASSERT_TRUE(Exists(Rendered()));
    WriteFile(Rendered(), ReadFile(Rendered()) + "# edited\n");
  }
};

TEST_F(SshE2eDriftTest, UnreachableMachineIsNamedAndTheRestStillChecked) {
  ASSERT_NO_FATAL_FAILURE(AppliedThenNode1DownAndNode2Drifted());
  RunResult drift = Paiplan({"drift"});
  EXPECT_EQ(drift.rc, 1) << drift.all();
  std::string target = h_->ip(1) + ":" + std::to_string(h_->port());
  EXPECT_THAT(drift.out, HasSubstr("UNKNOWN  node.node1 (node): ")) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr(target)) << "the reason names the machine's address";
  EXPECT_THAT(drift.out, HasSubstr("connection refused")) << "and why it could not be observed";
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    node.node2 (node): bootstrap marker missing on the node "
                                   "(/var/lib/paiplan/node.json)"));
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    render.s1/s1.conf (render): rendered file edited: s1.conf"));
  EXPECT_THAT(drift.out, Not(HasSubstr("node.node0")));
  EXPECT_THAT(drift.out, Not(HasSubstr("service.s1")));
  EXPECT_THAT(drift.out, HasSubstr("Drift: 2 drifted, 0 ignored, 1 could not be observed, 5 resources checked."));
}

TEST_F(SshE2eDriftTest, UnreachableMachineInJsonAndJunit) {
  ASSERT_NO_FATAL_FAILURE(AppliedThenNode1DownAndNode2Drifted());
  RunResult json = Paiplan({"drift", "--json"});
  EXPECT_EQ(json.rc, 1) << json.all();
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.all();
  EXPECT_EQ(j["checked"], 5);
  EXPECT_EQ(j["drifted"], 2);
  EXPECT_EQ(j["unobservable"], 1);
  ASSERT_EQ(j["resources"].size(), 3u) << j.dump(2);
  EXPECT_EQ(j["resources"][0]["address"], "node.node1");
  EXPECT_EQ(j["resources"][0]["status"], "unobservable");
  EXPECT_THAT(j["resources"][0]["detail"].get<std::string>(), HasSubstr(h_->ip(1)));
  EXPECT_EQ(j["resources"][1]["address"], "node.node2");
  EXPECT_EQ(j["resources"][1]["status"], "drifted");
  EXPECT_EQ(j["resources"][1]["differences"][0]["attribute"], "marker");
  EXPECT_EQ(j["resources"][2]["address"], "render.s1/s1.conf");
  EXPECT_EQ(j["resources"][2]["differences"][0]["attribute"], "content");

  std::string xml = ws_ + "/drift.xml";
  RunResult junit = Paiplan({"drift", "--junit", xml});
  EXPECT_EQ(junit.rc, 1) << junit.all();
  RunResult py = Shell(
      "/usr/bin/python3 -c 'import sys, xml.dom.minidom as m\n"
      "d = m.parse(sys.argv[1]); s = d.getElementsByTagName(\"testsuite\")[0]\n"
      "print(s.getAttribute(\"tests\"), s.getAttribute(\"failures\"), s.getAttribute(\"errors\"))\n"
      "for c in d.getElementsByTagName(\"testcase\"):\n"
      "  kids = [k.tagName for k in c.childNodes if k.nodeType == k.ELEMENT_NODE]\n"
      "  print(c.getAttribute(\"name\"), \",\".join(kids) or \"ok\")' '" + xml + "'");
  ASSERT_EQ(py.rc, 0) << py.all() << ReadFile(xml);
  EXPECT_EQ(py.out, "5 2 1\nnode.node0 ok\nnode.node1 error\nnode.node2 failure\nrender.s1/s1.conf failure\n"
                    "service.s1 ok\n");
  EXPECT_THAT(ReadFile(xml), HasSubstr("<error message=\"")) << ReadFile(xml);

  // Once node1 answers again, only the drift is left.
  ASSERT_TRUE(h_->Start(1).ok());
  RunResult again = Paiplan({"drift"});
  EXPECT_EQ(again.rc, 2) << again.all();
  EXPECT_THAT(again.out, HasSubstr("Drift: 2 drifted, 0 ignored, 0 could not be observed, 5 resources checked."));
}

}  // namespace
}  // namespace paiplan::ssh_e2e
