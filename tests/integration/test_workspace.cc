#include "tests/integration/test_workspace.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <sstream>

namespace paiplan::integration {

bool Call::Running() const {
  if (Finished()) return false;
  char* end = nullptr;
  long p = std::strtol(pid.c_str(), &end, 10);
  return p > 0 && end && *end == '\0' && ProcessAlive(pid_t(p));
}
namespace {

namespace stdfs = std::filesystem;

const std::string kTestData = std::string(PAIPLAN_TEST_DIR) + "/testdata/services";

const char* kLayout = R"(kubernetes:
  cluster-dns: 10.254.0.10
  load-balance-ip: 127.0.0.11
  service-cluster-ip-range: 10.254.0.0/16
  storage-backend: etcd3
  docker-registry: docker.io/openpai
  hyperkube-version: v1.9.9
  etcd-version: 3.2.17
  apiserver-version: v1.9.9
  kube-scheduler-version: v1.9.9
  kube-controller-manager-version: v1.9.9
  dashboard-version: v1.8.3
  etcd-data-path: /var/etcd
machine-sku:
  SMALL:
    mem: 8GB
    cpu:
      vcore: 4
    os: ubuntu16.04
machine-list:
  - hostname: node-0
    hostip: 127.0.0.11
    machine-type: SMALL
    k8s-role: master
    transport: local
    pai-master: "true"
    pai-worker: "true"
)";

void CopyTree(const std::string& from, const std::string& to) {
  stdfs::create_directories(to);
  stdfs::copy(from, to, stdfs::copy_options::recursive | stdfs::copy_options::overwrite_existing);
}

std::string ScriptWrapper(const std::string& action) {
  return "#!/usr/bin/env bash\n# Test service script: records the call (see tests/testdata/services/_lib/record.sh).\n"
         "exec /bin/bash \"$PAIPLAN_WORKSPACE/testlib/record.sh\" " + action + "\n";
}

// "a b c d e f g" -> fields.
std::vector<std::string> Fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  return f;
}

}  // namespace

TestWorkspace::TestWorkspace(const std::vector<std::string>& services) : services_(services) {
  std::string tmpl = "/tmp/pp-integ-ws-XXXXXX";
  if (!::mkdtemp(tmpl.data())) std::abort();
  root_ = tmpl;
  WriteFile(Path("layout.yaml"), kLayout);
  CopyTree(kTestData + "/_roles", Path("roles"));
  CopyTree(kTestData + "/_lib", Path("testlib"));
  for (const auto& s : services) CopyTree(kTestData + "/" + s, Path("services/" + s));
  stdfs::create_directories(Path("control"));
  WriteServicesConfig("{}\n");
  WriteSettings("");
}

TestWorkspace::~TestWorkspace() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info && info->result()->Failed()) {
    std::cerr << "[integration] test failed; workspace kept at " << root_ << "\n";
    return;
  }
  std::error_code ec;
  stdfs::remove_all(root_, ec);
}

void TestWorkspace::WriteSettings(const std::string& extra) {
  extra_settings_ = extra;
  std::string s = "enabled-services:\n";
  for (const auto& svc : services_) s += "  - " + svc + "\n";
  s += "service-paths:\n  - services\nkubernetes:\n  enabled: false\nretry:\n  attempts: 1\n" + extra;
  if (!extra.empty() && extra.back() != '\n') s += "\n";
  WriteFile(Path("paiplan.yaml"), s);
}

void TestWorkspace::WriteServicesConfig(const std::string& yaml) { WriteFile(Path("services-configuration.yaml"), yaml); }

void TestWorkspace::AddService(const std::string& name, const std::vector<std::string>& prerequisites) {
  std::string dir = Path("services/" + name + "/deploy/");
  std::string y = "prerequisite:" + std::string(prerequisites.empty() ? " []\n" : "\n");
  for (const auto& p : prerequisites) y += "  - " + p + "\n";
  y += "template-list:\n  - " + name + ".conf\nstart-script: start.sh\nstop-script: stop.sh\n"
       "delete-script: delete.sh\nrefresh-script: refresh.sh\n";
  WriteFile(dir + "service.yaml", y);
  for (const char* a : {"start", "stop", "refresh", "delete"}) WriteFile(dir + a + ".sh", ScriptWrapper(a));
  WriteFile(dir + name + ".conf.template", "value={{ cluster_cfg['" + name + "']['value'] }}\n");
  WriteFile(Path("services/" + name + "/config/" + name + ".yaml"), "value: " + name + "-v1\n");
  services_.push_back(name);
  WriteSettings(extra_settings_);
}

