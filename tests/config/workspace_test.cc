#include "engine/config/workspace.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "engine/config/services.h"
#include "tests/config/test_workspace.h"

namespace paiplan::config {
namespace {

using testing_util::BaseWorkspaceFiles;
using testing_util::TempWorkspace;

class WorkspaceTest : public ::testing::Test {
 protected:
  WorkspaceTest() : ws_(BaseWorkspaceFiles()) {
    char tmpl[] = "/tmp/pp_builtin_XXXXXX";
    builtin_ = mkdtemp(tmpl);
  }
  ~WorkspaceTest() override { std::filesystem::remove_all(builtin_); }

  std::optional<Workspace> Load(bool allow_missing = false) {
    LoadOptions o;
    o.allow_missing = allow_missing;
    o.builtin_dir = builtin_;
    return LoadWorkspace(ws_.root(), o, &diags_);
  }
  std::string DiagText() const {
    std::ostringstream o;
    diags_.Print(o, false);
    return o.str();
  }

  TempWorkspace ws_;
  std::string builtin_;
  Diagnostics diags_;
};

TEST_F(WorkspaceTest, LoadsTheBaseWorkspace) {
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  EXPECT_EQ(diags_.ErrorCount(), 0u);
  EXPECT_EQ(w->machines.size(), 3u);
  EXPECT_EQ(w->services.size(), 2u);
  EXPECT_EQ(w->root, ws_.root());
  ASSERT_NE(w->FindMachine("w2"), nullptr);
  EXPECT_EQ(w->FindMachine("w2")->index, 2u);
  EXPECT_EQ(w->FindMachine("nope"), nullptr);
}

TEST_F(WorkspaceTest, MachineListBecomesAMapKeyedByHostnameInFileOrder) {
  ws_.Write({{"layout.yaml",
              "machine-sku:\n  std: {}\nmachine-list:\n"
              "  - {hostname: zz, hostip: 192.0.2.9, machine-type: std, k8s-role: worker}\n"
              "  - {hostname: aa, hostip: 192.0.2.8, machine-type: std, k8s-role: master, pai-master: 'true'}\n"
              "  - {hostname: mm, hostip: 192.0.2.7, machine-type: std, k8s-role: worker, pai-worker: 'true'}\n"}});
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  const ojson& list = w->cluster_cfg["layout"]["machine-list"];
  ASSERT_TRUE(list.is_object());
  std::vector<std::string> keys;
  for (auto it = list.begin(); it != list.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"zz", "aa", "mm"}));
  EXPECT_EQ(list["aa"]["hostip"], "192.0.2.8");
  EXPECT_EQ(list["aa"]["pai-master"], "true");
  EXPECT_TRUE(w->cluster_cfg["layout"]["machine-sku"].contains("std"));
  EXPECT_TRUE(w->layout["machine-list"].is_array());  // the layout as written is kept
}

TEST_F(WorkspaceTest, ServiceConfigIsDeepMergeOfDefaultsAndOverrides) {
  ws_.Write({{"services/cluster/config/cluster.yaml",
              "common:\n  cluster-id: default\n  data-path: /data\n  nested:\n    x: 1\n    y: 2\n"
              "list: [1, 2]\nkeep: yes\n"},
             {"services-configuration.yaml",
              "cluster:\n  common:\n    cluster-id: prod\n    nested:\n      y: 3\n    extra: e\n  list: [9]\n"}});
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  ojson want = ojson::parse(R"({"common": {"cluster-id": "prod", "data-path": "/data",
      "nested": {"x": 1, "y": 3}, "extra": "e"}, "list": [9], "keep": true})");
  EXPECT_EQ(w->ServiceConfig("cluster"), want) << w->ServiceConfig("cluster").dump();
  EXPECT_EQ(w->ServiceConfig("web"), ojson::object());  // no defaults, no overrides
  EXPECT_TRUE(w->ServiceConfig("nope").is_null());
}

TEST(DeepMergeTest, MapsMergeAnythingElseReplaces) {
  ojson base = ojson::parse(R"({"a": {"b": 1, "c": [1]}, "d": 1})");
  ojson over = ojson::parse(R"({"a": {"c": [2], "e": null}, "d": {"x": 1}})");
  ojson got = DeepMerge(base, over);
  EXPECT_EQ(got, ojson::parse(R"({"a": {"b": 1, "c": [2], "e": null}, "d": {"x": 1}})")) << got.dump();
  EXPECT_EQ(DeepMerge(base, ojson()), base);  // null override keeps the defaults
}

