// Checks the built-in service catalogue (services/), its role packages
// (services/_roles/) and the example workspaces: definitions complete and
// consistent, scripts valid (bash -n, shellcheck), templates rendered by the
// reference Jinja2 into valid manifests (render_catalogue.py).
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/base/fs.h"
#include "providers/script/process.h"

namespace paiplan {
namespace {

namespace sfs = std::filesystem;

const std::string kRepo = std::string(PAIPLAN_TEST_DIR) + "/..";
const std::string kCatalogue = kRepo + "/services";
const std::string kRenderer = std::string(PAIPLAN_TEST_DIR) + "/catalogue/render_catalogue.py";
// Debian's python3 has jinja2 and yaml; a pyenv python3 on PATH may not.
const std::string kPython = "/usr/bin/python3";

struct ExecResult {
  int status = -1;
  std::string output;
};

ExecResult Exec(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
         std::string cwd = "") {
  script::ProcessRequest req;
  req.argv = std::move(argv);
  req.env = std::move(env);
  req.cwd = std::move(cwd);
  req.timeout = std::chrono::seconds(240);
  ExecResult run;
  req.on_output = [&run](std::string_view chunk, bool) { run.output.append(chunk); };
  auto res = script::RunProcess(req);
  if (!res) return {-1, res.error().ToString()};
  run.status = res->exit_status;
  return run;
}

std::vector<std::string> ServiceNames() {
  std::vector<std::string> names;
  const std::vector<std::string> entries = fs::ListDir(kCatalogue).value();
  for (const auto& n : entries) {
    if (n[0] != '_' && n[0] != '.' && fs::IsDirectory(kCatalogue + "/" + n)) names.push_back(n);
  }
  return names;
}

std::vector<std::string> AllScripts() {
  std::vector<std::string> out;
  for (const std::string& root : {kCatalogue, kRepo + "/examples"}) {
    const std::vector<std::string> files = fs::ListFilesRecursive(root).value();
    for (const auto& rel : files) {
      if (rel.ends_with(".sh")) out.push_back(root + "/" + rel);
    }
  }
  return out;
}

TEST(CatalogueTest, HasTheOpenPaiCoreAndClicServices) {
  std::vector<std::string> expected = {
      "clic-master", "clic-shell", "cluster-configuration", "drivers", "grafana",
      "hadoop-data-node", "hadoop-name-node", "hadoop-node-manager", "hadoop-resource-manager",
      "hdfs", "nfs", "node-exporter", "prometheus", "redis", "rest-server", "spark", "webportal",
      "yarn-frameworklauncher", "zookeeper"};
  EXPECT_EQ(ServiceNames(), expected);
}

TEST(CatalogueTest, ServiceDefinitionsAreCompleteAndConsistent) {
  const std::set<std::string> known = {"prerequisite", "template-list", "start-script",
                                       "stop-script", "delete-script", "refresh-script",
                                       "upgraded-script", "deploy-rules", "ready-timeout"};
  const std::vector<std::string> names = ServiceNames();
  std::set<std::string> all(names.begin(), names.end());
  for (const std::string& name : ServiceNames()) {
    SCOPED_TRACE(name);
    std::string deploy = kCatalogue + "/" + name + "/deploy";
    YAML::Node svc = YAML::LoadFile(deploy + "/service.yaml");
    ASSERT_TRUE(svc.IsMap());
    for (const auto& kv : svc) EXPECT_TRUE(known.count(kv.first.as<std::string>())) << kv.first;
    for (const auto& t : svc["template-list"]) {
      EXPECT_TRUE(fs::Exists(deploy + "/" + t.as<std::string>() + ".template")) << t;
    }
    // A native service (no start-script) has no scripts: paiplan applies its objects.
    bool native = !svc["start-script"];
    for (const char* key : {"start-script", "stop-script", "delete-script", "refresh-script"}) {
      if (native) {
        EXPECT_FALSE(svc[key]) << key << " without a start-script";
        continue;
      }
      ASSERT_TRUE(svc[key]) << key;
      std::string script = deploy + "/" + svc[key].as<std::string>();
      EXPECT_TRUE(fs::Exists(script)) << script;
      EXPECT_EQ(::access(script.c_str(), X_OK), 0) << script << " is not executable";
    }
    for (const auto& p : svc["prerequisite"]) EXPECT_TRUE(all.count(p.as<std::string>())) << p;
    ASSERT_TRUE(svc["deploy-rules"].IsSequence());
    for (const auto& rule : svc["deploy-rules"]) {
      ASSERT_TRUE(rule.IsMap());
      EXPECT_EQ(rule.size(), 1u);
      std::string op = rule.begin()->first.as<std::string>();
      EXPECT_TRUE(op == "in" || op == "notin") << op;
    }
    YAML::Node cfg = YAML::LoadFile(kCatalogue + "/" + name + "/config/" + name + ".yaml");
    EXPECT_TRUE(cfg.IsMap());
    EXPECT_TRUE(cfg["namespace"] && cfg["ready-timeout"]) << "namespace/ready-timeout defaults";
  }
}

TEST(CatalogueTest, PrerequisitesFormADagRootedAtClusterConfiguration) {
  std::map<std::string, std::vector<std::string>> deps;
  for (const std::string& name : ServiceNames()) {
    YAML::Node svc = YAML::LoadFile(kCatalogue + "/" + name + "/deploy/service.yaml");
    for (const auto& p : svc["prerequisite"]) deps[name].push_back(p.as<std::string>());
    deps[name];
  }
  // Depth-first search: a grey node reached again is a cycle.
  std::map<std::string, int> colour;
  std::function<bool(const std::string&)> acyclic = [&](const std::string& n) {
    if (colour[n] == 1) return false;
    if (colour[n] == 2) return true;
    colour[n] = 1;
    for (const auto& d : deps[n]) {
      if (!acyclic(d)) return false;
    }
    colour[n] = 2;
    return true;
  };
  std::function<bool(const std::string&)> reaches_root = [&](const std::string& n) {
    if (n == "cluster-configuration") return true;
    for (const auto& d : deps[n]) {
      if (reaches_root(d)) return true;
    }
    return false;
  };
  for (const auto& [name, _] : deps) {
    EXPECT_TRUE(acyclic(name)) << "cycle through " << name;
    EXPECT_TRUE(reaches_root(name)) << name << " does not start after cluster-configuration";
  }
  EXPECT_TRUE(deps["cluster-configuration"].empty());
  EXPECT_THAT(deps["hadoop-data-node"], ::testing::Contains("hadoop-name-node"));
  EXPECT_THAT(deps["rest-server"], ::testing::Contains("yarn-frameworklauncher"));
  EXPECT_THAT(deps["clic-master"], ::testing::IsSupersetOf({"redis", "nfs", "hdfs", "spark"}));
}

TEST(CatalogueTest, ScriptsPassBashSyntaxCheck) {
  std::vector<std::string> scripts = AllScripts();
  ASSERT_GT(scripts.size(), 80u);
  for (const auto& s : scripts) {
    ExecResult r = Exec({"bash", "-n", s});
    EXPECT_EQ(r.status, 0) << s << "\n" << r.output;
  }
}

TEST(CatalogueTest, ScriptsPassShellcheck) {
  std::vector<std::string> argv = {"shellcheck", "-S", "warning"};
  for (const auto& s : AllScripts()) argv.push_back(s);
  ExecResult r = Exec(argv);
  EXPECT_EQ(r.status, 0) << "shellcheck (apt-get install shellcheck) said:\n" << r.output;
}

TEST(CatalogueTest, TemplatesRenderIntoValidManifestsForExampleCluster) {
  ExecResult r = Exec({kPython, kRenderer, "--workspace", kRepo + "/examples/cluster", "--catalogue",
                kCatalogue});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("of 19 services; 0 problems"));
}

TEST(CatalogueTest, LocalExampleRendersWithItsOwnServicesAndRoles) {
  ExecResult r = Exec({kPython, kRenderer, "--workspace", kRepo + "/examples/local", "--catalogue",
                kCatalogue});
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST(CatalogueTest, RendererReportsBrokenTemplates) {
  // The checker itself must be able to fail: a workspace service whose
  // manifest lacks metadata.name and prints an undefined value.
  char tmpl[] = "/tmp/pp_catalogue_XXXXXX";
  std::string ws = ::mkdtemp(tmpl);
  ASSERT_TRUE(fs::WriteFileAtomic(ws + "/layout.yaml",
                                  "machine-sku: {S: {mem: 1GB}}\nmachine-list:\n"
                                  "  - {hostname: h, hostip: 127.0.0.2, machine-type: S, "
                                  "k8s-role: worker}\n").ok());
  ASSERT_TRUE(fs::MakeDirs(ws + "/services/bad/deploy").ok());
  ASSERT_TRUE(fs::WriteFileAtomic(ws + "/services/bad/deploy/service.yaml",
                                  "template-list: [bad.yaml]\n").ok());
  ASSERT_TRUE(fs::WriteFileAtomic(ws + "/services/bad/deploy/bad.yaml.template",
                                  "apiVersion: v1\nkind: ConfigMap\ndata:\n  x: \"{{ nope }}\"\n")
                  .ok());
  ExecResult r = Exec({kPython, kRenderer, "--workspace", ws, "--catalogue", ws + "/none"});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("bad/bad.yaml: document 0 has no metadata.name"));
  EXPECT_THAT(r.output, ::testing::HasSubstr("printed an undefined value (nope)"));
  sfs::remove_all(ws);
}

TEST(CatalogueTest, RoleBootstrapDryModeIsIdempotentAndCleanable) {
  char tmpl[] = "/tmp/pp_roles_XXXXXX";
  std::string tmp = ::mkdtemp(tmpl);
  ExecResult r = Exec({kPython, kRenderer, "--workspace", kRepo + "/examples/cluster", "--catalogue",
                kCatalogue, "--out", tmp + "/rendered"});
  ASSERT_EQ(r.status, 0) << r.output;
  std::string pkg = tmp + "/rendered/_roles/worker/pai-worker-0";
  for (const char* f : {"worker/bootstrap.sh", "worker/clean.sh", "common/lib.sh"}) {
    sfs::copy_file(kCatalogue + "/_roles/" + f, pkg + "/" + sfs::path(f).filename().string());
  }
  EXPECT_THAT(fs::ReadFile(pkg + "/cluster.env").value_or(""), ::testing::HasSubstr("NODE_IP=127.0.0.21"));
  std::map<std::string, std::string> env = {{"PAIPLAN_NODE_ROOT", tmp + "/node"},
                                            {"PAIPLAN_HOSTNAME", "pai-worker-0"},
                                            {"PAIPLAN_ROLE", "worker"},
                                            {"PAIPLAN_BOOTSTRAP_MODE", "dry"},
                                            {"PAIPLAN_JOIN_JOIN_TOKEN", "abcdef.0123456789abcdef"}};
  for (int i = 0; i < 2; ++i) {
    ExecResult b = Exec({"bash", pkg + "/bootstrap.sh"}, env);
    ASSERT_EQ(b.status, 0) << b.output;
    EXPECT_THAT(b.output, ::testing::HasSubstr("dry: would run: kubeadm join"));
    EXPECT_THAT(b.output, ::testing::HasSubstr("worker bootstrap done (mode dry)"));
  }
  ExecResult c = Exec({"bash", pkg + "/clean.sh"}, env);
  ASSERT_EQ(c.status, 0) << c.output;
  EXPECT_THAT(c.output, ::testing::HasSubstr("dry: would run: kubeadm reset -f"));
  // transport: local and the real mode: refused, nothing run.
  env.erase("PAIPLAN_BOOTSTRAP_MODE");
  env["PAIPLAN_TRANSPORT"] = "local";
  ExecResult refused = Exec({"bash", pkg + "/bootstrap.sh"}, env);
  EXPECT_EQ(refused.status, 1);
  EXPECT_THAT(refused.output, ::testing::HasSubstr("PAIPLAN_BOOTSTRAP_MODE: dry"));
  sfs::remove_all(tmp);
}

TEST(CatalogueTest, GeneratedWorkspaceIsDeterministicAndRenders) {
  char tmpl[] = "/tmp/pp_gen_XXXXXX";
  std::string tmp = ::mkdtemp(tmpl);
  for (const char* out : {"/a", "/b"}) {
    ExecResult g = Exec({kPython, kRepo + "/examples/gen_layout.py", "--machines", "120", "--services",
                  "12", "--out", tmp + out, "--transport", "local"});
    ASSERT_EQ(g.status, 0) << g.output;
  }
  for (const char* f : {"/layout.yaml", "/paiplan.yaml", "/services/svc-0009/deploy/service.yaml"}) {
    EXPECT_EQ(fs::ReadFile(tmp + "/a" + f).value_or("x"), fs::ReadFile(tmp + "/b" + f).value_or("y"))
        << f;
  }
  YAML::Node layout = YAML::LoadFile(tmp + "/a/layout.yaml");
  EXPECT_EQ(layout["machine-list"].size(), 120u);
  ExecResult r = Exec({kPython, kRenderer, "--workspace", tmp + "/a", "--catalogue", tmp + "/none"});
  EXPECT_EQ(r.status, 0) << r.output;
  ExecResult sc = Exec({"shellcheck", "-S", "warning", tmp + "/a/services/svc-0003/deploy/start.sh"});
  EXPECT_EQ(sc.status, 0) << sc.output;
  sfs::remove_all(tmp);
}

}  // namespace
}  // namespace paiplan
