// ssh_bench: the SshPool/SshTransport side of tests/bench/ssh_bench.sh.
//
//   ssh_bench --nodes DIR/nodes.tsv --key KEY --known-hosts FILE \
//             --package FILE --script FILE [--handshakes N] [--latency N]
//
// Bootstraps every node of nodes.tsv in parallel (one thread per node, like
// Ansible forks = K): upload the package and the script under
// /var/lib/paiplan/pkg/, run the script, write /var/lib/paiplan/node.json
// (atomic upload). Prints "wall_seconds=S handshakes=H failed=F".
// --latency N: instead, N sequential `true` execs on the first node over one
// session; prints the mean and p50 milliseconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/fs.h"
#include "providers/ssh/ssh_pool.h"

namespace {

using paiplan::providers::ExecRequest;
using paiplan::providers::ssh::SshPool;
using paiplan::providers::ssh::SshTarget;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string nodes, key, known_hosts, package, script;
  int handshakes = SshPool::kDefaultMaxHandshakes;
  int latency = 0;
};

std::vector<SshTarget> LoadTargets(const Args& a) {
  std::vector<SshTarget> out;
  std::string tsv = paiplan::fs::ReadFile(a.nodes).value_or("");
  size_t pos = 0;
  while (pos < tsv.size()) {
    size_t nl = tsv.find('\n', pos);
    std::string line = tsv.substr(pos, nl - pos);
    pos = nl == std::string::npos ? tsv.size() : nl + 1;
    size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    SshTarget t;
    t.host = line.substr(t1 + 1, t2 - t1 - 1);
    t.port = std::stoi(line.substr(t2 + 1));
    t.user = "root";
    t.identity_file = a.key;
    t.known_hosts_file = a.known_hosts;
    out.push_back(t);
  }
  return out;
}

std::string Bootstrap(SshPool& pool, int i, const SshTarget& t, const std::string& package,
                      const std::string& script) {
  auto* tr = pool.Get("node" + std::to_string(i), t);
  paiplan::Status s = tr->Upload("/var/lib/paiplan/pkg/package.bin", package, 0644);
  if (s.ok()) s = tr->Upload("/var/lib/paiplan/pkg/bootstrap.sh", script, 0755);
  if (!s.ok()) return s.message();
  ExecRequest r;
  r.command = "/var/lib/paiplan/pkg/bootstrap.sh";
  r.env = {{"PAIPLAN_HOSTNAME", "node" + std::to_string(i)}, {"PAIPLAN_ROLE", "worker"}};
  auto res = tr->Exec(r);
  if (!res) return res.error().message();
  if (res->exit_status != 0) return "bootstrap exit " + std::to_string(res->exit_status);
  s = tr->Upload("/var/lib/paiplan/node.json",
                 "{\"hostname\":\"node" + std::to_string(i) + "\",\"role\":\"worker\"}\n", 0644);
  return s.ok() ? "" : s.message();
}

int Latency(const std::vector<SshTarget>& targets, int n) {
  SshPool pool;
  auto* t = pool.Get("node0", targets.at(0));
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto start = Clock::now();
    ExecRequest req;
    req.command = "true";
    auto r = t->Exec(req);
    if (!r || r->exit_status != 0) {
      std::fprintf(stderr, "exec failed: %s\n", r ? "exit" : r.error().message().c_str());
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  double mean = 0;
  for (double v : ms) mean += v;
  mean /= ms.size();
  std::sort(ms.begin(), ms.end());
  std::printf("exec_mean_ms=%.2f exec_p50_ms=%.2f (first includes the handshake) handshakes=%d\n",
              mean, ms[ms.size() / 2], pool.TotalHandshakes());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--nodes") a.nodes = v;
    else if (k == "--key") a.key = v;
    else if (k == "--known-hosts") a.known_hosts = v;
    else if (k == "--package") a.package = v;
    else if (k == "--script") a.script = v;
    else if (k == "--handshakes") a.handshakes = std::stoi(v);
    else if (k == "--latency") a.latency = std::stoi(v);
    else {
      std::fprintf(stderr, "ssh_bench: unknown flag %s\n", k.c_str());
      return 2;
    }
  }
  std::vector<SshTarget> targets = LoadTargets(a);
  if (targets.empty()) {
    std::fprintf(stderr, "ssh_bench: no nodes in %s\n", a.nodes.c_str());
    return 2;
  }
  if (a.latency > 0) return Latency(targets, a.latency);
  std::string package = paiplan::fs::ReadFile(a.package).value_or("");
  std::string script = paiplan::fs::ReadFile(a.script).value_or("");
  auto start = Clock::now();
  SshPool pool(a.handshakes);
  std::vector<std::string> errors(targets.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < targets.size(); ++i) {
    threads.emplace_back([&, i] { errors[i] = Bootstrap(pool, i, targets[i], package, script); });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  int failed = 0;
  for (size_t i = 0; i < errors.size(); ++i) {
    if (errors[i].empty()) continue;
    ++failed;
    std::fprintf(stderr, "node %zu: %s\n", i, errors[i].c_str());
  }
  std::printf("wall_seconds=%.3f handshakes=%d failed=%d\n", secs, pool.TotalHandshakes(), failed);
  return failed == 0 ? 0 : 1;
}
