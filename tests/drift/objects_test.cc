// object.* resources (issue 13): a native service's Kubernetes objects
// planned, applied with server-side apply, observed, repaired, pruned and
// waited for. The REAL paiplan binary against the Kubernetes API test server
// (tests/kube/serve) and the real kubectl.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "engine/base/fs.h"
#include "tests/drift/drift_fixture.h"

namespace paiplan::drift_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char kDeploy[] = "object.web/Deployment/default/web";
const char kConfig[] = "object.web/ConfigMap/default/web-config";

class ObjectsTest : public DriftFixture {
 protected:
  // examples/local plus the native service tests/drift/testdata/web, enabled.
  void MakeObjectsWorkspace() {
    ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
    std::string src = std::string(PAIPLAN_TEST_DIR) + "/drift/testdata/web";
    CmdResult cp = Shell("cp -r " + Quote(src) + " " + Quote(ws_ + "/services/web") + " && sed -i " +
                         Quote("s/^enabled-services:$/&\\n  - web/") + " " + Quote(ws_ + "/paiplan.yaml"));
    ASSERT_EQ(cp.rc, 0) << cp.all();
  }
  // examples/local plus the scripted service tests/drift/testdata/webscript
  // (its scripts run the real kubectl), enabled.
  void MakeScriptedWorkspace() {
    ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
    std::string src = std::string(PAIPLAN_TEST_DIR) + "/drift/testdata/webscript";
    CmdResult cp = Shell("cp -r " + Quote(src) + " " + Quote(ws_ + "/services/webscript") + " && sed -i " +
                         Quote("s/^enabled-services:$/&\\n  - webscript/") + " " + Quote(ws_ + "/paiplan.yaml"));
    ASSERT_EQ(cp.rc, 0) << cp.all();
  }
  void ApplyOk() {
    CmdResult r = Paiplan("apply --auto-approve");
    ASSERT_EQ(r.rc, 0) << r.all();
  }
  nlohmann::json Get(const std::string& what) {
    CmdResult r = Kubectl("get " + what + " -o json --show-managed-fields");
    EXPECT_EQ(r.rc, 0) << r.all();
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }
  void EditTemplate(const std::string& sed) {
    CmdResult r = Shell("sed -i " + Quote(sed) + " " + Quote(ws_ + "/services/web/deploy/web.yaml.template"));
    ASSERT_EQ(r.rc, 0) << r.all();
  }
  // The plan text's blocks of actions on `prefix` addresses, as printed.
  static std::string ObjectBlocks(const std::string& plan, const std::string& prefix = "object.") {
    std::string out;
    bool in = false;
    for (size_t p = 0, q; p < plan.size(); p = q + 1) {
      q = plan.find('\n', p);
      if (q == std::string::npos) q = plan.size();
      std::string line = plan.substr(p, q - p);
      if (line.starts_with("  # ")) in = line.starts_with("  # " + prefix);
      else if (!line.starts_with("  ")) in = false;
      if (in) out += line + "\n";
    }
    return out;
  }
  // Compares with tests/drift/testdata/objects/NAME.plan (UPDATE_GOLDEN=1 rewrites it).
  static void Golden(const std::string& name, const std::string& actual) {
    std::string path = std::string(PAIPLAN_TEST_DIR) + "/drift/testdata/objects/" + name + ".plan";
    if (const char* u = ::getenv("UPDATE_GOLDEN"); u && std::string(u) == "1") {
      ASSERT_TRUE(fs::MakeDirs(path.substr(0, path.rfind('/'))).ok());
      ASSERT_TRUE(fs::WriteFileAtomic(path, actual).ok());
    }
    auto want = fs::ReadFile(path);
    ASSERT_TRUE(want.has_value()) << path << " is missing; create it with UPDATE_GOLDEN=1";
    EXPECT_EQ(*want, actual) << "golden " << path << " differs (UPDATE_GOLDEN=1 rewrites it if intended)";
  }
  nlohmann::json Stats() {
    auto s = server_.Stats();
    EXPECT_TRUE(s.has_value());
    return s ? *s : nlohmann::json::object();
  }
};

