// kube_bench: observe the labels of every node with one paginated LIST and
// compute the label diff against a desired labelling, as `paiplan plan` does
// for label.<host> resources.
//
//   kube_bench KUBECONFIG [PAGE_SIZE]
//
// Prints node count, pages, LIST and diff wall times and the number of
// changes. Run by tests/bench/kube_bench.sh against tests/kube/serve with
// 10,000 nodes, under /usr/bin/time -v for peak RSS.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "providers/kubernetes/kube_client.h"

namespace {

using paiplan::kube::NodeInfo;
using Changes = std::map<std::string, std::optional<std::string>>;

// Desired labels per node: every node a worker, every 100th also a master,
// every 7th carries no-drivers. paiplan owns these three keys only.
std::map<std::string, std::string> Desired(size_t index) {
  std::map<std::string, std::string> d = {{"pai-worker", "true"}};
  if (index % 100 == 0) d["pai-master"] = "true";
  if (index % 7 == 0) d["no-drivers"] = "true";
  return d;
}

Changes Diff(const NodeInfo& node, const std::map<std::string, std::string>& desired) {
  static const char* kOwned[] = {"pai-worker", "pai-master", "no-drivers"};
  Changes changes;
  for (const char* key : kOwned) {
    auto want = desired.find(key);
    auto have = node.labels.find(key);
    if (want != desired.end() && (have == node.labels.end() || have->second != want->second)) {
      changes[key] = want->second;
    } else if (want == desired.end() && have != node.labels.end()) {
      changes[key] = std::nullopt;
    }
  }
  return changes;
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kube_bench KUBECONFIG [PAGE_SIZE]\n");
    return 2;
  }
  paiplan::kube::KubeConfigOptions options;
  options.paths = {argv[1]};
  auto config = paiplan::kube::LoadKubeConfig(options);
  if (!config || !*config) {
    std::fprintf(stderr, "kube_bench: %s\n",
                 config ? "no kubeconfig" : config.error().message().c_str());
    return 1;
  }
  paiplan::kube::KubeClientOptions client_options;
  if (argc > 2) client_options.list_page_size = std::atoi(argv[2]);
  paiplan::kube::KubeClient client(**config, client_options);

  auto t0 = std::chrono::steady_clock::now();
  auto nodes = client.ListNodes();
  auto t1 = std::chrono::steady_clock::now();
  if (!nodes) {
    std::fprintf(stderr, "kube_bench: %s\n", nodes.error().message().c_str());
    return 1;
  }
  size_t changed_nodes = 0, changes = 0;
  for (size_t i = 0; i < nodes->size(); ++i) {
    Changes c = Diff((*nodes)[i], Desired(i));
    changed_nodes += c.empty() ? 0 : 1;
    changes += c.size();
  }
  auto t2 = std::chrono::steady_clock::now();
  std::printf("nodes=%zu page_size=%d list_ms=%.1f diff_ms=%.2f nodes_to_patch=%zu label_changes=%zu\n",
              nodes->size(), client_options.list_page_size, Ms(t1 - t0), Ms(t2 - t1),
              changed_nodes, changes);
  return 0;
}
