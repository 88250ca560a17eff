// End-to-end drift detection (GitHub issue 9): the REAL paiplan binary on a
// copy of examples/local against the Kubernetes API test server, with
// out-of-band changes made the way an operator would make them (kubectl,
// rm, an editor).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "engine/base/fs.h"
#include "tests/drift/drift_fixture.h"

namespace paiplan::drift_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWorker0[] = "127.0.0.21";  // local-worker-0: pai-worker
constexpr char kWorker1[] = "127.0.0.22";  // local-worker-1: pai-worker, no-drivers

class DriftTest : public DriftFixture {
 protected:
  // A workspace applied once, with no drift.
  void Applied(const std::string& extra_yaml = "") {
    ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames(), extra_yaml));
    CmdResult apply = Paiplan("apply --auto-approve");
    ASSERT_EQ(apply.rc, 0) << apply.all();
  }
  std::string Marker(const std::string& host) const {
    return ws_ + "/.paiplan/local-nodes/" + host + "/var/lib/paiplan/node.json";
  }
  std::string Rendered() const { return ws_ + "/.paiplan/rendered/demo-config/demo-config.yaml"; }
};

TEST_F(DriftTest, ApplyCreatesLabelsAndConfigMapThenNoDrift) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  CmdResult nodes = Kubectl("get nodes --show-labels");
  ASSERT_EQ(nodes.rc, 0) << nodes.all();
  EXPECT_THAT(nodes.out, HasSubstr("pai-master=true"));
  auto w1 = NodeLabels(kWorker1);
  EXPECT_EQ(w1["pai-worker"], "true");
  EXPECT_EQ(w1["no-drivers"], "true");
  EXPECT_EQ(NodeLabels("127.0.0.11")["dashboard"], "true");
  EXPECT_FALSE(NodeLabels(kWorker0).count("no-drivers"));

  CmdResult cm = Kubectl("get configmap pai-configuration -o yaml");
  ASSERT_EQ(cm.rc, 0) << cm.all();
  EXPECT_THAT(cm.out, HasSubstr("layout.yaml: |"));
  EXPECT_THAT(cm.out, HasSubstr("services-configuration.yaml:"));
  EXPECT_THAT(cm.out, HasSubstr("app.kubernetes.io/managed-by: paiplan"));

  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 0) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("Drift: 0 drifted, 0 ignored, 0 could not be observed, 13 resources checked."));
  CmdResult plan = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(plan.rc, 0) << plan.all();
}

TEST_F(DriftTest, RemovedLabelIsNamedPlannedAsRepairAndRepaired) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  CmdResult un = Kubectl(std::string("label node ") + kWorker0 + " pai-worker-");
  ASSERT_EQ(un.rc, 0) << un.all();

  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    label.local-worker-0 (label): labels drifted: pai-worker removed outside paiplan"));
  EXPECT_THAT(drift.out, HasSubstr("Drift: 1 drifted"));

  CmdResult plan = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("~ label.local-worker-0\n      reason: labels drifted: pai-worker removed outside paiplan"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 0 to add, 1 to change, 0 to destroy."));

  CmdResult apply = Paiplan("apply --auto-approve");
  ASSERT_EQ(apply.rc, 0) << apply.all();
  EXPECT_EQ(NodeLabels(kWorker0)["pai-worker"], "true");
  EXPECT_EQ(Paiplan("drift").rc, 0);
}

TEST_F(DriftTest, DeletedBootstrapMarkerIsDriftAndRebootstraps) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  ASSERT_TRUE(fs::Exists(Marker("local-worker-1")));
  ASSERT_TRUE(std::filesystem::remove(Marker("local-worker-1")));

  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    node.local-worker-1 (node): bootstrap marker missing on the node (/var/lib/paiplan/node.json)"));
  CmdResult plan = Paiplan("plan");
  EXPECT_THAT(plan.out, HasSubstr("-/+ node.local-worker-1\n      reason: bootstrap marker missing on the node"));
  ASSERT_EQ(Paiplan("apply --auto-approve").rc, 0);
  EXPECT_TRUE(fs::Exists(Marker("local-worker-1")));
  EXPECT_EQ(Paiplan("drift").rc, 0);
}