TEST_F(ObjectsTest, CreatedAppliedReadyThenNoOpWithoutPerObjectRequests) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  CmdResult plan = Paiplan("plan");
  ASSERT_EQ(plan.rc, 0) << plan.all();
  for (const char* a : {"+ object.web/ConfigMap/default/web-config", "+ object.web/Secret/default/web-secret",
                        "+ object.web/PersistentVolumeClaim/default/web-data", "+ object.web/Deployment/default/web",
                        "+ object.web/DaemonSet/default/web-agent"})
    EXPECT_THAT(plan.out, HasSubstr(a)) << plan.out;
  EXPECT_THAT(plan.all(), Not(HasSubstr("web-secret-value-4711")));
  Golden("created", ObjectBlocks(plan.out));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());

  nlohmann::json d = Get("deploy web");
  EXPECT_EQ(d["metadata"]["labels"]["app.kubernetes.io/managed-by"], "paiplan");
  EXPECT_EQ(d["metadata"]["labels"]["paiplan.io/service"], "web");
  EXPECT_EQ(d["metadata"]["managedFields"][0]["manager"], "paiplan");
  EXPECT_EQ(d["status"]["availableReplicas"], 2) << "apply waited for the rollout";
  nlohmann::json ds = Get("ds web-agent");
  EXPECT_EQ(ds["status"]["desiredNumberScheduled"], 2) << "deploy-rules (in: pai-worker) select the 2 workers";
  EXPECT_THAT(ds["spec"]["template"]["spec"]["affinity"].dump(), HasSubstr("pai-worker"));
  EXPECT_EQ(Get("pvc web-data")["status"]["phase"], "Bound");

  ASSERT_TRUE(server_.AdminPost("/reset-stats").ok());
  CmdResult again = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(again.rc, 0) << again.all();
  nlohmann::json st = Stats();
  EXPECT_EQ(st["object_gets"], 1) << "a no-op plan observes objects by LIST only (the one GET is config.cluster's "
                                      "ConfigMap): " << st.dump();
  EXPECT_EQ(st["object_list_requests"], 5) << "one LIST per (kind, namespace): " << st.dump();
  EXPECT_EQ(Paiplan("drift").rc, 0);
}

TEST_F(ObjectsTest, ScaledWithKubectlIsDriftAndTheApplyTakesItBack) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  ASSERT_EQ(Kubectl("scale deploy web --replicas=5").rc, 0);
  CmdResult plan = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("~ object.web/Deployment/default/web"));
  EXPECT_THAT(plan.out, HasSubstr("object drifted: spec.replicas changed outside paiplan"));
  EXPECT_THAT(plan.out, HasSubstr("spec.replicas: 5 → 2"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 0 to add, 1 to change, 0 to destroy."));
  Golden("scaled", ObjectBlocks(plan.out));
  int rc = 0;
  nlohmann::ordered_json drift = DriftJson(&rc);
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(drift.dump(), HasSubstr(kDeploy));
  EXPECT_THAT(drift.dump(), HasSubstr("spec.replicas"));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  EXPECT_EQ(Get("deploy web")["spec"]["replicas"], 2);
  EXPECT_EQ(Paiplan("plan --detailed-exitcode").rc, 0);
}

// The reviewed way: plan --out FILE, then apply FILE. The saved plan carries
// the manifests it applies (it was refused for want of them).
TEST_F(ObjectsTest, DriftRepairedThroughASavedPlan) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  ASSERT_EQ(Kubectl("scale deploy web --replicas=5").rc, 0);
  std::string file = ws_ + "/repair.plan";
  CmdResult plan = Paiplan("plan --out " + file);
  ASSERT_EQ(plan.rc, 0) << plan.all();
  ASSERT_THAT(plan.out, HasSubstr("~ object.web/Deployment/default/web"));
  CmdResult apply = Paiplan("apply " + file);
  EXPECT_EQ(apply.rc, 0) << apply.all();
  EXPECT_EQ(Get("deploy web")["spec"]["replicas"], 2);
  EXPECT_EQ(Paiplan("plan --detailed-exitcode").rc, 0);
}

