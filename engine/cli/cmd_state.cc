// `paiplan state list|show|rm|pull|push|history`, `force-unlock`, `show`,
// `init`, `import`: reading and carefully editing the recorded state.
#include <unistd.h>

#include <map>

#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/cli/lock_wait.h"
#include "engine/cli/plan_flow.h"
#include "engine/cli/runtime.h"
#include "engine/plan/attr_diff.h"
#include "engine/plan/desired.h"
#include "engine/plan/plan_io.h"
#include "state/lmdb/lmdb_store.h"
#include "state/state_json.h"

namespace paiplan::cli {
namespace {

// The state store, without needing a valid workspace beyond paiplan.yaml's
// state settings (state commands must work even when layout.yaml is broken).
// `secrets`, when given, receives the workspace's secret values (machine
// passwords, values of sensitive config keys) for masking.
// Read-only commands (`masked`) may run without the state key: encrypted
// values then read as "(sensitive)".
Result<std::unique_ptr<state::StateStore>> OpenStore(const GlobalOptions& g, bool create,
                                                     std::vector<std::string>* secrets = nullptr,
                                                     double* lock_timeout = nullptr, bool masked = false) {
  Diagnostics diags;
  config::LoadOptions opts;
  opts.allow_missing = g.allow_missing;
  opts.untrusted = g.untrusted;
  auto ws = config::LoadWorkspace(g.dir, opts, &diags);
  if (ws && lock_timeout) *lock_timeout = ws->settings.lock_timeout;
  PrintDiagnostics(g, &diags);
  if (!ws) {
    // paiplan.yaml says where the state is: with errors there, any store
    // opened would be a guess. Other files may be broken (fixing them may
    // need exactly these commands).
    size_t in_settings = 0;
    for (const auto& d : diags.items())
      if (d.severity == Severity::kError && fs::Basename(d.loc.file) == "paiplan.yaml") ++in_settings;
    if (in_settings) {
      return Err(Status::InvalidArgument(
          "paiplan.yaml has " + std::to_string(in_settings) + " error(s) (above) and says where the state is; "
          "fix it first. Nothing was changed."));
    }
    std::cerr << "note: the workspace has errors (above); the state commands still work on " +
                     fs::Join(fs::Absolute(g.dir), ".paiplan/state") + ".\n";
  }
  if (ws && secrets) {
    for (const auto& m : ws->machines) if (m.password) secrets->push_back(*m.password);
    plan::CollectSecrets(ws->cluster_cfg, secrets);
  }
  if (ws) return OpenStateStore(ws->settings, create, masked);
  config::Settings fallback;
  fallback.state_path = fs::Join(fs::Absolute(g.dir), ".paiplan/state");
  return OpenStateStore(fallback, create, masked);
}

// Secret values anywhere in the state (sensitive keys of every record) plus
// `known` (the workspace's): a render's content or an error text carries them
// without a sensitive key of its own, often in another record.
std::vector<std::string> StateSecrets(const state::Snapshot& snap, std::vector<std::string> known) {
  for (const auto& [a, r] : snap.resources) plan::CollectSecrets(nlohmann::ordered_json(r), &known);
  return known;
}

nlohmann::json Masked(const nlohmann::json& rec, const std::vector<std::string>& secrets) {
  nlohmann::json out = rec;
  plan::MaskJson(&out, secrets);  // by key whatever the type, then known values inside strings
  return out;
}

// A string field of a record, or "" when it is missing or not a string (a
// pushed document may hold anything; nlohmann's value() would throw).
std::string Text(const nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int Fail(const GlobalOptions& g, const Status& s) {
  PrintError(g, s.message());
  return kExitError;
}

// `show` and `state list` agree: no state yet is not an error (nothing was
// applied; there is nothing to list), anything else is.
int NoStateOr(const GlobalOptions& g, const Status& s) {
  if (s.code() != Code::kNotFound) return Fail(g, s);
  std::cerr << s.message() << ": nothing was applied in this workspace yet (`paiplan apply` creates it).\n";
  return kExitOk;
}

}  // namespace

int CmdStateList(const GlobalOptions& g) {
  auto store = OpenStore(g, false, nullptr, nullptr, true);
  if (!store) return NoStateOr(g, store.error());
  if (!g.json) {  // addresses only: keys, no record is decoded
    auto addresses = (*store)->ListAddresses();
    if (!addresses) return Fail(g, addresses.error());
    for (const auto& a : *addresses) std::cout << a << "\n";
    return kExitOk;
  }
  auto snap = (*store)->ReadSnapshot();
  if (!snap) return Fail(g, snap.error());
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [a, r] : snap->resources) j.push_back({{"address", a}, {"last_action", Text(r, "last_action")}, {"last_outcome", Text(r, "last_outcome")}});
  std::cout << j.dump(2) << "\n";
  return kExitOk;
}

// One line (or object) per apply, newest last: id, operation, who, when, and
// how many actions ended each way.
int CmdStateHistory(const GlobalOptions& g, size_t last) {
  auto store = OpenStore(g, false, nullptr, nullptr, true);
  if (!store) return store.error().code() == Code::kNotFound ? (std::cerr << store.error().message() << "\n", kExitOk) : Fail(g, store.error());
  auto history = (*store)->ReadHistory();
  if (!history) return Fail(g, history.error());
  size_t first = history->size() > last ? history->size() - last : 0;
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = first; i < history->size(); ++i) {
    const nlohmann::json& e = (*history)[i];
    std::map<std::string, int> counts;
    if (auto a = e.find("actions"); a != e.end() && a->is_array())
      for (const auto& x : *a) ++counts[x.is_object() ? Text(x, "outcome") : std::string()];
    if (g.json) {
      out.push_back({{"id", Text(e, "id")}, {"operation", Text(e, "operation")}, {"who", Text(e, "who")},
                     {"started", Text(e, "started")}, {"finished", Text(e, "finished")}, {"outcomes", counts}});
      continue;
    }
    std::string summary;
    for (const auto& [outcome, n] : counts) summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + outcome;
    std::cout << Text(e, "finished") << "  " << Text(e, "id") << "  " << Text(e, "operation") << "  " << Text(e, "who") << "  "
              << (summary.empty() ? "no actions" : summary) << "\n";
  }
  if (g.json) std::cout << out.dump(2) << "\n";
  return kExitOk;
}