TEST_F(WorkspaceTest, LabelsAreKeysWhoseValueIsTrue) {
  ws_.Write({{"layout.yaml",
              "machine-sku:\n  std: {}\nmachine-list:\n"
              "  - hostname: m1\n    hostip: 192.0.2.1\n    machine-type: std\n    k8s-role: master\n"
              "    pai-master: \"true\"\n    gpu: \"false\"\n    zone: eu-1\n    count: 4\n"
              "    bool-label: true\n    username: \"true\"\n"},
             {"paiplan.yaml", "service-paths: [services]\nenabled-services: [cluster]\n"}});
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  // Sorted; attribute keys (username) are never labels even with value "true".
  EXPECT_EQ(w->machines[0].labels, (std::vector<std::string>{"bool-label", "pai-master"}));
}

TEST_F(WorkspaceTest, MachineDefaults) {
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  const Machine& m1 = w->machines[0];
  EXPECT_EQ(m1.nodename, "192.0.2.1");  // default: hostip
  EXPECT_EQ(w->machines[1].nodename, "worker-one");
  EXPECT_EQ(m1.sshport, 22);
  EXPECT_EQ(w->machines[2].sshport, 2222);
  EXPECT_EQ(m1.role, "master");
  EXPECT_EQ(m1.machine_type, "std");
  EXPECT_TRUE(m1.username.empty());
  EXPECT_FALSE(m1.password.has_value());
  EXPECT_FALSE(m1.local);
  EXPECT_EQ(w->machines[2].labels, (std::vector<std::string>{"no-drivers", "pai-worker"}));
}

TEST_F(WorkspaceTest, SettingsDefaults) {
  ws_.Write({{"paiplan.yaml", ""}});
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  const Settings& s = w->settings;
  EXPECT_EQ(s.service_paths, (std::vector<std::string>{ws_.Path("services"), builtin_}));
  EXPECT_FALSE(s.enabled_services.has_value());
  EXPECT_EQ(s.parallelism, 10);
  EXPECT_EQ(s.state_backend, "lmdb");
  EXPECT_EQ(s.state_path, ws_.Path(".paiplan/state"));
  EXPECT_TRUE(s.kube_enabled);
  EXPECT_EQ(s.kube_namespace, "default");
  EXPECT_EQ(s.ssh_username, "root");
  EXPECT_FALSE(s.ssh_accept_new);
  EXPECT_EQ(s.ssh_connect_timeout, 10);
  EXPECT_EQ(s.ssh_parallelism, 16);
  EXPECT_EQ(s.ssh_keepalive, 30);
  EXPECT_EQ(s.ssh_command_timeout, 1800);
  EXPECT_EQ(s.node_state_dir, "/var/lib/paiplan");
  EXPECT_EQ(s.retry_attempts, 5);
  EXPECT_EQ(s.script_timeout, 600);
  EXPECT_FALSE(s.allow_missing);
}

TEST_F(WorkspaceTest, SettingsExplicitValues) {
  ws_.Write({{"paiplan.yaml",
              "service-paths: [services]\nparallelism: 3\nstate: {backend: etcd, endpoints: ['http://127.0.0.1:2379'],"
              " prefix: /x}\nkubernetes: {kubeconfig: kc/config, context: dev}\n"
              "ssh: {strict-host-keys: accept-new, identity: keys/id, connect-timeout: 2.5, keepalive: 0,"
              " command-timeout: 60}\n"
              "scripts: {timeouts: {web: 30}}\nretry: {attempts: 2}\n"
              "drift: {ignore: [{address: 'label.*', reason: managed elsewhere}]}\n"}});
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  const Settings& s = w->settings;
  EXPECT_EQ(s.parallelism, 3);
  EXPECT_EQ(s.state_backend, "etcd");
  EXPECT_EQ(s.etcd_endpoints, (std::vector<std::string>{"http://127.0.0.1:2379"}));
  EXPECT_EQ(s.kubeconfig, (std::vector<std::string>{ws_.Path("kc/config")}));
  EXPECT_EQ(s.kube_context, "dev");
  EXPECT_TRUE(s.ssh_accept_new);
  EXPECT_EQ(s.ssh_identity, ws_.Path("keys/id"));
  EXPECT_DOUBLE_EQ(s.ssh_connect_timeout, 2.5);
  EXPECT_EQ(s.ssh_keepalive, 0);
  EXPECT_DOUBLE_EQ(s.ssh_command_timeout, 60);
  EXPECT_EQ(s.script_timeouts.at("web"), 30);
  EXPECT_EQ(s.retry_attempts, 2);
  ASSERT_EQ(s.drift_ignore.size(), 1u);
  EXPECT_EQ(s.drift_ignore[0].address, "label.*");
}

