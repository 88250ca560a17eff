// render.<service>/<file>: a template rendered into the service's working
// copy under .paiplan/rendered/. Observed by hashing the file on disk.
#include <unistd.h>

#include "engine/base/fs.h"
#include "engine/base/sha256.h"
#include "engine/plan/desired.h"
#include "engine/plan/handlers.h"

namespace paiplan::plan {
namespace {

class RenderHandler : public ResourceHandler {
 public:
  explicit RenderHandler(const Env& env) : env_(env) {}
  graph::Kind kind() const override { return graph::Kind::kRender; }

  void Observe(const std::vector<ObserveItem>& items, std::map<std::string, Observation>* out) override {
    for (const auto& it : items) {
      Observation o;
      auto text = fs::ReadFileIfExists(PathOf(it.address));
      if (!text) {
        o.error = text.error().message();
      } else {
        o.observed = true;
        o.exists = text->has_value();
        if (o.exists) o.hash = Sha256Hex(**text);
      }
      (*out)[it.address] = o;
    }
  }

  std::vector<Difference> Differences(const state::ResourceRecord& rec, const Observation& obs) const override {
    std::string file = rec["attributes"].value("file", std::string("?"));
    if (!obs.exists) return {{"file", "rendered file missing: " + file}};
    if (obs.hash != rec.value("hash", "")) return {{"content", "rendered file edited: " + file}};
    return {};
  }

  std::string DescribeDrift(const state::ResourceRecord& rec, const Observation& obs) const override {
    return DescribeDifferences(rec, Differences(rec, obs));
  }

  std::string DescribeChange(const ojson& before, const ojson& after) const override {
    // The template, the service's configuration or the layout may be the
    // cause; the diff printed under the action shows what.
    return "rendered " + after.value("file", std::string("?")) + " changed";
  }

  ApplyResult Apply(const Action& a, ApplyContext& ctx) override {
    ApplyResult r;
    std::string path = PathOf(a.address);
    if (a.type == ActionType::kDelete) {
      ctx.log("remove " + path + "\n");
      r.status = fs::RemoveAll(path);
      if (r.status.ok()) r.batch.deletes.push_back(a.address);
      (void)::rmdir(fs::Dirname(path).c_str());  // the service's working copy, once empty
      return r;
    }
    r.status = fs::MakeDirs(fs::Dirname(path));
    if (r.status.ok()) r.status = fs::WriteFileAtomic(path, a.content, 0644);
    ctx.log("wrote " + std::to_string(a.content.size()) + " bytes to " + path + "\n");
    if (r.status.ok()) {
      auto rec = MakeRecord(a, env_.now());
      rec["content"] = a.content;
      r.batch.puts.emplace_back(a.address, rec);
    }
    return r;
  }

 private:
  std::string PathOf(const std::string& address) const {
    std::string rest = address.substr(7);  // "render."
    auto slash = rest.find('/');
    return RenderPath(env_.paiplan_dir, rest.substr(0, slash), rest.substr(slash + 1));
  }
  const Env& env_;
};

}  // namespace

std::unique_ptr<ResourceHandler> MakeRenderHandler(const Env& env) { return std::make_unique<RenderHandler>(env); }

}  // namespace paiplan::plan
