// render.<service>/<file>: a template rendered into the service's working
// copy under .paiplan/rendered/. Observed by hashing the file on disk.
#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
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
      auto path = RenderPathOf(env_.paiplan_dir, it.address);
      Result<std::optional<std::string>> text = Err(Status::NotFound(""));
      if (path) text = fs::ReadPaiplanFile(*path);
      else text = Err(path.error());
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
    auto checked = RenderPathOf(env_.paiplan_dir, a.address);
    if (!checked) {
      r.status = checked.error();
      return r;
    }
    const std::string& path = *checked;
    if (a.type == ActionType::kDelete) {
      ctx.log("remove " + path + "\n");
      r.status = fs::RemovePaiplanPath(path);
      if (r.status.ok()) r.batch.deletes.push_back(a.address);
      return r;
    }
    r.status = fs::WritePaiplanFile(path, a.content, 0600);
    ctx.log("wrote " + std::to_string(a.content.size()) + " bytes to " + path + "\n");
    if (r.status.ok()) {
      auto rec = MakeRecord(a, env_.now());
      rec["content"] = a.content;
      r.batch.puts.emplace_back(a.address, rec);
    }
    return r;
  }

 private:
  const Env& env_;
};

}  // namespace

std::unique_ptr<ResourceHandler> MakeRenderHandler(const Env& env) { return std::make_unique<RenderHandler>(env); }

}  // namespace paiplan::plan
