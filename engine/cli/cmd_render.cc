// `paiplan render TEMPLATE [--context FILE.json]` and `paiplan import ADDR`.
#include "engine/base/fs.h"
#include "engine/cli/commands.h"
#include "engine/cli/lock_wait.h"
#include "engine/cli/plan_flow.h"
#include "engine/plan/attr_diff.h"
#include "providers/template/jinja.h"

namespace paiplan::cli {

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
    ctx = nlohmann::ordered_json::parse(*c, nullptr, false);
    if (ctx.is_discarded() || !ctx.is_object()) {
      PrintError(g, context_file + ": not a JSON object; the context must be {\"name\": value, ...}");
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
  auto out = tmpl::Render(*text, ctx, tmpl_path);
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