int CmdStateShow(const GlobalOptions& g, const std::string& addr) {
  std::vector<std::string> secrets;
  auto store = OpenStore(g, false, &secrets, nullptr, true);
  if (!store) return Fail(g, store.error());
  auto snap = (*store)->ReadSnapshot();
  if (!snap) return Fail(g, snap.error());
  auto it = snap->resources.find(addr);
  if (it == snap->resources.end()) return Fail(g, Status::NotFound(addr + " is not in the state; list addresses with: paiplan state list"));
  nlohmann::json m = Masked(it->second, StateSecrets(*snap, std::move(secrets)));
  if (g.json) {
    std::cout << m.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "# " << addr << "\n";
  std::vector<std::pair<std::string, std::string>> flat;
  plan::Flatten(m, "", &flat);
  for (const auto& [k, v] : flat) {
    if (k == "content") continue;
    std::cout << "  " << k << " = " << v << "\n";
  }
  return kExitOk;
}

int CmdStateRm(const GlobalOptions& g, const std::vector<std::string>& addrs) {
  double lock_timeout = 0;
  auto store = OpenStore(g, false, nullptr, &lock_timeout);
  if (!store) return Fail(g, store.error());
  auto lock = LockState(g, **store, "state rm", lock_timeout);
  if (!lock) return Fail(g, lock.error());
  auto snap = (*store)->ReadSnapshot();
  state::Batch b;
  int code = kExitOk;
  for (const auto& a : addrs) {
    if (snap && snap->resources.count(a)) b.deletes.push_back(a);
    else { PrintError(g, a + " is not in the state"); code = kExitError; }
  }
  if (code == kExitOk && !b.empty()) {
    auto r = (*store)->Commit(b);
    if (!r) code = Fail(g, r.error());
    else std::cout << "Removed " << b.deletes.size() << " resource(s) from the state; paiplan no longer manages them (nothing on the cluster was touched).\n";
  }
  (void)(*store)->Unlock(lock->id);
  return code;
}

int CmdStatePull(const GlobalOptions& g, bool show_sensitive) {
  std::vector<std::string> known;
  auto store = OpenStore(g, false, &known, nullptr, true);
  if (!store) return Fail(g, store.error());
  auto snap = (*store)->ReadSnapshot();
  if (!snap) return Fail(g, snap.error());
  auto j = state::SnapshotToJson(*snap);
  // Values under sensitive keys, and the secrets inside rendered contents,
  // print as (sensitive) unless asked for; without the key an encrypted
  // value cannot be shown at all.
  if (!show_sensitive) {
    std::vector<std::string> secrets = StateSecrets(*snap, std::move(known));
    for (auto& [a, r] : j["resources"].items()) r = Masked(r, secrets);
  }
  std::cout << j.dump(2) << "\n";
  return kExitOk;
}

int CmdStatePull(const GlobalOptions& g) { return CmdStatePull(g, false); }

namespace {

// What `state push` brings in obeys the path policy, and a document pulled
// without --show-sensitive (its secrets replaced) is not pushed back.
Status CheckPushed(const state::Snapshot& snap, const std::string& file) {
  for (const auto& [address, rec] : snap.resources) {
    Status s = plan::CheckAddressNames(address);
    if (!s.ok()) return Status::InvalidArgument(file + ": " + s.message());
    std::vector<std::string> values;
    plan::CollectSecrets(nlohmann::ordered_json(rec), &values);
    for (const auto& v : values) {
      if (v != "(sensitive)") continue;
      return Status::InvalidArgument(file + ": " + address + " holds masked secrets (\"(sensitive)\"); pushing it "
                                     "would replace the real values; pull with `state pull --show-sensitive`");
    }
  }
  return Status::Ok();
}

}  // namespace

int CmdStatePush(const GlobalOptions& g, const std::string& file, bool force) {
  auto text = fs::ReadFile(file);
  if (!text) return Fail(g, text.error());
  auto incoming = state::SnapshotFromText(*text, file);
  if (!incoming) return Fail(g, incoming.error());
  if (Status s = CheckPushed(*incoming, file); !s.ok()) return Fail(g, s);
  double lock_timeout = 0;
  auto store = OpenStore(g, true, nullptr, &lock_timeout);
  if (!store) return Fail(g, store.error());
  auto lock = LockState(g, **store, "state push", lock_timeout);
  if (!lock) return Fail(g, lock.error());
  struct U { state::StateStore* s; std::string id; ~U() { (void)s->Unlock(id); } } u{store->get(), lock->id};
  auto head = (*store)->ReadHead();
  if (!head) return Fail(g, head.error());
  if (incoming->lineage != head->first && head->second > 0)
    return Fail(g, Status::Conflict(file + " has lineage " + incoming->lineage + " but this state's lineage is " + head->first +
                                    "; it belongs to another cluster. Nothing was changed."));
  if (incoming->serial <= head->second && !force && head->second > 0)
    return Fail(g, Status::Conflict(file + " has serial " + std::to_string(incoming->serial) + ", not newer than the state's " +
                                    std::to_string(head->second) + "; pass --force to overwrite anyway. Nothing was changed."));
  auto r = (*store)->ReplaceAll(*incoming);
  if (!r) return Fail(g, r.error());
  std::cout << "Pushed " << incoming->resources.size() << " resources; the state is now at serial " << *r << ".\n";
  return kExitOk;
}

int CmdForceUnlock(const GlobalOptions& g, const std::string& id) {
  auto store = OpenStore(g, false);
  if (!store) return Fail(g, store.error());
  Status s = (*store)->ForceUnlock(id);
  if (!s.ok()) return Fail(g, s);
  std::cout << "The state lock " << id << " was removed.\n";
  return kExitOk;
}

int CmdShow(const GlobalOptions& g, const std::string& file) {
  if (!file.empty()) {
    auto p = plan::LoadPlanFile(file);
    if (!p) return Fail(g, p.error());
    // The file keeps exact values: mask every value under a sensitive key.
    std::vector<std::string> secrets;
    for (const auto& a : p->actions) {
      plan::CollectSecrets(nlohmann::ordered_json(a.before), &secrets);
      plan::CollectSecrets(nlohmann::ordered_json(a.after), &secrets);
    }
    if (g.json) {
      std::cout << plan::PlanToJson(*p, false, secrets).dump(2) << "\n";
    } else {
      plan::TextOptions t;
      t.color = UseColor(g);
      t.secrets = secrets;
      plan::PrintPlanText(*p, t, std::cout);
    }
    return kExitOk;
  }
  std::vector<std::string> known;
  auto store = OpenStore(g, false, &known, nullptr, true);
  if (!store) return NoStateOr(g, store.error());
  auto snap = (*store)->ReadSnapshot();
  if (!snap) return Fail(g, snap.error());
  if (g.json) {
    auto j = state::SnapshotToJson(*snap);
    std::vector<std::string> secrets = StateSecrets(*snap, std::move(known));
    for (auto& [a, r] : j["resources"].items()) r = Masked(r, secrets);
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "lineage " << snap->lineage << ", serial " << snap->serial << ", " << snap->resources.size() << " resources\n";
  for (const auto& [a, r] : snap->resources) {
    std::cout << "  " << a << "  " << Text(r, "last_action") << " " << Text(r, "last_outcome") << " at "
              << Text(r, "updated_at") << "\n";
  }
  return kExitOk;
}

int CmdInit(const GlobalOptions& g) {
  Diagnostics diags;
  auto ws = LoadWorkspaceOrReport(g, &diags);
  if (!ws) return kExitError;
  Status s = fs::MakeDirsInside(ws->root, ".paiplan/logs");
  if (!s.ok()) return Fail(g, s);
  auto store = OpenStateStore(ws->settings, true);
  if (!store) return Fail(g, store.error());
  auto head = (*store)->ReadHead();
  std::cout << "Initialised " << ws->root << "/.paiplan (state lineage " << (head ? head->first : "?") << ").\n";
  for (const char* tool : {"bash", "kubectl", "ssh"}) {
    std::string found;
    for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin"}) {
      if (::access((std::string(dir) + "/" + tool).c_str(), X_OK) == 0) { found = std::string(dir) + "/" + tool; break; }
    }
    std::cout << "  " << tool << ": " << (found.empty() ? "not found (services' scripts may need it)" : found) << "\n";
  }
  return kExitOk;
}

}  // namespace paiplan::cli
