#include "tests/ssh_e2e/e2e_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace paiplan::ssh_e2e {
namespace {

namespace stdfs = std::filesystem;

// Role scripts. Both refuse to touch a /var/lib/paiplan that is not the
// harness's per-node bind mount (so a mistake cannot write to this host).
const char* kBootstrap = R"(#!/usr/bin/env bash
# ssh_e2e test role: writes only under /var/lib/paiplan (a per-node mount).
set -euo pipefail
root=/var/lib/paiplan
mountpoint -q "$root" || { echo "refusing: $root is not a test node's private mount" >&2; exit 1; }
. ./hook.sh
mkdir -p "$root/etc"
sha256sum package.bin > "$root/etc/package.sha256"
cp node.env "$root/etc/node.env"
echo "bootstrap ${PAIPLAN_HOSTNAME} ${PAIPLAN_ROLE}" >> "$root/bootstrap.log"
echo "bootstrapped ${PAIPLAN_HOSTNAME}"
)";

const char* kClean = R"(#!/usr/bin/env bash
set -euo pipefail
root=/var/lib/paiplan
mountpoint -q "$root" || { echo "refusing: $root is not a test node's private mount" >&2; exit 1; }
rm -rf "${root:?}/etc"
echo "cleaned ${PAIPLAN_HOSTNAME} ${PAIPLAN_ROLE}" > "$root/cleaned"
)";

const char* kNodeEnv = R"(HOSTNAME={{ host['hostname'] }}
HOSTIP={{ host['hostip'] }}
ROLE={{ host['k8s-role'] }}
)";

// The machine named in `hang` sleeps (in a child, so both pids are
// recorded and the test can check that the timeout killed them).
std::string HookTemplate(const std::string& hang) {
  return "# rendered per machine\n"
         "{% if host['hostname'] == '" + hang + "' %}\n"
         "echo $$ >> /var/lib/paiplan/hook.pids\n"
         "sleep 1000 &\n"
         "echo $! >> /var/lib/paiplan/hook.pids\n"
         "wait\n"
         "{% endif %}\n"
         ": hook done\n";
}

// Deterministic incompressible bytes (xorshift), so every run uploads the same package.
std::string PackageBytes(int n) {
  std::string s(static_cast<size_t>(n), '\0');
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

const char* kLayoutHead = R"(kubernetes:
  load-balance-ip: 127.0.0.2
machine-sku:
  SMALL:
    mem: 8GB
    cpu:
      vcore: 4
    os: ubuntu16.04
machine-list:
)";

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  stdfs::create_directories(stdfs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.good()) {
    std::cerr << "cannot write " << path << "\n";
    std::abort();
  }
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return stdfs::exists(path, ec);
}

int CountOf(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t rp = stat.rfind(')');
  return rp != std::string::npos && rp + 2 < stat.size() && stat[rp + 2] != 'Z';
}

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// ---------------------------------------------------------------- Background

Background::Background(const std::vector<std::string>& argv, const std::string& dir, int timeout_s)
    : timeout_s_(timeout_s) {
  static int seq = 0;
  std::string base = dir + "/.run-" + std::to_string(::getpid()) + "-" + std::to_string(++seq);
  out_path_ = base + ".out";
  err_path_ = base + ".err";
  pid_ = ::fork();
  if (pid_ < 0) std::abort();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setenv("NO_COLOR", "1", 1);
    ::unsetenv("KUBECONFIG");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);
}

Background::~Background() {
  if (!result_) {
    ::kill(-pid_, SIGKILL);
    int st;
    ::waitpid(pid_, &st, 0);
  }
  ::unlink(out_path_.c_str());
  ::unlink(err_path_.c_str());
}

RunResult Background::Collect(int status, bool timed_out) {
  RunResult r;
  r.timed_out = timed_out;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out_path_);
  r.err = ReadFile(err_path_);
  result_ = r;
  return r;
}

bool Background::Running() {
  if (result_) return false;
  int st;
  if (::waitpid(pid_, &st, WNOHANG) == pid_) {
    Collect(st, false);
    return false;
  }
  return true;
}

RunResult Background::Wait() {
  if (result_) return *result_;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s_);
  int st;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &st, WNOHANG) == pid_) return Collect(st, false);
    SleepMs(20);
  }
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, &st, 0);
  return Collect(st, true);
}

// ---------------------------------------------------------------- fixture

void SshE2eTest::TearDown() {
  h_.reset();  // stops every sshd (by pid)
  if (ws_.empty()) return;
  if (HasFailure()) {
    std::cerr << "[ssh_e2e] test failed; workspace kept at " << ws_ << "\n";
    return;
  }
  std::error_code ec;
  stdfs::remove_all(ws_, ec);
}