// The API server stores `cpu: 1000m` as `1`: a server-side dry-run apply
// shows that applying would change nothing, so it is not drift. A real
// change (kubectl scale) still is, confirmed the same way.
TEST_F(ObjectsTest, ServerNormalisedValueIsNotDriftButARealChangeIs) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  ASSERT_NO_FATAL_FAILURE(EditTemplate("s/containers: \\[{name: web, image: nginx}\\]/"
                                       "containers: [{name: web, image: nginx, resources: {requests: {cpu: 1000m}}}]/"));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  ASSERT_EQ(Get("deploy web")["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"], "1")
      << "the server did not normalise: the test checks nothing";
  CmdResult plan = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(plan.rc, 0) << plan.all();
  EXPECT_EQ(Paiplan("drift").rc, 0);
  ASSERT_EQ(Kubectl("scale deploy web --replicas=5").rc, 0);
  CmdResult scaled = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(scaled.rc, 2) << scaled.all();
  EXPECT_THAT(scaled.out, HasSubstr("spec.replicas: 5 → 2"));
}

TEST_F(ObjectsTest, DeletedOutOfBandIsRecreated) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  ASSERT_EQ(Kubectl("delete configmap web-config").rc, 0);
  CmdResult plan = Paiplan("plan");
  EXPECT_THAT(plan.out, HasSubstr(std::string("~ ") + kConfig));
  EXPECT_THAT(plan.out, HasSubstr("object missing: deleted outside paiplan"));
  Golden("deleted_out_of_band", ObjectBlocks(plan.out));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  EXPECT_EQ(Kubectl("get configmap web-config").rc, 0);
}

TEST_F(ObjectsTest, ObjectRemovedFromTheTemplateIsPruned) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  // Drop the DaemonSet document (the template's last one).
  std::string tmpl = ws_ + "/services/web/deploy/web.yaml.template";
  std::string text = fs::ReadFile(tmpl).value_or("");
  size_t cut = text.rfind("---\napiVersion: apps/v1\nkind: DaemonSet");
  ASSERT_NE(cut, std::string::npos);
  ASSERT_TRUE(fs::WriteFileAtomic(tmpl, text.substr(0, cut)).ok());
  CmdResult plan = Paiplan("plan");
  EXPECT_THAT(plan.out, HasSubstr("- object.web/DaemonSet/default/web-agent"));
  EXPECT_THAT(plan.out, HasSubstr("no longer rendered by web.yaml"));
  Golden("pruned", ObjectBlocks(plan.out));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  EXPECT_NE(Kubectl("get ds web-agent").rc, 0);
  EXPECT_EQ(Kubectl("get deploy web").rc, 0);
}

TEST_F(ObjectsTest, DisabledServiceObjectsDeletedInReverseOrderPvcKept) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  ASSERT_EQ(Shell("sed -i '/^  - web$/d' " + Quote(ws_ + "/paiplan.yaml")).rc, 0);
  Golden("disabled", ObjectBlocks(Paiplan("plan").out));
  CmdResult plan = Paiplan("plan --json");
  auto p = nlohmann::json::parse(plan.out, nullptr, false);
  ASSERT_FALSE(p.is_discarded()) << plan.all();
  std::map<std::string, nlohmann::json> by;
  for (const auto& a : p["actions"]) by[a["address"]] = a;
  EXPECT_EQ(by[kDeploy]["action"], "delete");
  EXPECT_EQ(by[kDeploy]["reason"], "service web is no longer enabled");
  // Reverse install order: workloads go first, then the PVC, then ConfigMaps and Secrets.
  EXPECT_THAT(by["object.web/PersistentVolumeClaim/default/web-data"]["depends_on"].dump(), HasSubstr(kDeploy));
  EXPECT_THAT(by[kConfig]["depends_on"].dump(), HasSubstr("object.web/PersistentVolumeClaim/default/web-data"));
  EXPECT_THAT(by["object.web/PersistentVolumeClaim/default/web-data"]["reason"].get<std::string>(),
              HasSubstr("kept"));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  EXPECT_NE(Kubectl("get deploy web").rc, 0);
  EXPECT_NE(Kubectl("get secret web-secret").rc, 0);
  EXPECT_EQ(Kubectl("get pvc web-data").rc, 0) << "PVCs are kept unless destroy --purge";
}

