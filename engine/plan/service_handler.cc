// service.<name>: the service's lifecycle scripts, run locally with bash in
// its rendered working copy (docs/workspace.md, "Services"): create = start-script, update =
// refresh-script (start-script when it has none), delete = stop-script, or
// the delete-script with --purge. Observed through the optional
// status-script: a failed probe is drift, repaired by the start-script.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/plan/attr_diff.h"
#include "engine/base/sha256.h"
#include "engine/plan/handlers.h"
#include "engine/plan/output_binding.h"
#include "engine/config/services.h"
#include "engine/plan/service_script.h"
#include "providers/script/process.h"

namespace paiplan::plan {
namespace {

std::string ChangedKeys(const ojson& before, const ojson& after, const std::string& field) {
  std::set<std::string> keys;
  std::string out;
  for (const auto* x : {&before, &after})
    if (x->is_object() && x->contains(field) && (*x)[field].is_object())
      for (auto it = (*x)[field].begin(); it != (*x)[field].end(); ++it) keys.insert(it.key());
  for (const auto& k : keys) {
    auto get = [&](const ojson& x) {
      return x.is_object() && x.contains(field) && (*x.find(field)).contains(k) ? x[field][k].dump() : std::string();
    };
    std::string b = get(before), a = get(after);
    if (b == a) continue;
    out += (out.empty() ? "" : ", ") + k + (b.empty() ? " added" : a.empty() ? " removed" : " changed");
  }
  return out;
}

class ServiceHandler : public ResourceHandler {
 public:
  explicit ServiceHandler(const Env& env) : env_(env) {}
  graph::Kind kind() const override { return graph::Kind::kService; }

  // Probes the services that are wanted and recorded as started and whose
  // recorded definition has a status-script; others get no observation.
  void Observe(const std::vector<ObserveItem>& items, std::map<std::string, Observation>* out) override {
    std::vector<std::pair<std::string, std::string>> probes;  // address, script
    for (const auto& it : items) {
      if (!it.desired || !it.recorded || it.recorded->value("last_outcome", "success") == "failed") continue;
      const ojson& attrs = (*it.recorded)["attributes"];
      if (!attrs.is_object() || !attrs.contains("scripts") || !attrs["scripts"].is_object()) continue;
      std::string script = attrs["scripts"].value("status", "");
      if (!script.empty() && !env_.untrusted) probes.emplace_back(it.address, script);
    }
    std::vector<Observation> obs(probes.size());
    ParallelFor(probes.size(), env_.ws->settings.parallelism, [&](size_t i) {
      obs[i] = ProbeServiceStatus(env_, probes[i].first.substr(8), probes[i].second);
    });
    for (size_t i = 0; i < probes.size(); ++i) (*out)[probes[i].first] = std::move(obs[i]);
  }

  std::vector<Difference> Differences(const state::ResourceRecord&, const Observation& obs) const override {
    if (!obs.attributes.is_object() || !obs.attributes.contains("status")) return {};
    return {{"status", obs.attributes["status"].value("message", std::string("status probe failed"))}};
  }

  std::string DescribeDrift(const state::ResourceRecord& rec, const Observation& obs) const override {
    return DescribeDifferences(rec, Differences(rec, obs));
  }

  void PlanRepair(const Observation& obs, Action* a) const override {
    if (a->type != ActionType::kUpdate || !obs.attributes.is_object() || !obs.attributes.contains("status")) return;
    a->script = "start";
    a->notes.push_back("repair: runs the start-script again");
  }

  std::string DescribeChange(const ojson& before, const ojson& after) const override {
    std::vector<std::string> why;
    std::string t = ChangedKeys(before, after, "renders");
    std::string files = ChangedKeys(before, after, "deploy_files");
    // "template" only when a template file itself was edited; otherwise the
    // same template renders differently (configuration, layout).
    if (!t.empty()) why.push_back((files.find(".template") != std::string::npos ? "template " : "rendered ") + t);
    std::vector<AttrChange> cfg = DiffAttributes(before.value("config", ojson()), after.value("config", ojson()));
    if (!cfg.empty()) {
      std::string keys;
      for (size_t i = 0; i < cfg.size() && i < 3; ++i) keys += (i ? ", " : "") + cfg[i].path;
      if (cfg.size() > 3) keys += ", …";
      why.push_back("config changed (" + keys + ")");
    }
    std::vector<std::string> specific;
    for (const char* k : {"scripts", "prerequisites", "deploy_rules", "hosts"}) {
      if (before.value(k, ojson()) != after.value(k, ojson())) specific.push_back(std::string(k) + " changed");
    }
    // An edited service.yaml is explained by what changed in it.
    bool explained = files == "service.yaml changed" && !specific.empty();
    if (!files.empty() && t.empty() && !explained) why.push_back("deploy directory changed: " + files);
    why.insert(why.end(), specific.begin(), specific.end());
    if (std::string o = ChangedOutputs(before, after); !o.empty()) why.insert(why.begin(), "output " + o + " changed");
    std::string out;
    for (const auto& w : why) out += (out.empty() ? "" : "; ") + w;
    return out.empty() ? "service definition changed" : out;
  }

