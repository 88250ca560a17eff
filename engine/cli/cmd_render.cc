// `paiplan render TEMPLATE [--context FILE.json]` and `paiplan import ADDR`.
#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/cli/commands.h"
#include "engine/cli/lock_wait.h"
#include "engine/cli/plan_flow.h"
#include "engine/plan/attr_diff.h"
#include "engine/plan/service_script.h"
#include "providers/template/jinja.h"

namespace paiplan::cli {
namespace {

// Parses the --context file into `ctx`; "" on success, else the message:
// invalid JSON names FILE:LINE:COLUMN and what the parser expected.
std::string ParseContext(const std::string& text, const std::string& file, nlohmann::ordered_json* ctx) {
  try {
    *ctx = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') ++line, col = 1;
      else ++col;
    }
    bool at_end = e.byte >= text.size();
    return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": not valid JSON (" +
           (at_end ? std::string("the text ends too early: a bracket, brace or quote is not closed")
                   : std::string("unexpected text here")) +
           "); fix the file: the context must be a JSON object {\"name\": value, ...}";
  }
  if (!ctx->is_object()) {
    return file + ": not a JSON object (it is " + std::string(ctx->is_array() ? "an " : "a ") + ctx->type_name() +
           "); the context must be {\"name\": value, ...}";
  }
  return "";
}

}  // namespace

int CmdRender(const GlobalOptions& g, const std::string& tmpl_path, const std::string& context_file) {
  return CmdRender(g, tmpl_path, context_file, false);
}

int CmdRender(const GlobalOptions& g, const std::string& tmpl_path, const std::string& context_file,
              bool show_sensitive) {
  auto text = fs::ReadFile(tmpl_path);
  if (!text) {
    PrintError(g, text.error().message());
    return kExitError;
  }
  nlohmann::ordered_json ctx;
  if (!context_file.empty()) {
    auto c = fs::ReadFile(context_file);
    if (!c) {
      PrintError(g, c.error().message());
      return kExitError;
    }
    std::string bad = ParseContext(*c, context_file, &ctx);
    if (!bad.empty()) {
      PrintError(g, bad);
      return kExitError;
    }
  } else {
    Diagnostics diags;
    auto ws = LoadWorkspaceOrReport(g, &diags);
    if (!ws) return kExitError;
    ctx = nlohmann::ordered_json::object();
    ctx["cluster_cfg"] = ws->cluster_cfg;
  }
  // Values under sensitive keys (and the machines' passwords) are masked in
  // the output and in errors unless --show-sensitive (docs/security.md).
  std::vector<std::string> secrets;
  if (!show_sensitive) plan::CollectSecrets(ctx, &secrets);
  std::vector<tmpl::UndefinedOutput> undefined;
  auto out = tmpl::Render(*text, ctx, tmpl_path, &undefined);
  for (const auto& u : undefined) {
    if (g.strict_templates) PrintError(g, tmpl::DescribeUndefined(tmpl_path, u) + " (--strict-templates)");
    else PrintWarning(g, tmpl::DescribeUndefined(tmpl_path, u));
  }
  if (out && g.strict_templates && !undefined.empty()) return kExitError;
  if (!out) {
    PrintError(g, plan::MaskSecrets(out.error().message(), secrets));
    return kExitError;
  }
  std::cout << plan::MaskSecrets(*out, secrets);
  return kExitOk;
}

