// Test helper: writes a small workspace (path → content) into a fresh
// temporary directory and removes it on destruction.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <string>

#include "engine/base/fs.h"

namespace paiplan::testing_util {

class TempWorkspace {
 public:
  explicit TempWorkspace(const std::map<std::string, std::string>& files = {}) {
    char tmpl[] = "/tmp/pp_config_test_XXXXXX";
    root_ = mkdtemp(tmpl);
    Write(files);
  }
  ~TempWorkspace() { std::filesystem::remove_all(root_); }
  TempWorkspace(const TempWorkspace&) = delete;
  TempWorkspace& operator=(const TempWorkspace&) = delete;

  void Write(const std::map<std::string, std::string>& files) {
    for (const auto& [rel, text] : files) {
      std::string p = fs::Join(root_, rel);
      (void)fs::MakeDirs(fs::Dirname(p));
      (void)fs::WriteFileAtomic(p, text);
    }
  }
  const std::string& root() const { return root_; }
  std::string Path(const std::string& rel) const { return fs::Join(root_, rel); }

 private:
  std::string root_;
};

}  // namespace paiplan::testing_util

namespace paiplan::testing_util {

// A valid workspace: 3 machines (master m1, workers w1 and w2, w2 without
// drivers), services `cluster` (renders cluster.cfg, on the master) and `web`
// (needs cluster, on workers that have drivers). Only its own services/ is
// searched; Kubernetes is not configured in paiplan.yaml.
inline std::map<std::string, std::string> BaseWorkspaceFiles() {
  return {
      {"paiplan.yaml", "service-paths: [services]\n"},
      {"layout.yaml",
       "kubernetes:\n  cluster-dns: 10.254.0.10\n"
       "machine-sku:\n  std:\n    mem: 16Gi\n"
       "machine-list:\n"
       "  - hostname: m1\n    hostip: 192.0.2.1\n    machine-type: std\n    k8s-role: master\n"
       "    pai-master: \"true\"\n"
       "  - hostname: w1\n    hostip: 192.0.2.2\n    machine-type: std\n    k8s-role: worker\n"
       "    pai-worker: \"true\"\n    nodename: worker-one\n"
       "  - hostname: w2\n    hostip: 192.0.2.3\n    machine-type: std\n    k8s-role: worker\n"
       "    pai-worker: \"true\"\n    no-drivers: \"true\"\n    sshport: 2222\n"},
      {"services-configuration.yaml", "cluster:\n  common:\n    cluster-id: prod\n"},
      {"services/cluster/deploy/service.yaml",
       "template-list:\n  - cluster.cfg\nstart-script: start.sh\ndeploy-rules:\n  - in: pai-master\n"},
      {"services/cluster/deploy/cluster.cfg.template", "id={{ cluster_cfg.cluster.common['cluster-id'] }}\n"},
      {"services/cluster/deploy/start.sh", "true\n"},
      {"services/cluster/config/cluster.yaml", "common:\n  cluster-id: default\n  data-path: /data\n"},
      {"services/web/deploy/service.yaml",
       "prerequisite:\n  - cluster\nstart-script: start.sh\ndeploy-rules:\n  - in: pai-worker\n"
       "  - notin: no-drivers\n"},
      {"services/web/deploy/start.sh", "true\n"},
  };
}

}  // namespace paiplan::testing_util