void SshE2eTest::StartCluster(int k, const ClusterOptions& options) {
  testing::SshdHarnessOptions o;
  o.nodes = k;
  o.log_level = options.log_level;
  o.root_password = options.root_password;
  auto h = testing::SshdHarness::Create(o);
  ASSERT_TRUE(h.has_value()) << h.error().message();
  h_ = std::move(*h);
  nodes_ = k;
  options_ = options;
  std::string tmpl = "/tmp/pp-sshe2e-ws-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  ws_ = tmpl;
  known_hosts_ = ws_ + "/known_hosts";
  WriteFile(known_hosts_, ReadFile(h_->known_hosts()));
  const std::string package = PackageBytes(options.package_bytes);
  for (const char* r : {"master", "worker"}) {  // layout.yaml needs a master
    std::string role = ws_ + "/roles/" + r + "/";
    WriteFile(role + "bootstrap.sh", kBootstrap);
    WriteFile(role + "clean.sh", kClean);
    WriteFile(role + "node.env.template", kNodeEnv);
    WriteFile(role + "hook.sh.template", HookTemplate(options.hang_host));
    WriteFile(role + "package.bin", package);
  }
  WriteFile(ws_ + "/services-configuration.yaml", "{}\n");
  stdfs::create_directories(ws_ + "/services");
  std::vector<int> all;
  for (int i = 0; i < k; ++i) all.push_back(i);
  WriteLayout(all);
  WriteSettings(options.extra_settings);
}

void SshE2eTest::WriteLayout(const std::vector<int>& nodes) {
  std::string y = kLayoutHead;
  for (int i : nodes) {
    const NodeEntryOptions& e = entry_options_[i];
    std::string key = e.keyfile.value_or(h_->client_key());
    y += "  - hostname: " + Host(i) + "\n"
         "    hostip: " + h_->ip(i) + "\n"
         "    machine-type: SMALL\n"
         "    k8s-role: " + Role(i) + "\n"
         "    sshport: " + std::to_string(h_->port()) + "\n"
         "    username: root\n" +
         (key.empty() ? "" : "    keyfile-path: " + key + "\n") +
         "    pai-worker: \"true\"\n" + e.extra;
  }
  WriteFile(ws_ + "/layout.yaml", y);
}

void SshE2eTest::WriteSettings(const std::string& extra) {
  std::string s =
      "enabled-services: []\n"
      "service-paths:\n  - services\n"
      "kubernetes:\n  enabled: false\n"
      "ssh:\n  known-hosts: " + known_hosts_ + "\n  strict-host-keys: " +
      options_.strict_host_keys + "\n  connect-timeout: 20\n" +
      options_.ssh_settings +
      "retry:\n  attempts: 2\n  backoff: 0.1\n"
      "parallelism: 50\n" + extra;
  if (!s.empty() && s.back() != '\n') s += "\n";
  WriteFile(ws_ + "/paiplan.yaml", s);
}

std::unique_ptr<Background> SshE2eTest::StartPaiplan(const std::vector<std::string>& args, int timeout_s) {
  std::vector<std::string> argv = {PAIPLAN_BINARY, "-C", ws_};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Background>(argv, ws_, timeout_s);
}

RunResult SshE2eTest::Paiplan(const std::vector<std::string>& args, int timeout_s) {
  RunResult r = StartPaiplan(args, timeout_s)->Wait();
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  EXPECT_FALSE(r.timed_out) << "paiplan" << cmd << " did not finish in " << timeout_s << " s:\n" << r.all();
  return r;
}

RunResult SshE2eTest::Shell(const std::string& script) {
  return Background({"/bin/sh", "-c", script}, ws_.empty() ? "/tmp" : ws_, 60).Wait();
}

nlohmann::json SshE2eTest::Marker(int i) const {
  if (!Exists(MarkerPath(i))) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(ReadFile(MarkerPath(i)), nullptr, false);
}

nlohmann::json SshE2eTest::StateRecord(const std::string& address) {
  RunResult r = Paiplan({"state", "show", address, "--json"});
  if (r.rc != 0) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(r.out, nullptr, false);
}

std::map<std::string, std::string> SshE2eTest::PlannedChanges(nlohmann::json* plan) {
  RunResult r = Paiplan({"plan", "--json"});
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.all();
  std::map<std::string, std::string> out;
  if (!j.is_discarded() && j.contains("actions")) {
    for (const auto& a : j["actions"]) {
      if (a.value("action", "") != "no-op") out[a.value("address", "")] = a.value("action", "");
    }
  }
  if (plan) *plan = j;
  return out;
}

int SshE2eTest::AcceptedLogins(int i) const {
  return CountOf(ReadFile(h_->log_path(i)), "Accepted publickey for root");
}

std::string SshE2eTest::HostKeyFingerprint(int i) {
  RunResult r = Shell("ssh-keygen -lf '" + h_->host_key_pub(i) + "' | awk '{print $2}'");
  std::string fp = r.out;
  while (!fp.empty() && (fp.back() == '\n' || fp.back() == ' ')) fp.pop_back();
  return fp;
}

}  // namespace paiplan::ssh_e2e