TEST_F(ObjectsTest, FieldOwnedByAnotherManagerIsAConflictUnlessForced) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  ASSERT_NO_FATAL_FAILURE(EditTemplate("/^    replicas: 2$/d"));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  // An autoscaler owns spec.replicas; the template then starts setting it.
  CmdResult hpa = Kubectl("patch deploy web --type=merge --field-manager=autoscaler -p '{\"spec\":{\"replicas\":4}}'");
  ASSERT_EQ(hpa.rc, 0) << hpa.all();
  ASSERT_NO_FATAL_FAILURE(EditTemplate("s/^    selector: {matchLabels: {app: web}}$/    replicas: 2\\n&/"));
  Golden("conflict", ObjectBlocks(Paiplan("plan").out));
  CmdResult apply = Paiplan("apply --auto-approve");
  EXPECT_EQ(apply.rc, 1) << apply.all();
  EXPECT_THAT(apply.all(), HasSubstr(".spec.replicas is managed by \"autoscaler\""));
  EXPECT_THAT(apply.all(), HasSubstr("--force-conflicts"));
  EXPECT_EQ(Get("deploy web")["spec"]["replicas"], 4);
  CmdResult forced = Paiplan("apply --auto-approve --force-conflicts");
  EXPECT_EQ(forced.rc, 0) << forced.all();
  EXPECT_EQ(Get("deploy web")["spec"]["replicas"], 2);
}

TEST_F(ObjectsTest, ReadinessTimeoutShowsPodStatesAndEvents) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  ASSERT_EQ(Shell("sed -i 's/^ready-timeout: 20$/ready-timeout: 2/' " + Quote(ws_ + "/services/web/deploy/service.yaml")).rc, 0);
  ASSERT_TRUE(server_.AdminPost("/break?resource=deployments&namespace=default&name=web&reason=CrashLoopBackOff").ok());
  CmdResult apply = Paiplan("apply --auto-approve");
  EXPECT_EQ(apply.rc, 1) << apply.all();
  EXPECT_THAT(apply.all(), HasSubstr("not ready after 2s"));
  EXPECT_THAT(apply.all(), HasSubstr("Deployment web: 0/2 ready"));
  EXPECT_THAT(apply.all(), HasSubstr("CrashLoopBackOff"));
  EXPECT_THAT(apply.all(), HasSubstr("Warning BackOff pod/web-0"));
  std::string failure;
  for (size_t p = 0, q; p < apply.all().size(); p = q + 1) {
    q = apply.all().find('\n', p);
    if (q == std::string::npos) q = apply.all().size();
    std::string line = apply.all().substr(p, q - p);
    // The action's elapsed time varies: "Creation FAILED after 2.1s" → "after (time)".
    line = std::regex_replace(line, std::regex("after [0-9.]+s:"), "after (time):");
    if (line.find("not ready after") != std::string::npos) failure += line + "\n";
  }
  Golden("readiness_timeout", failure);
}

