#include "engine/plan/handlers.h"

#include <atomic>
#include <thread>

#include "engine/plan/attr_diff.h"

namespace paiplan::plan {

Handlers MakeHandlers(const Env& env) {
  Handlers h;
  h[graph::Kind::kNode] = MakeNodeHandler(env);
  h[graph::Kind::kLabel] = MakeLabelHandler(env);
  h[graph::Kind::kConfig] = MakeConfigHandler(env);
  h[graph::Kind::kRender] = MakeRenderHandler(env);
  h[graph::Kind::kService] = MakeServiceHandler(env);
  h[graph::Kind::kObject] = MakeObjectHandler(env);
  return h;
}

namespace {
Status NoObjects() { return Status::InvalidArgument("this Kubernetes API client does not handle objects (object.* resources)"); }
}  // namespace

Result<std::optional<NodeReadiness>> KubeApi::GetNodeReadiness(const std::string&) {
  return Err(Status::InvalidArgument("this Kubernetes API client does not read node conditions"));
}
Result<std::vector<nlohmann::json>> KubeApi::ListObjects(const std::string&, const std::string&,
                                                         const std::string&, const std::string&) {
  return Err(NoObjects());
}
Result<std::optional<nlohmann::json>> KubeApi::GetObject(const std::string&, const std::string&,
                                                         const std::string&, const std::string&) {
  return Err(NoObjects());
}
Result<ObjectApplyResult> KubeApi::ApplyObject(const nlohmann::json&, bool, bool) { return Err(NoObjects()); }
Status KubeApi::DeleteObject(const std::string&, const std::string&, const std::string&, const std::string&) {
  return NoObjects();
}
Result<std::map<std::string, NodeReadiness>> KubeApi::ListNodeReadiness() { return Err(NoObjects()); }
Status KubeApi::CordonNode(const std::string&) { return NoObjects(); }
Result<std::vector<nlohmann::json>> KubeApi::ListPodsOnNode(const std::string&) { return Err(NoObjects()); }
Result<std::optional<std::string>> KubeApi::EvictPod(const std::string&, const std::string&) {
  return Err(NoObjects());
}
Status KubeApi::DeleteNode(const std::string&) { return NoObjects(); }

std::vector<Difference> ResourceHandler::Differences(const state::ResourceRecord& recorded,
                                                     const Observation& obs) const {
  std::string d = DescribeDrift(recorded, obs);
  if (d.empty()) return {};
  return {{"", d}};
}

std::string ResourceHandler::DescribeDifferences(const state::ResourceRecord&,
                                                 const std::vector<Difference>& diffs) const {
  return JoinMessages(diffs, "; ");
}

std::string JoinMessages(const std::vector<Difference>& diffs, const std::string& sep) {
  std::string out;
  for (const auto& d : diffs) out += (out.empty() ? "" : sep) + d.message;
  return out;
}

std::string SummarizeChange(const ojson& before, const ojson& after, size_t max_items) {
  auto changes = DiffAttributes(before, after);
  std::string out;
  size_t n = 0;
  for (const auto& c : changes) {
    if (n++ == max_items) {
      out += "; and " + std::to_string(changes.size() - max_items) + " more";
      break;
    }
    std::string b = c.sensitive ? "(sensitive)" : c.before.empty() ? "(none)" : c.before;
    std::string a = c.sensitive ? "(sensitive)" : c.after.empty() ? "(none)" : c.after;
    out += (out.empty() ? "" : "; ") + c.path + " " + b + " → " + a;
  }
  return out.empty() ? "attributes changed" : out;
}

void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  size_t t = std::min<size_t>(n, size_t(std::max(1, threads)));
  if (t == 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (size_t k = 0; k < t; ++k) {
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
    });
  }
  for (auto& th : pool) th.join();
}

}  // namespace paiplan::plan