void TestWorkspace::Set(const std::string& service, const std::string& action, const std::string& kind,
                        const std::string& content) {
  WriteFile(Path("control/" + service + "." + action + "." + kind), content + "\n");
}

void TestWorkspace::Clear(const std::string& service, const std::string& action, const std::string& kind) {
  std::error_code ec;
  stdfs::remove(Path("control/" + service + "." + action + "." + kind), ec);
}

RunOptions TestWorkspace::Options(int timeout_s) const {
  RunOptions o;
  o.env = {{"NO_COLOR", "1"}, {"HOME", root_}};
  o.unset_env = {"KUBECONFIG", "PAIPLAN_TEST_LOG"};
  o.timeout = std::chrono::seconds(timeout_s);
  return o;
}

RunResult TestWorkspace::Paiplan(const std::vector<std::string>& args, int timeout_s) const {
  std::vector<std::string> argv = {PaiplanBinary(), "-C", root_};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = Run(argv, Options(timeout_s));
  EXPECT_FALSE(r.timed_out) << "paiplan did not finish within " << timeout_s << " s: " << r.All();
  return r;
}

std::unique_ptr<Child> TestWorkspace::Start(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {PaiplanBinary(), "-C", root_};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Child>(argv, Options());
}

std::vector<Call> TestWorkspace::Calls() const {
  std::vector<Call> calls;
  std::map<std::string, size_t> open;  // "svc action start pid" -> index
  std::string log = ReadFileOr(Path("calls.log"));
  log.erase(log.rfind('\n') == std::string::npos ? 0 : log.rfind('\n') + 1);  // a line being written
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    auto f = Fields(line);
    if (f.size() != 7) {
      ADD_FAILURE() << "malformed call log line: " << line;
      continue;
    }
    std::string key = f[0] + " " + f[1] + " " + f[2] + " " + f[5];
    if (f[6] == "begin") {
      open[key] = calls.size();
      calls.push_back({f[0], f[1], std::stoll(f[2]), 0, f[4], f[5], ""});
      continue;
    }
    auto it = open.find(key);
    if (it == open.end()) {
      ADD_FAILURE() << "end without begin in the call log: " << line;
      continue;
    }
    calls[it->second].end_ns = std::stoll(f[3]);
    calls[it->second].status = f[6];
  }
  return calls;
}

std::vector<Call> TestWorkspace::Calls(const std::string& action) const {
  std::vector<Call> out;
  for (auto& c : Calls())
    if (c.action == action) out.push_back(c);
  return out;
}

std::optional<Call> TestWorkspace::Find(const std::string& service, const std::string& action) const {
  for (auto& c : Calls())
    if (c.service == service && c.action == action) return c;
  return std::nullopt;
}

void TestWorkspace::ResetCalls() {
  std::error_code ec;
  stdfs::remove(Path("calls.log"), ec);
}

nlohmann::json TestWorkspace::StatePull() const {
  RunResult r = Paiplan({"state", "pull"});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "state pull failed: " << r.All();
    return {};
  }
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded()) ADD_FAILURE() << "state pull printed no JSON: " << r.out;
  return j.is_discarded() ? nlohmann::json() : j;
}

std::map<std::string, std::pair<std::string, std::string>> TestWorkspace::Plan() const {
  std::map<std::string, std::pair<std::string, std::string>> out;
  RunResult r = Paiplan({"--json", "plan"});
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (r.exit_code != 0 || j.is_discarded() || !j.contains("actions")) {
    ADD_FAILURE() << "paiplan --json plan failed (exit " << r.exit_code << "): " << r.All();
    return out;
  }
  for (const auto& a : j["actions"]) {
    std::string action = a.value("action", "");
    if (action == "no-op") continue;
    out[a.value("address", "")] = {action, a.value("reason", "")};
  }
  return out;
}

bool WaitForBegin(const TestWorkspace& ws, Child& apply, const std::string& service, const std::string& action) {
  for (int i = 0; i < 3000; ++i) {
    if (ws.Find(service, action)) return true;
    if (!apply.Running() || apply.TryWait()) {
      ADD_FAILURE() << "apply ended before " << service << " " << action << " began: " << apply.Wait().All();
      return false;
    }
    SleepMs(10);
  }
  ADD_FAILURE() << service << " " << action << " never began";
  return false;
}

}  // namespace paiplan::integration