TEST_F(WorkspaceTest, WorkspaceServicesOverrideBuiltIn) {
  TempWorkspace builtin_files({
      {"services/cluster/deploy/service.yaml", "start-script: builtin.sh\n"},
      {"services/cluster/deploy/builtin.sh", "true\n"},
      {"services/extra/deploy/service.yaml", "start-script: s.sh\n"},
      {"services/extra/deploy/s.sh", "true\n"},
      {"services/_roles/deploy/service.yaml", "start-script: s.sh\n"},  // '_' dirs are not services
      {"services/notaservice/README", "no deploy/service.yaml here\n"},
  });
  std::filesystem::remove_all(builtin_);
  builtin_ = builtin_files.Path("services");
  ws_.Write({{"paiplan.yaml", ""}});
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  ASSERT_EQ(w->services.size(), 3u);
  EXPECT_EQ(w->services.at("cluster").root_dir, ws_.Path("services/cluster"));
  EXPECT_EQ(w->services.at("cluster").start_script, "start.sh");
  EXPECT_EQ(w->services.at("extra").root_dir, fs::Join(builtin_, "extra"));
  auto found = DiscoverServices({ws_.Path("services"), builtin_});
  std::vector<std::string> names;
  for (const auto& [n, _] : found) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"cluster", "extra", "web"}));
  builtin_ = "";  // owned by builtin_files
}

TEST_F(WorkspaceTest, EnabledServicesSelectASubset) {
  ws_.Write({{"paiplan.yaml", "service-paths: [services]\nenabled-services: [cluster]\n"}});
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  EXPECT_EQ(w->services.size(), 1u);
  EXPECT_TRUE(w->services.count("cluster"));
}

TEST_F(WorkspaceTest, ServiceDefinitionIsParsed) {
  auto w = Load();
  ASSERT_TRUE(w) << DiagText();
  const ServiceDef& web = w->services.at("web");
  EXPECT_EQ(web.prerequisites, (std::vector<std::string>{"cluster"}));
  ASSERT_EQ(web.prerequisite_locs.size(), 1u);
  EXPECT_EQ(web.prerequisite_locs[0].file, "services/web/deploy/service.yaml");
  EXPECT_EQ(web.prerequisite_locs[0].line, 2);
  ASSERT_EQ(web.deploy_rules.size(), 2u);
  EXPECT_EQ(web.deploy_rules[0].label, "pai-worker");
  EXPECT_TRUE(web.deploy_rules[0].in);
  EXPECT_EQ(web.deploy_rules[1].label, "no-drivers");
  EXPECT_FALSE(web.deploy_rules[1].in);
  const ServiceDef& cluster = w->services.at("cluster");
  EXPECT_EQ(cluster.templates, (std::vector<std::string>{"cluster.cfg"}));
  EXPECT_EQ(cluster.defaults["common"]["data-path"], "/data");
}

TEST_F(WorkspaceTest, MissingPrerequisiteIsAnErrorOrWithAllowMissingAWarning) {
  ws_.Write({{"services/web/deploy/service.yaml",
              "prerequisite: [cluster, storage]\nstart-script: start.sh\ndeploy-rules:\n  - in: pai-worker\n"}});
  EXPECT_FALSE(Load());
  EXPECT_EQ(diags_.ErrorCount(), 1u);
  EXPECT_NE(DiagText().find("services/web/deploy/service.yaml:1:"), std::string::npos) << DiagText();
  EXPECT_NE(DiagText().find("'storage'"), std::string::npos);

  diags_ = Diagnostics();
  auto w = Load(/*allow_missing=*/true);
  ASSERT_TRUE(w) << DiagText();
  EXPECT_EQ(diags_.ErrorCount(), 0u);
  EXPECT_EQ(diags_.WarningCount(), 1u);
  EXPECT_EQ(w->services.at("web").prerequisites, (std::vector<std::string>{"cluster"}));
}

TEST_F(WorkspaceTest, AllErrorsOfOneRunAreReported) {
  ws_.Write({{"layout.yaml",
              "machine-sku:\n  std: {}\nmachine-list:\n"
              "  - {hostname: a, hostip: 192.0.2.1, machine-type: big, k8s-role: worker}\n"
              "  - {hostname: a, hostip: 192.0.2.1, machine-type: std, k8s-role: worker}\n"}});
  EXPECT_FALSE(Load());
  std::string t = DiagText();
  for (const char* w : {"names no machine-sku", "duplicate hostname", "duplicate hostip", "k8s-role: master",
                        "deploy-rule 'in: pai-master'"}) {
    EXPECT_NE(t.find(w), std::string::npos) << w << "\n" << t;
  }
}

TEST(SensitiveKeyTest, Suffixes) {
  EXPECT_TRUE(IsSensitiveKey("password"));
  EXPECT_TRUE(IsSensitiveKey("admin-Password"));
  EXPECT_TRUE(IsSensitiveKey("api_token"));
  EXPECT_TRUE(IsSensitiveKey("ssh-key"));
  EXPECT_FALSE(IsSensitiveKey("keyfile-path"));
  EXPECT_FALSE(IsSensitiveKey("hostname"));
}

}  // namespace
}  // namespace paiplan::config