TEST_F(DriftTest, EditedRenderedFileIsDriftAndRewritten) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  auto before = fs::ReadFile(Rendered());
  ASSERT_TRUE(before.has_value());
  // (The render has no final newline: Jinja2 drops it.)
  AppendTo(".paiplan/rendered/demo-config/demo-config.yaml", "\n# edited by hand\n");

  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    render.demo-config/demo-config.yaml (render): rendered file edited"));
  CmdResult plan = Paiplan("plan");
  EXPECT_THAT(plan.out, HasSubstr("~ render.demo-config/demo-config.yaml\n      reason: rendered file edited"));
  EXPECT_THAT(plan.out, HasSubstr("-# edited by hand"));
  ASSERT_EQ(Paiplan("apply --auto-approve").rc, 0);
  EXPECT_EQ(fs::ReadFile(Rendered()).value_or(""), *before);
  EXPECT_EQ(Paiplan("drift").rc, 0);
}

TEST_F(DriftTest, EditedConfigMapIsDriftAndReplaced) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  CmdResult patch = Kubectl("patch configmap pai-configuration --type merge -p '{\"data\":{\"extra\":\"by hand\"}}'");
  ASSERT_EQ(patch.rc, 0) << patch.all();

  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    config.cluster (config): ConfigMap pai-configuration edited outside paiplan: extra differs"));
  ASSERT_EQ(Paiplan("apply --auto-approve").rc, 0);
  CmdResult extra = Kubectl("get configmap pai-configuration -o jsonpath='{.data.extra}'");
  EXPECT_EQ(extra.rc, 0) << extra.all();
  EXPECT_EQ(extra.out, "");
  EXPECT_EQ(Paiplan("drift").rc, 0);
}

TEST_F(DriftTest, DeletedConfigMapIsDrift) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  ASSERT_EQ(Kubectl("delete configmap pai-configuration").rc, 0);
  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("ConfigMap pai-configuration was deleted outside paiplan"));
  ASSERT_EQ(Paiplan("apply --auto-approve").rc, 0);
  EXPECT_EQ(Kubectl("get configmap pai-configuration").rc, 0);
}

// --json: the documented document, every key and value checked.
TEST_F(DriftTest, JsonDocumentIsStable) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  ASSERT_EQ(Kubectl(std::string("label node ") + kWorker0 + " pai-worker-").rc, 0);
  ASSERT_TRUE(std::filesystem::remove(Marker("local-worker-1")));
  CmdResult pull = Paiplan("state pull");
  auto state = nlohmann::ordered_json::parse(pull.out, nullptr, false);
  ASSERT_FALSE(state.is_discarded()) << pull.all();

  int rc = -1;
  nlohmann::ordered_json j = DriftJson(&rc);
  EXPECT_EQ(rc, 2);
  std::vector<std::string> keys;
  for (auto& [k, _] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"format_version", "lineage", "serial", "checked", "drifted", "ignored",
                                            "unobservable", "resources"}))
      << "keys must come in the documented order";
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["lineage"], state["lineage"]);
  EXPECT_EQ(j["serial"], state["serial"]);
  EXPECT_EQ(j["checked"], 13);
  EXPECT_EQ(j["drifted"], 2);
  EXPECT_EQ(j["ignored"], 0);
  EXPECT_EQ(j["unobservable"], 0);
  ASSERT_EQ(j["resources"].size(), 2u) << j.dump(2);
  const auto& label = j["resources"][0];
  EXPECT_EQ(label["address"], "label.local-worker-0");
  EXPECT_EQ(label["kind"], "label");
  EXPECT_EQ(label["status"], "drifted");
  EXPECT_EQ(label["detail"], "labels drifted: pai-worker removed outside paiplan");
  EXPECT_EQ(label["last_applied"], state["resources"]["label.local-worker-0"]["updated_at"]);
  EXPECT_FALSE(label.contains("ignore_reason"));
  const auto& node = j["resources"][1];
  EXPECT_EQ(node["address"], "node.local-worker-1");
  EXPECT_EQ(node["kind"], "node");
  EXPECT_EQ(node["detail"], "bootstrap marker missing on the node (/var/lib/paiplan/node.json)");
  // Same state, same observations: byte-identical output.
  EXPECT_EQ(Paiplan("drift --json").out, Paiplan("drift --json").out);
}