namespace {

// A create that failed records no attributes: nothing was applied, so the
// object may be imported over that record (e.g. config.cluster refused to
// overwrite a ConfigMap paiplan did not create).
bool OnlyFailedCreate(const state::ResourceRecord& r) {
  return r.value("last_outcome", "") == "failed" && (!r.contains("attributes") || !r["attributes"].is_object());
}

// The service's working copy as its start would leave it (deploy files and
// rendered templates), so its status-script can run before it is adopted.
Status PrepareWorkingCopy(const Session& s, const std::string& name) {
  auto svc = s.ws->services.find(name);
  if (svc == s.ws->services.end()) return Status::NotFound("service " + name + " is not enabled");
  std::string dir = plan::ServiceWorkdir(s.rt->env(), name);
  PP_ASSIGN_OR_RETURN(auto files, fs::ListFilesRecursive(svc->second.deploy_dir));
  for (const auto& f : files) {
    if (f.ends_with(".template")) continue;
    PP_ASSIGN_OR_RETURN(auto text, fs::ReadFile(fs::Join(svc->second.deploy_dir, f)));
    PP_RETURN_IF_ERROR(fs::MakePaiplanDirs(fs::Dirname(fs::Join(dir, f))));
    PP_RETURN_IF_ERROR(fs::WritePaiplanFile(fs::Join(dir, f), text, f.ends_with(".sh") ? 0700 : 0600));
  }
  const std::string prefix = "render." + name + "/";
  for (const auto& [address, d] : s.rt->desired()) {
    if (!address.starts_with(prefix)) continue;
    std::string file = fs::Join(dir, address.substr(prefix.size()));
    PP_RETURN_IF_ERROR(fs::MakePaiplanDirs(fs::Dirname(file)));
    PP_RETURN_IF_ERROR(fs::WritePaiplanFile(file, d.content, 0600));
  }
  return Status::Ok();
}

// Why a service cannot be adopted, "" when it can: import observes before it
// adopts, and a service is observed only through its status-script.
std::string ServiceImportBlocker(const Session& s, const plan::Desired& des) {
  std::string name = des.address.substr(8);
  std::string script;
  if (des.attributes.contains("scripts") && des.attributes["scripts"].is_object())
    script = des.attributes["scripts"].value("status", "");
  if (script.empty()) {
    return "service " + name + " has no status-script, so paiplan cannot see that it runs; add "
           "status-script to its service.yaml, or let `paiplan apply` start it";
  }
  Status copied = PrepareWorkingCopy(s, name);
  if (!copied.ok()) return "its working copy could not be written: " + copied.message();
  plan::Observation o = plan::ProbeServiceStatus(s.rt->env(), name, script);
  if (!o.error.empty()) return o.error;
  if (o.attributes.is_object() && o.attributes.contains("status")) {
    return o.attributes["status"].value("message", std::string("its status probe failed")) +
           " (log: .paiplan/status/" + name + ".log); start it with `paiplan apply`, or fix the probe";
  }
  return "";
}

}  // namespace

int CmdImport(const GlobalOptions& g, const std::string& address) {
  auto s = OpenSession(g, true);
  if (!s) return kExitError;
  auto d = s->rt->desired().find(address);
  if (d == s->rt->desired().end()) {
    PrintError(g, address + " is not a resource of this workspace; see `paiplan graph` for the addresses");
    return kExitError;
  }
  auto lock = LockState(g, *s->store, "import", s->ws->settings.lock_timeout);
  if (!lock) {
    PrintError(g, lock.error().message());
    return kExitError;
  }
  struct U { state::StateStore* st; std::string id; ~U() { (void)st->Unlock(id); } } u{s->store.get(), lock->id};
  auto snap = s->store->ReadSnapshot();
  if (snap && snap->resources.count(address) && !OnlyFailedCreate(snap->resources.at(address))) {
    PrintError(g, address + " is already in the state; remove it first with: paiplan state rm " + address);
    return kExitError;
  }
  const plan::Desired& des = d->second;
  std::map<std::string, plan::Observation> obs;
  plan::ObserveItem item{address, &des, nullptr};
  s->handlers.at(des.kind)->Observe({item}, &obs);
  if (des.kind == graph::Kind::kService) {
    std::string why = ServiceImportBlocker(*s, des);
    if (!why.empty()) {
      PrintError(g, "cannot import " + address + ": " + why + ". Nothing was changed.");
      return kExitError;
    }
  }
  auto o = obs.find(address);
  if (des.kind != graph::Kind::kService && (o == obs.end() || !o->second.observed || !o->second.exists)) {
    std::string why = o == obs.end() ? "nothing observed" : o->second.error.empty() ? "it does not exist" : o->second.error;
    PrintError(g, "cannot import " + address + ": " + why + ". Nothing was changed.");
    return kExitError;
  }
  plan::Action a;
  a.address = address;
  a.kind = des.kind;
  a.type = plan::ActionType::kCreate;
  a.after = des.attributes;
  a.hash = o != obs.end() && !o->second.hash.empty() ? o->second.hash : des.hash;
  a.machine = des.machine;
  a.resource_deps = des.resource_deps;
  state::ResourceRecord rec = plan::MakeRecord(a, NowRfc3339());
  rec["last_action"] = "import";
  if (des.kind == graph::Kind::kLabel) {
    // Own only the labels that are there now and that the workspace wants.
    rec["attributes"]["labels"] = o->second.attributes["labels"];
    std::vector<std::string> owned;
    for (auto it = o->second.attributes["labels"].begin(); it != o->second.attributes["labels"].end(); ++it) owned.push_back(it.key());
    rec["owned_labels"] = owned;
  }
  state::Batch b;
  b.puts.emplace_back(address, rec);
  auto r = s->store->Commit(b);
  if (!r) {
    PrintError(g, r.error().message());
    return kExitError;
  }
  std::cout << "Imported " << address << " into the state (serial " << *r << "). Run `paiplan plan` to see any difference from the workspace.\n";
  return kExitOk;
}

}  // namespace paiplan::cli