TEST_F(ObjectsTest, NotReadyWorkloadIsReportedByDriftNotPlanned) {
  ASSERT_NO_FATAL_FAILURE(MakeObjectsWorkspace());
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  ASSERT_TRUE(server_.AdminPost("/break?resource=daemonsets&namespace=default&name=web-agent&reason=ImagePullBackOff").ok());
  ASSERT_EQ(Kubectl("scale deploy web --replicas=3").rc, 0);
  std::string junit = tmp_ + "/drift.xml";
  CmdResult drift = Paiplan("drift --junit " + Quote(junit));
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr("DaemonSet web-agent: 0/2 ready"));
  EXPECT_THAT(drift.out, HasSubstr("ImagePullBackOff"));
  std::string xml = fs::ReadFile(junit).value_or("");
  EXPECT_THAT(xml, HasSubstr("object.web/DaemonSet/default/web-agent"));
  EXPECT_THAT(xml, HasSubstr("spec.replicas"));
  int rc = 0;
  std::string json = DriftJson(&rc).dump();
  EXPECT_THAT(json, HasSubstr("status.ready"));
  EXPECT_THAT(json, HasSubstr(kDeploy));
  CmdResult plan = Paiplan("plan");
  EXPECT_THAT(plan.out, HasSubstr(std::string("~ ") + kDeploy)) << "spec drift is planned";
  EXPECT_THAT(plan.out, Not(HasSubstr("~ object.web/DaemonSet"))) << "not-ready alone is not: " << plan.out;
}


// The built-in catalogue's native services (cluster-configuration,
// node-exporter) applied to the test server: ready, then a no-op plan and a
// clean drift; a kubectl edit is repaired by the next apply.
TEST_F(ObjectsTest, CatalogueNativeServicesApplyEditAndRepair) {
  ASSERT_NO_FATAL_FAILURE(MakeWorkspace(LocalNodeNames()));
  ASSERT_EQ(Shell("sed -i " + Quote("s/^enabled-services:$/&\\n  - cluster-configuration\\n  - node-exporter/") + " " +
                  Quote(ws_ + "/paiplan.yaml")).rc, 0);
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  nlohmann::json ds = Get("ds node-exporter");
  EXPECT_EQ(ds["status"]["numberAvailable"], 3) << ds.dump();
  EXPECT_EQ(Get("configmap cluster-info")["metadata"]["labels"]["paiplan.io/service"], "cluster-configuration");
  EXPECT_EQ(Kubectl("get secret pai-registry-secret").rc, 0);
  EXPECT_EQ(Paiplan("plan --detailed-exitcode").rc, 0);
  EXPECT_EQ(Paiplan("drift").rc, 0);

  CmdResult edit = Kubectl("patch configmap cluster-info --type=merge -p '{\"data\":{\"cluster-id\":\"edited\"}}'");
  ASSERT_EQ(edit.rc, 0) << edit.all();
  CmdResult plan = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("object drifted: data.cluster-id changed outside paiplan"));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  EXPECT_EQ(Get("configmap cluster-info")["data"]["cluster-id"], "pai\n");
  EXPECT_EQ(Paiplan("plan --detailed-exitcode").rc, 0);
  EXPECT_EQ(Paiplan("drift").rc, 0);
}

// Scripted services (two modes): the scripts stay the actuators; paiplan
// observes the objects their manifests define, in the same batched LISTs.
const char kScriptedDeploy[] = "object.webscript/Deployment/default/webs";

TEST_F(ObjectsTest, ScriptedServiceObjectsAreObservedByListOnly) {
  ASSERT_NO_FATAL_FAILURE(MakeScriptedWorkspace());
  CmdResult plan = Paiplan("plan");
  ASSERT_EQ(plan.rc, 0) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr(std::string("+ ") + kScriptedDeploy));
  EXPECT_THAT(plan.out, HasSubstr("observed from now on: the scripts of service webscript apply it"));
  EXPECT_THAT(plan.out, Not(HasSubstr("object.webscript/Job"))) << "Jobs are one-shot: not observed";
  EXPECT_THAT(plan.out, Not(HasSubstr("webs-scratch"))) << "annotated paiplan.io/observe: \"false\"";
  EXPECT_THAT(plan.out, Not(HasSubstr("object.demo-"))) << "ignore-scripted-objects: [demo-*]";
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  EXPECT_EQ(Get("deploy webs")["metadata"]["managedFields"][0]["manager"], "webs-scripts") << "the script applied it";
  ASSERT_TRUE(server_.AdminPost("/reset-stats").ok());
  CmdResult again = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(again.rc, 0) << again.all();
  nlohmann::json st = Stats();
  EXPECT_EQ(st["object_gets"], 1) << "no GET per object (the one is config.cluster's ConfigMap): " << st.dump();
  EXPECT_EQ(st["object_list_requests"], 2) << "one LIST per (kind, namespace): " << st.dump();
  EXPECT_EQ(Paiplan("drift").rc, 0);
}

