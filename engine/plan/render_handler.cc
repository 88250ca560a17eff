// render.<service>/<file>: a template rendered into the service's working
// copy under .paiplan/rendered/. Observed by hashing the file on disk.
#include <unistd.h>

#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/base/sha256.h"
#include "engine/plan/desired.h"
#include "engine/plan/handlers.h"
#include "engine/plan/output_binding.h"

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
    std::string outputs = ChangedOutputs(before, after);
    if (!outputs.empty()) return "output " + outputs + " changed";
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
      (void)::rmdir(fs::Dirname(path).c_str());  // the service's working copy, once empty
      return r;
    }
    Action done = a;
    if (HasDeferredOutputs(a.after)) {
      r.status = RenderWithOutputs(&done);
      if (!r.status.ok()) return r;
      ctx.log("rendered with the outputs published by this apply\n");
    }
    r.status = fs::WritePaiplanFile(path, done.content, 0600);
    ctx.log("wrote " + std::to_string(done.content.size()) + " bytes to " + path + "\n");
    if (r.status.ok()) {
      auto rec = MakeRecord(done, env_.now());
      rec["content"] = done.content;
      r.batch.puts.emplace_back(a.address, rec);
    }
    return r;
  }

 private:
  // A template that read outputs not known at plan time is rendered again
  // now that their producers ran (they come first: they are its resource_deps).
  Status RenderWithOutputs(Action* a) const {
    std::string service = a->after.value("service", std::string());
    std::string file = a->after.value("file", std::string());
    auto svc = env_.ws->services.find(service);
    if (svc == env_.ws->services.end() || !env_.outputs) {
      return Status::FailedPrecondition(a->address + ": service " + service + " is no longer in the workspace; plan again");
    }
    PP_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(fs::Join(svc->second.deploy_dir, file + ".template")));
    PP_ASSIGN_OR_RETURN(OutputBinding bound, BindOutputs(FindOutputRefs(text), ApplyTimeLookup(*env_.outputs)));
    nlohmann::ordered_json ctx = nlohmann::ordered_json::object();
    ctx["cluster_cfg"] = env_.ws->cluster_cfg;
    PP_ASSIGN_OR_RETURN(a->content, RenderServiceFile(*env_.ws, svc->second, file, ctx, bound.context));
    a->hash = Sha256Hex(a->content);
    a->after["sha256"] = a->hash;
    a->after["size"] = a->content.size();
    a->after["outputs_used"] = bound.used;
    return Status::Ok();
  }

  const Env& env_;
};

}  // namespace

std::unique_ptr<ResourceHandler> MakeRenderHandler(const Env& env) { return std::make_unique<RenderHandler>(env); }

}  // namespace paiplan::plan