// --junit: valid XML (parsed by Python's minidom), one testcase per resource,
// a failure for each drifted one.
TEST_F(DriftTest, JunitIsValidXmlWithOneTestcasePerResource) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  ASSERT_EQ(Kubectl(std::string("label node ") + kWorker1 + " no-drivers-").rc, 0);
  AppendTo(".paiplan/rendered/demo-config/demo-config.yaml", "<&\"edited\">\n");
  std::string xml = tmp_ + "/drift.xml";
  CmdResult drift = Paiplan("drift --junit " + Quote(xml));
  EXPECT_EQ(drift.rc, 2) << drift.all();
  CmdResult py = Shell("/usr/bin/python3 -c '"
                 "import json, sys, xml.dom.minidom as m\n"
                 "d = m.parse(sys.argv[1])\n"
                 "s = d.getElementsByTagName(\"testsuite\")[0]\n"
                 "cases = d.getElementsByTagName(\"testcase\")\n"
                 "def named(tag): return sorted(c.getAttribute(\"name\") for c in cases if c.getElementsByTagName(tag))\n"
                 "print(json.dumps({\"tests\": int(s.getAttribute(\"tests\")), \"failures\": int(s.getAttribute(\"failures\")),\n"
                 "  \"cases\": [c.getAttribute(\"name\") for c in cases], \"failed\": named(\"failure\"),\n"
                 "  \"messages\": [f.getAttribute(\"message\") for f in d.getElementsByTagName(\"failure\")]}))' " +
                 Quote(xml));
  ASSERT_EQ(py.rc, 0) << "not valid XML:\n" << py.all() << fs::ReadFile(xml).value_or("(missing)");
  auto j = nlohmann::json::parse(py.out);
  EXPECT_EQ(j["tests"], 13);
  EXPECT_EQ(j["cases"].size(), 13u);
  EXPECT_EQ(j["failures"], 2);
  EXPECT_EQ(j["failed"], (nlohmann::json{"label.local-worker-1", "render.demo-config/demo-config.yaml"}));
  EXPECT_EQ(j["messages"][0], "labels drifted: no-drivers removed outside paiplan");
  std::set<std::string> cases(j["cases"].begin(), j["cases"].end());
  for (const char* a : {"config.cluster", "label.local-master", "node.local-worker-0", "service.demo-app",
                        "render.demo-store/demo-store.yaml"}) {
    EXPECT_TRUE(cases.count(a)) << a;
  }
}

// An unreachable API: exit 1, but the report still covers nodes, renders and
// services, and names each resource it could not observe.
TEST_F(DriftTest, UnreachableApiGivesPartialReportAndExitOne) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  AppendTo(".paiplan/rendered/demo-config/demo-config.yaml", "# edited\n");
  server_.Stop();

  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 1) << drift.all();
  for (const char* a : {"config.cluster (config)", "label.local-master (label)", "label.local-worker-0 (label)",
                        "label.local-worker-1 (label)"}) {
    EXPECT_THAT(drift.out, HasSubstr(std::string("UNKNOWN  ") + a + ": ")) << a;
  }
  EXPECT_THAT(drift.out, HasSubstr("cannot reach https://127.0.0.1"));
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    render.demo-config/demo-config.yaml"));
  EXPECT_THAT(drift.out, HasSubstr("Drift: 1 drifted, 0 ignored, 4 could not be observed, 13 resources checked."));
  EXPECT_THAT(drift.out, Not(HasSubstr("node.local")));

  int rc = -1;
  auto j = DriftJson(&rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(j["unobservable"], 4);
  EXPECT_EQ(j["drifted"], 1);
  EXPECT_EQ(j["checked"], 13);
  std::string xml = tmp_ + "/drift.xml";
  EXPECT_EQ(Paiplan("drift --junit " + Quote(xml)).rc, 1);
  EXPECT_THAT(fs::ReadFile(xml).value_or(""), HasSubstr("failures=\"1\" errors=\"4\""));
}

TEST_F(DriftTest, IgnoredDriftIsListedAndExitsZero) {
  ASSERT_NO_FATAL_FAILURE(Applied(
      "drift:\n  ignore:\n    - address: \"label.*\"\n      reason: \"labels are managed by the GPU operator\"\n"));
  ASSERT_EQ(Kubectl(std::string("label node ") + kWorker0 + " pai-worker-").rc, 0);

  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 0) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("ignored  label.local-worker-0 (label): labels drifted: pai-worker removed outside "
                                   "paiplan — ignored: labels are managed by the GPU operator"));
  EXPECT_THAT(drift.out, HasSubstr("Drift: 0 drifted, 1 ignored"));
  auto j = DriftJson();
  ASSERT_EQ(j["resources"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["resources"][0]["status"], "ignored");
  EXPECT_EQ(j["resources"][0]["ignore_reason"], "labels are managed by the GPU operator");

  // The rule covers labels only: other drift still fails the check.
  ASSERT_TRUE(std::filesystem::remove(Marker("local-master")));
  EXPECT_EQ(Paiplan("drift").rc, 2);
}

