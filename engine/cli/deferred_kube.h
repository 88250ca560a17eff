// DeferredKube: a KubeApi whose client is built on first use, once the
// kubeconfig it needs exists. On a brand-new cluster the built-in first
// master's bootstrap fetches the admin kubeconfig to .paiplan/kubeconfig
// (docs/bootstrap.md); the labels, the ConfigMap and the services later in
// the same apply reach the API through it.
//
// Until `loader` succeeds every call fails Unavailable with `waiting` (the
// loader's own error is appended when the kubeconfig exists but is bad);
// then every call goes to the loaded client.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "engine/plan/env.h"

namespace paiplan::cli {

class DeferredKube : public plan::KubeApi {
 public:
  // `loader` returns nullptr while its kubeconfig does not exist yet.
  using Loader = std::function<Result<std::unique_ptr<plan::KubeApi>>()>;
  DeferredKube(Loader loader, std::string waiting) : loader_(std::move(loader)), waiting_(std::move(waiting)) {}

  std::string server() const override;
  Result<std::map<std::string, std::map<std::string, std::string>>> ListNodeLabels() override;
  Result<std::optional<std::map<std::string, std::string>>> GetNodeLabels(const std::string& node) override;
  Status PatchNodeLabels(const std::string& node,
                         const std::map<std::string, std::optional<std::string>>& changes) override;
  Result<std::optional<plan::KubeConfigMap>> GetConfigMap(const std::string& ns, const std::string& name) override;
  Status PutConfigMap(const std::string& ns, const std::string& name, const plan::KubeConfigMap& cm) override;
  Status DeleteConfigMap(const std::string& ns, const std::string& name) override;
  Result<std::vector<nlohmann::json>> ListObjects(const std::string& api, const std::string& kind,
                                                  const std::string& ns, const std::string& selector) override;
  Result<std::optional<nlohmann::json>> GetObject(const std::string& api, const std::string& kind,
                                                  const std::string& ns, const std::string& name) override;
  Result<plan::ObjectApplyResult> ApplyObject(const nlohmann::json& obj, bool force, bool dry_run) override;
  Status DeleteObject(const std::string& api, const std::string& kind, const std::string& ns,
                      const std::string& name) override;
  Result<std::optional<plan::NodeReadiness>> GetNodeReadiness(const std::string& node) override;
  Result<std::map<std::string, plan::NodeReadiness>> ListNodeReadiness() override;
  Status CordonNode(const std::string& node) override;
  Result<std::vector<nlohmann::json>> ListPodsOnNode(const std::string& node) override;
  Result<std::optional<std::string>> EvictPod(const std::string& ns, const std::string& name) override;
  Status DeleteNode(const std::string& node) override;

 private:
  // The loaded client, loading it if its kubeconfig exists now.
  Result<plan::KubeApi*> Get() const;

  Loader loader_;
  std::string waiting_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<plan::KubeApi> api_;  // guarded by mu_; never reset once set
};

}  // namespace paiplan::cli