TEST_F(ObjectsTest, ScriptedObjectScaledWithKubectlPlansTheRefreshScript) {
  ASSERT_NO_FATAL_FAILURE(MakeScriptedWorkspace());
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  ASSERT_EQ(Kubectl("scale deploy webs --replicas=3").rc, 0);
  ASSERT_EQ(Kubectl("label configmap webs-scratch edited=yes").rc, 0);  // not observed: no change
  CmdResult plan = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(plan.rc, 2) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("refresh: object.webscript/Deployment/default/webs drifted: spec.replicas 1 → 3"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 0 to add, 1 to change, 0 to destroy."));
  Golden("scripted_scaled", ObjectBlocks(plan.out, "service.webscript"));
  int rc = 0;
  std::string drift = DriftJson(&rc).dump();
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(drift, HasSubstr(kScriptedDeploy));
  EXPECT_THAT(drift, HasSubstr("spec.replicas"));
  std::string junit = tmp_ + "/drift.xml";
  EXPECT_EQ(Paiplan("drift --junit " + Quote(junit)).rc, 2);
  EXPECT_THAT(fs::ReadFile(junit).value_or(""), HasSubstr(kScriptedDeploy));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  EXPECT_THAT(fs::ReadFile(ws_ + "/webs-actions.log").value_or(""), HasSubstr("refresh done"));
  EXPECT_EQ(Get("deploy webs")["spec"]["replicas"], 1) << "the refresh-script applied the manifest again";
  EXPECT_EQ(Paiplan("plan --detailed-exitcode").rc, 0);
  EXPECT_EQ(Paiplan("drift").rc, 0);
}

TEST_F(ObjectsTest, ScriptedObjectDeletedPlansTheRefreshScript) {
  ASSERT_NO_FATAL_FAILURE(MakeScriptedWorkspace());
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  ASSERT_EQ(Kubectl("delete configmap webs-config").rc, 0);
  CmdResult plan = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(plan.rc, 2) << plan.all();
  Golden("scripted_deleted", ObjectBlocks(plan.out, "service.webscript"));
  EXPECT_THAT(plan.out, HasSubstr("refresh: object.webscript/ConfigMap/default/webs-config missing"));
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  EXPECT_EQ(Kubectl("get configmap webs-config").rc, 0);
  EXPECT_EQ(Paiplan("plan --detailed-exitcode").rc, 0);
}

TEST_F(ObjectsTest, ScriptedWorkloadNotReadyIsReportedByDriftNotPlanned) {
  ASSERT_NO_FATAL_FAILURE(MakeScriptedWorkspace());
  ASSERT_NO_FATAL_FAILURE(ApplyOk());
  ASSERT_TRUE(server_.AdminPost("/break?resource=deployments&namespace=default&name=webs&reason=CrashLoopBackOff").ok());
  ASSERT_EQ(Kubectl("rollout restart deploy webs").rc, 0);
  CmdResult drift = Paiplan("drift");
  EXPECT_EQ(drift.rc, 2) << drift.all();
  EXPECT_THAT(drift.out, HasSubstr(kScriptedDeploy));
  EXPECT_THAT(drift.out, HasSubstr("Deployment webs: 0/1 ready"));
  CmdResult plan = Paiplan("plan --detailed-exitcode");
  EXPECT_EQ(plan.rc, 0) << "not-ready alone plans nothing: " << plan.all();
}

}  // namespace
}  // namespace paiplan::drift_test