// An attribute pattern ignores only the differences it names: a rule for
// label no-drivers does not hide a pai-worker removal on the same node.
TEST_F(DriftTest, LabelAttributeRuleIgnoresOnlyThatLabel) {
  ASSERT_NO_FATAL_FAILURE(Applied("drift:\n  ignore:\n    - address: \"label.local-worker-*\"\n"
                                  "      attribute: \"labels.no-drivers\"\n      reason: \"drivers are set by hand\"\n"));
  ASSERT_EQ(Kubectl(std::string("label node ") + kWorker1 + " no-drivers-").rc, 0);
  CmdResult only_ignored = Paiplan("drift");
  EXPECT_EQ(only_ignored.rc, 0) << only_ignored.all();
  EXPECT_THAT(only_ignored.out, HasSubstr("ignored  label.local-worker-1 (label): labels drifted: no-drivers removed "
                                          "outside paiplan — ignored: drivers are set by hand"));

  ASSERT_EQ(Kubectl(std::string("label node ") + kWorker1 + " pai-worker-").rc, 0);
  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    label.local-worker-1 (label): labels drifted: pai-worker removed outside "
                                   "paiplan (ignored: labels drifted: no-drivers removed outside paiplan — drivers "
                                   "are set by hand)"));
  EXPECT_THAT(drift.out, HasSubstr("Drift: 1 drifted, 0 ignored"));
  int rc = -1;
  auto j = DriftJson(&rc);
  EXPECT_EQ(rc, 2);
  ASSERT_EQ(j["resources"].size(), 1u) << j.dump(2);
  const auto& r = j["resources"][0];
  EXPECT_EQ(r["status"], "drifted");
  EXPECT_EQ(r["detail"], "labels drifted: pai-worker removed outside paiplan");
  EXPECT_EQ(r["ignored_detail"], "labels drifted: no-drivers removed outside paiplan");
  EXPECT_EQ(r["ignore_reason"], "drivers are set by hand");
  ASSERT_EQ(r["differences"].size(), 2u);
  EXPECT_EQ(r["differences"][0]["attribute"], "labels.no-drivers");
  EXPECT_EQ(r["differences"][0]["ignored"], true);
  EXPECT_EQ(r["differences"][1]["attribute"], "labels.pai-worker");
  EXPECT_EQ(r["differences"][1]["ignored"], false);
  EXPECT_FALSE(r["differences"][1].contains("ignore_reason"));

  std::string xml = tmp_ + "/drift.xml";
  EXPECT_EQ(Paiplan("drift --junit " + Quote(xml)).rc, 2);
  std::string x = fs::ReadFile(xml).value_or("");
  EXPECT_THAT(x, HasSubstr("<failure message=\"labels drifted: pai-worker removed outside paiplan\"/>"));
  EXPECT_THAT(x, Not(HasSubstr("no-drivers removed")));
}

// ConfigMap differences are per key: data.<key>.
TEST_F(DriftTest, ConfigMapKeyRuleIgnoresOnlyThatKey) {
  ASSERT_NO_FATAL_FAILURE(Applied("drift:\n  ignore:\n    - address: config.cluster\n      attribute: \"data.note-*\"\n"
                                  "      reason: operators leave notes\n"));
  ASSERT_EQ(Kubectl("patch configmap pai-configuration --type merge -p '{\"data\":{\"note-1\":\"hi\"}}'").rc, 0);
  CmdResult ignored = Paiplan("drift");
  EXPECT_EQ(ignored.rc, 0) << ignored.all();
  EXPECT_THAT(ignored.out, HasSubstr("ignored  config.cluster (config): ConfigMap pai-configuration edited outside "
                                     "paiplan: note-1 differs — ignored: operators leave notes"));
  ASSERT_EQ(Kubectl("patch configmap pai-configuration --type merge -p '{\"data\":{\"extra\":\"x\"}}'").rc, 0);
  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    config.cluster (config): ConfigMap pai-configuration edited outside "
                                   "paiplan: extra differs (ignored: ConfigMap pai-configuration edited outside "
                                   "paiplan: note-1 differs — operators leave notes)"));
}

// An address-only rule still ignores every difference; an attribute rule
// for another attribute ignores none.
TEST_F(DriftTest, AttributeRuleForAnotherAttributeIgnoresNothing) {
  ASSERT_NO_FATAL_FAILURE(Applied("drift:\n  ignore:\n    - address: \"node.*\"\n      attribute: \"labels.*\"\n"
                                  "      reason: wrong kind\n    - address: \"render.demo-config/*\"\n"
                                  "      reason: edited by the demo\n"));
  ASSERT_TRUE(std::filesystem::remove(Marker("local-worker-0")));
  AppendTo(".paiplan/rendered/demo-config/demo-config.yaml", "\n# edited\n");
  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DRIFT    node.local-worker-0 (node): bootstrap marker missing"));
  EXPECT_THAT(drift.out, HasSubstr("ignored  render.demo-config/demo-config.yaml (render): rendered file edited: "
                                   "demo-config.yaml — ignored: edited by the demo"));
}

