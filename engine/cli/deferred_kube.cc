#include "engine/cli/deferred_kube.h"

namespace paiplan::cli {

Result<plan::KubeApi*> DeferredKube::Get() const {
  std::lock_guard<std::mutex> l(mu_);
  if (api_) return api_.get();
  auto loaded = loader_();
  if (!loaded) return Err(Status::Unavailable(waiting_ + ": " + loaded.error().message()));
  if (!*loaded) return Err(Status::Unavailable(waiting_));
  api_ = std::move(*loaded);
  return api_.get();
}

std::string DeferredKube::server() const {
  auto api = Get();
  return api ? (*api)->server() : std::string("(no kubeconfig yet)");
}

// Each call: the loaded client's, or Get()'s error.
#define PP_DEFERRED(call)                  \
  PP_ASSIGN_OR_RETURN(auto* api_p, Get()); \
  return api_p->call

Result<std::map<std::string, std::map<std::string, std::string>>> DeferredKube::ListNodeLabels() {
  PP_DEFERRED(ListNodeLabels());
}
Result<std::optional<std::map<std::string, std::string>>> DeferredKube::GetNodeLabels(const std::string& node) {
  PP_DEFERRED(GetNodeLabels(node));
}
Status DeferredKube::PatchNodeLabels(const std::string& node,
                                     const std::map<std::string, std::optional<std::string>>& changes) {
  PP_DEFERRED(PatchNodeLabels(node, changes));
}
Result<std::optional<plan::KubeConfigMap>> DeferredKube::GetConfigMap(const std::string& ns, const std::string& name) {
  PP_DEFERRED(GetConfigMap(ns, name));
}
Status DeferredKube::PutConfigMap(const std::string& ns, const std::string& name, const plan::KubeConfigMap& cm) {
  PP_DEFERRED(PutConfigMap(ns, name, cm));
}
Status DeferredKube::DeleteConfigMap(const std::string& ns, const std::string& name) {
  PP_DEFERRED(DeleteConfigMap(ns, name));
}
Result<std::vector<nlohmann::json>> DeferredKube::ListObjects(const std::string& api, const std::string& kind,
                                                              const std::string& ns, const std::string& selector) {
  PP_DEFERRED(ListObjects(api, kind, ns, selector));
}
Result<std::optional<nlohmann::json>> DeferredKube::GetObject(const std::string& api, const std::string& kind,
                                                              const std::string& ns, const std::string& name) {
  PP_DEFERRED(GetObject(api, kind, ns, name));
}
Result<plan::ObjectApplyResult> DeferredKube::ApplyObject(const nlohmann::json& obj, bool force, bool dry_run) {
  PP_DEFERRED(ApplyObject(obj, force, dry_run));
}
Status DeferredKube::DeleteObject(const std::string& api, const std::string& kind, const std::string& ns,
                                  const std::string& name) {
  PP_DEFERRED(DeleteObject(api, kind, ns, name));
}
Result<std::optional<plan::NodeReadiness>> DeferredKube::GetNodeReadiness(const std::string& node) {
  PP_DEFERRED(GetNodeReadiness(node));
}
Result<std::map<std::string, plan::NodeReadiness>> DeferredKube::ListNodeReadiness() {
  PP_DEFERRED(ListNodeReadiness());
}
Status DeferredKube::CordonNode(const std::string& node) { PP_DEFERRED(CordonNode(node)); }
Result<std::vector<nlohmann::json>> DeferredKube::ListPodsOnNode(const std::string& node) {
  PP_DEFERRED(ListPodsOnNode(node));
}
Result<std::optional<std::string>> DeferredKube::EvictPod(const std::string& ns, const std::string& name) {
  PP_DEFERRED(EvictPod(ns, name));
}
Status DeferredKube::DeleteNode(const std::string& node) { PP_DEFERRED(DeleteNode(node)); }

#undef PP_DEFERRED

}  // namespace paiplan::cli