  ApplyResult Apply(const Action& a, ApplyContext& ctx) override {
    ApplyResult r;
    std::string name = a.address.substr(8);
    bool del = a.type == ActionType::kDelete;
    const ojson& attrs = del ? a.before : a.after;
    const ojson scripts = attrs.is_object() ? attrs.value("scripts", ojson::object()) : ojson::object();
    std::string which = del ? (a.purge ? "delete" : "stop") : a.type == ActionType::kCreate ? "start" : "refresh";
    if (a.type == ActionType::kUpdate && !a.script.empty()) which = a.script;
    if (a.type == ActionType::kReplace) which = "start";  // --replace: stop (below), then start
    std::string script = scripts.value(which, "");
    if (which == "refresh" && script.empty()) {
      which = "start";
      script = scripts.value("start", "");
    }
    std::string workdir = ServiceWorkdir(env_, name);
    std::string outputs_file = fs::Join(env_.paiplan_dir, "outputs/" + name + ".env");
    r.status = fs::CheckSingleName(name, "service name of " + a.address);
    if (r.status.ok() && !script.empty()) r.status = fs::CheckRelativeName(script, which + "-script of " + a.address);
    if (r.status.ok()) r.status = PrepareWorkdir(name, workdir);
    if (r.status.ok()) r.status = fs::MakePaiplanDirs(fs::Dirname(outputs_file));
    if (r.status.ok()) r.status = fs::RemoveAll(outputs_file);
    if (r.status.ok() && a.type == ActionType::kReplace) {
      const ojson was = a.before.is_object() ? a.before.value("scripts", ojson::object()) : ojson::object();
      std::string stop = was.value("stop", "");
      if (!stop.empty()) r.status = RunScript(name, "stop", stop, workdir, ctx);
    }
    if (r.status.ok()) {
      std::map<std::string, std::string> extra = ScriptOutputEnv(a);
      extra["PAIPLAN_OUTPUTS"] = outputs_file;
      if (script.empty()) ctx.log("service has no " + which + "-script; nothing to run\n");
      else r.status = RunScript(name, which, script, workdir, ctx, extra);
    }
    if (!r.status.ok()) return r;
    // A repair (start-script run again because the probe failed) succeeds
    // only when the probe passes afterwards.
    if (a.type == ActionType::kUpdate && a.script == "start" && !scripts.value("status", "").empty()) {
      r.status = ProbeAfterRepair(name, scripts.value("status", ""), ctx);
      if (!r.status.ok()) return r;
    }
    if (del) {
      r.batch.deletes.push_back(a.address);
      if (env_.outputs) env_.outputs->Erase(a.address);
      RemoveWorkdirCopies(a.before, workdir, ctx);
      return r;
    }
    auto rec = MakeRecord(a, env_.now());
    r.status = RecordOutputs(a, outputs_file, &rec, ctx);
    if (r.status.ok()) r.batch.puts.emplace_back(a.address, std::move(rec));
    return r;
  }

 private:
  // The outputs of what the service depends on, as PAIPLAN_OUTPUT_* variables.
  std::map<std::string, std::string> ScriptOutputEnv(const Action& a) const {
    std::vector<std::string> producers = a.resource_deps;
    const ojson& attrs = a.type == ActionType::kDelete ? a.before : a.after;
    if (attrs.is_object() && attrs.contains("outputs_used")) {
      for (auto it = attrs["outputs_used"].begin(); it != attrs["outputs_used"].end(); ++it) {
        producers.push_back(it.key().substr(0, it.key().find('[')));
      }
    }
    return OutputEnvironment(env_, producers);
  }