// apply --refresh-only accepts reality; the next plan proposes putting the
// desired labels back.
TEST_F(DriftTest, RefreshOnlyAcceptsRealityThenPlanRestoresDesired) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  ASSERT_EQ(Kubectl(std::string("label node ") + kWorker0 + " pai-worker-").rc, 0);
  CmdResult refresh = Paiplan("apply --refresh-only --auto-approve");
  ASSERT_EQ(refresh.rc, 0) << refresh.all();
  EXPECT_THAT(refresh.out, HasSubstr("~ label.local-worker-0: labels drifted: pai-worker removed outside paiplan"));
  EXPECT_THAT(refresh.out, HasSubstr("Recorded 1 observation (serial"));

  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 0) << drift.all();
  CmdResult plan = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("~ label.local-worker-0\n"));
  EXPECT_THAT(plan.out, HasSubstr("add pai-worker"));
  EXPECT_THAT(plan.out, HasSubstr("+ labels.pai-worker = \"true\""));
  ASSERT_EQ(Paiplan("apply --auto-approve").rc, 0);
  EXPECT_EQ(NodeLabels(kWorker0)["pai-worker"], "true");
  EXPECT_EQ(Paiplan("plan --detailed-exitcode").rc, 0);
}

TEST_F(DriftTest, RefreshOnlyWithoutDriftChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  CmdResult refresh = Paiplan("apply --refresh-only --auto-approve");
  EXPECT_EQ(refresh.rc, 0) << refresh.all();
  EXPECT_THAT(refresh.out, HasSubstr("No drift"));
  CmdResult unapproved = Paiplan("apply --refresh-only");
  EXPECT_EQ(unapproved.rc, 0) << "no drift: nothing to approve\n" << unapproved.all();
}

TEST_F(DriftTest, RefreshOnlyNeedsApproval) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  ASSERT_EQ(Kubectl(std::string("label node ") + kWorker0 + " pai-worker-").rc, 0);
  CmdResult refresh = Paiplan("apply --refresh-only");
  EXPECT_EQ(refresh.rc, 1) << refresh.all();
  EXPECT_THAT(refresh.all(), HasSubstr("nothing was changed"));
  EXPECT_EQ(Paiplan("drift").rc, 2);
}

// Labels paiplan did not set are never removed: not by apply after a label
// was dropped from layout.yaml, not by destroy.
TEST_F(DriftTest, ForeignLabelsSurviveApplyAndDestroy) {
  ASSERT_NO_FATAL_FAILURE(Applied());
  ASSERT_EQ(Kubectl(std::string("label node ") + kWorker1 + " team=ml gpu-vendor=acme").rc, 0);
  EXPECT_EQ(Paiplan("drift").rc, 0) << "labels paiplan does not own are not drift";

  // Drop no-drivers from local-worker-1 in layout.yaml: paiplan owns it, so it goes.
  CmdResult sed = Shell("sed -i '/no-drivers: \"true\"/d' " + Quote(ws_ + "/layout.yaml"));
  ASSERT_EQ(sed.rc, 0);
  CmdResult plan = Paiplan("plan");
  EXPECT_THAT(plan.out, HasSubstr("remove no-drivers"));
  ASSERT_EQ(Paiplan("apply --auto-approve").rc, 0) << Paiplan("plan").all();
  auto labels = NodeLabels(kWorker1);
  EXPECT_FALSE(labels.count("no-drivers"));
  EXPECT_EQ(labels["pai-worker"], "true");
  EXPECT_EQ(labels["team"], "ml");
  EXPECT_EQ(labels["gpu-vendor"], "acme");

  CmdResult destroy = Paiplan("destroy --auto-approve");
  ASSERT_EQ(destroy.rc, 0) << destroy.all();
  labels = NodeLabels(kWorker1);
  EXPECT_FALSE(labels.count("pai-worker"));
  EXPECT_EQ(labels["team"], "ml");
  EXPECT_EQ(labels["gpu-vendor"], "acme");
  EXPECT_EQ(labels["kubernetes.io/hostname"], kWorker1);
  EXPECT_FALSE(NodeLabels("127.0.0.11").count("pai-master"));
  EXPECT_NE(Kubectl("get configmap pai-configuration").rc, 0) << "destroy deletes the ConfigMap it created";
}

}  // namespace
}  // namespace paiplan::drift_test