  // Puts the outputs the script published (or, when it wrote none, those
  // recorded before) in `rec`; resolves what was (known after apply) at plan
  // time, so the record carries what the next plan will want.
  Status RecordOutputs(const Action& a, const std::string& file, state::ResourceRecord* rec, ApplyContext& ctx) {
    auto text = fs::ReadFileIfExists(file);
    if (!text) return text.error();
    OutputValues values;
    if (text->has_value()) {
      PP_ASSIGN_OR_RETURN(values, ParseOutputs(**text, "$PAIPLAN_OUTPUTS of service." + a.address.substr(8)));
      (void)fs::RemoveAll(file);
      ctx.log("published " + std::to_string(values.size()) + " output(s)\n");
    } else if (env_.outputs) {
      values = env_.outputs->Get(a.address).value_or(OutputValues{});
    }
    if (!values.empty()) (*rec)["outputs"] = values;
    if (env_.outputs) env_.outputs->Set(a.address, values);
    if (!HasDeferredOutputs(a.after) || !env_.outputs) return Status::Ok();
    ojson attrs = a.after;
    for (auto it = attrs["outputs_used"].begin(); it != attrs["outputs_used"].end(); ++it) {
      std::string key = it.key();
      auto bracket = key.find('[');
      auto v = env_.outputs->Get(key.substr(0, bracket));
      std::string k = key.substr(bracket + 1, key.size() - bracket - 2);
      if (v && v->count(k)) it.value() = Sha256Hex(v->at(k));
    }
    for (auto it = attrs["renders"].begin(); it != attrs["renders"].end(); ++it) {
      auto body = fs::ReadFile(fs::Join(ServiceWorkdir(env_, a.address.substr(8)), it.key()));
      if (body) it.value() = Sha256Hex(*body);
    }
    (*rec)["attributes"] = attrs;
    (*rec)["hash"] = Sha256Hex(attrs.dump());  // as desired.cc hashes a service
    return Status::Ok();
  }

  Status ProbeAfterRepair(const std::string& name, const std::string& status_script, ApplyContext& ctx) {
    Observation o = ProbeServiceStatus(env_, name, status_script);
    if (o.error.empty() && !(o.attributes.is_object() && o.attributes.contains("status"))) {
      ctx.log("# status probe passes after the repair\n");
      return Status::Ok();
    }
    std::string why = !o.error.empty() ? o.error : o.attributes["status"].value("message", std::string("it failed"));
    return Status::FailedPrecondition("the start-script ran, but the status probe of service " + name +
                                      " still fails: " + why + " (log: .paiplan/status/" + name + ".log)");
  }

  // After a destroy: the deploy/ files copied into the working copy go (the
  // renders go with their own actions), and the directory once it is empty.
  static void RemoveWorkdirCopies(const ojson& before, const std::string& workdir, ApplyContext& ctx) {
    if (before.is_object() && before.contains("deploy_files") && before["deploy_files"].is_object()) {
      for (auto it = before["deploy_files"].begin(); it != before["deploy_files"].end(); ++it) {
        if (!it.key().ends_with(".template")) (void)fs::RemoveAll(fs::Join(workdir, it.key()));
      }
    }
    (void)::rmdir(fs::Join(workdir, "_lib").c_str());
    if (::rmdir(workdir.c_str()) == 0) ctx.log("removed the working copy " + workdir + "\n");
  }

  // Copies deploy/ (all but templates) into the working copy; renders are
  // written there by their own actions.
  Status PrepareWorkdir(const std::string& name, const std::string& workdir) {
    PP_RETURN_IF_ERROR(fs::MakePaiplanDirs(workdir));
    auto it = env_.ws->services.find(name);
    if (it == env_.ws->services.end()) return Status::Ok();  // disabled: keep the last copy
    auto files = fs::ListFilesRecursive(it->second.deploy_dir);
    if (!files) return files.error();
    for (const auto& f : *files) {
      if (f.ends_with(".template")) continue;
      PP_ASSIGN_OR_RETURN(auto text, fs::ReadFile(fs::Join(it->second.deploy_dir, f)));
      PP_RETURN_IF_ERROR(fs::CheckRelativeName(f, "file of service " + name));
      PP_RETURN_IF_ERROR(fs::WritePaiplanFile(fs::Join(workdir, f), text, f.ends_with(".sh") ? 0700 : 0600));
    }
    // The service path's script library, which the scripts source as ./_lib/.
    if (std::string lib = config::ServiceLibDir(it->second); !lib.empty()) {
      PP_ASSIGN_OR_RETURN(auto lib_files, fs::ListFilesRecursive(lib));
      PP_RETURN_IF_ERROR(fs::MakePaiplanDirs(fs::Join(workdir, "_lib")));
      for (const auto& f : lib_files) {
        PP_ASSIGN_OR_RETURN(auto text, fs::ReadFile(fs::Join(lib, f)));
        PP_RETURN_IF_ERROR(fs::CheckRelativeName(f, "script library file"));
        PP_RETURN_IF_ERROR(fs::WritePaiplanFile(fs::Join(workdir, "_lib/" + f), text, 0600));
      }
    }
    return Status::Ok();
  }

  struct ScriptRun {
    Status status;
    bool timed_out = false;
  };

  // Runs the script; on a non-zero exit, runs it again up to the configured
  // number of retries (scripts.retries / scripts.service-retries), waiting
  // scripts.retry-delay s, doubled after each attempt (at most 5 min). A
  // script killed at its timeout is not retried: it would likely hang again,
  // and the action would block for a multiple of the timeout.
  Status RunScript(const std::string& name, const std::string& which, const std::string& script,
                   const std::string& workdir, ApplyContext& ctx, const std::map<std::string, std::string>& extra = {}) {
    const auto& s = env_.ws->settings;
    auto r = s.script_service_retries.find(name);
    int attempts = 1 + (r == s.script_service_retries.end() ? s.script_retries : r->second);
    double delay = s.script_retry_delay;
    for (int attempt = 1;; ++attempt) {
      ScriptRun run = RunScriptOnce(name, which, script, workdir, ctx, extra);
      if (run.status.ok() || run.timed_out || attempt >= attempts) {
        // A timeout is not retried, so "attempt 1 of N" would mislead.
        if (run.status.ok() || attempts == 1) return run.status;
        if (run.timed_out) return Status(run.status.code(), run.status.message() + "\n(timeouts are not retried)");
        return Status(run.status.code(), run.status.message() + "\n(attempt " + std::to_string(attempt) + " of " +
                                             std::to_string(attempts) + ")");
      }
      const std::string& why = run.status.message();  // "...exited with status N; last output: ..."
      ctx.log("# " + which + "-script attempt " + std::to_string(attempt) + " of " +
              std::to_string(attempts) + " failed: " + why.substr(0, why.find(';')) + "; retrying in " +
              FormatSeconds(delay) + " s\n");
      if (!Wait(delay, ctx)) return run.status;
      delay = std::min(delay * 2, kMaxRetryDelay);
    }
  }

  // Sleeps `seconds`; false when the apply was interrupted meanwhile.
  static bool Wait(double seconds, const ApplyContext& ctx) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(int64_t(seconds * 1000));
    auto cancelled = [&] { return ctx.cancelled && ctx.cancelled->load(); };
    while (std::chrono::steady_clock::now() < until && !cancelled()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
    }
    if (cancelled()) ctx.log("# interrupted: not retrying\n");
    return !cancelled();
  }

  static std::string FormatSeconds(double s) {
    std::ostringstream o;
    o << s;
    return o.str();
  }

  ScriptRun RunScriptOnce(const std::string& name, const std::string& which, const std::string& script,
                          const std::string& workdir, ApplyContext& ctx, const std::map<std::string, std::string>& extra = {}) {
    double timeout = ServiceScriptTimeout(env_.ws->settings, name);
    script::ProcessRequest p = ServiceScriptRequest(env_, name, which, script);
    for (const auto& [k, v] : extra) p.env[k] = v;
    p.on_output = [&](std::string_view chunk, bool) { ctx.log(chunk); };
    ctx.log("$ bash " + script + "  (" + which + "-script, in " + workdir + ")\n");
    auto res = script::RunProcess(p);
    if (!res) return {res.error()};
    std::string what = which + "-script " + script + " of service " + name;
    if (res->timed_out) {
      return {Status::FailedPrecondition(what + " timed out after " + std::to_string(int(timeout)) +
                                         " s; its process group was killed" + LastOutputText(res->output_tail) +
                                         "\nfull log: " + ctx.log_path),
              true};
    }
    if (res->exit_status != 0) {
      return {Status::FailedPrecondition(what + " exited with status " + std::to_string(res->exit_status) +
                                         LastOutputText(res->output_tail) + "\nfull log: " + ctx.log_path)};
    }
    return {Status::Ok()};
  }

  static constexpr double kMaxRetryDelay = 300;
  const Env& env_;
};

}  // namespace

std::unique_ptr<ResourceHandler> MakeServiceHandler(const Env& env) { return std::make_unique<ServiceHandler>(env); }

}  // namespace paiplan::plan
