// `paiplan drift`: refresh-only comparison of observed and recorded state,
// for nightly CI (exit 0 none, 2 drift, 1 error), and
// `paiplan apply --refresh-only`: accept observed reality into the state.
#include <fnmatch.h>

#include <fstream>

#include "engine/base/fs.h"
#include "engine/cli/plan_flow.h"
#include "engine/plan/attr_diff.h"

namespace paiplan::cli {
namespace {

struct DriftEntry {
  std::string address, kind, status;  // status: drifted | ignored | unobservable | ok
  std::string detail, reason, last_applied;
};

std::string XmlEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

const config::DriftIgnoreRule* Ignored(const config::Settings& s, const DriftEntry& e) {
  for (const auto& r : s.drift_ignore) {
    if (fnmatch(r.address.c_str(), e.address.c_str(), 0) != 0) continue;
    if (!r.attribute.empty() && fnmatch(("*" + r.attribute + "*").c_str(), e.detail.c_str(), 0) != 0) continue;
    return &r;
  }
  return nullptr;
}

std::vector<DriftEntry> Collect(Session& s, const std::map<std::string, plan::Observation>& observed) {
  std::vector<DriftEntry> out;
  for (const auto& [addr, rec] : s.snapshot.resources) {
    auto kind = graph::KindOfAddress(addr);
    if (!kind) continue;
    DriftEntry e{addr, graph::KindName(*kind), "ok", "", "", rec.value("updated_at", "")};
    auto o = observed.find(addr);
    if (rec.value("last_outcome", "success") == "failed") {
      e.status = "drifted";
      e.detail = "last apply failed: " + rec.value("error", std::string("?")).substr(0, 200);
    } else if (o != observed.end() && !o->second.observed && !o->second.error.empty()) {
      e.status = "unobservable";
      e.detail = o->second.error;
    } else if (o != observed.end() && o->second.observed) {
      e.detail = s.handlers.at(*kind)->DescribeDrift(rec, o->second);
      if (!e.detail.empty()) e.status = "drifted";
    }
    if (e.status == "drifted") {
      if (const auto* r = Ignored(s.ws->settings, e)) {
        e.status = "ignored";
        e.reason = r->reason;
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

Status WriteJunit(const std::string& path, const std::vector<DriftEntry>& entries) {
  int failures = 0, skipped = 0, errors = 0;
  for (const auto& e : entries) {
    failures += e.status == "drifted";
    skipped += e.status == "ignored";
    errors += e.status == "unobservable";
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"paiplan drift\" tests=\"" +
                  std::to_string(entries.size()) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
                  std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) + "\">\n";
  for (const auto& e : entries) {
    x += "  <testcase classname=\"" + e.kind + "\" name=\"" + XmlEscape(e.address) + "\">";
    if (e.status == "drifted") x += "<failure message=\"" + XmlEscape(e.detail) + "\"/>";
    if (e.status == "unobservable") x += "<error message=\"" + XmlEscape(e.detail) + "\"/>";
    if (e.status == "ignored") x += "<skipped message=\"ignored (" + XmlEscape(e.reason) + "): " + XmlEscape(e.detail) + "\"/>";
    x += "</testcase>\n";
  }
  x += "</testsuite>\n</testsuites>\n";
  return fs::WriteFileAtomic(path, x, 0644);
}

}  // namespace

int CmdDrift(const GlobalOptions& g, const std::string& junit) {
  auto s = OpenSession(g, false);
  if (!s) return kExitError;
  std::map<std::string, plan::Observation> observed;
  Diagnostics diags;
  plan::PlanOptions opt;
  opt.operation = "refresh-only";
  BuildPlan(g, *s, opt, &diags, &observed);
  auto entries = Collect(*s, observed);
  int drifted = 0, ignored = 0, unobservable = 0;
  for (auto& e : entries) {
    e.detail = plan::MaskSecrets(e.detail, s->rt->secrets());
    drifted += e.status == "drifted";
    ignored += e.status == "ignored";
    unobservable += e.status == "unobservable";
  }
  if (!junit.empty()) {
    Status st = WriteJunit(junit, entries);
    if (!st.ok()) PrintError(g, st.message());
  }
  if (g.json) {
    nlohmann::ordered_json j = {{"format_version", 1}, {"lineage", s->snapshot.lineage}, {"serial", s->snapshot.serial},
                                {"checked", entries.size()}, {"drifted", drifted}, {"ignored", ignored},
                                {"unobservable", unobservable}, {"resources", nlohmann::ordered_json::array()}};
    for (const auto& e : entries) {
      if (e.status == "ok") continue;
      nlohmann::ordered_json r = {{"address", e.address}, {"kind", e.kind}, {"status", e.status},
                                  {"detail", e.detail}, {"last_applied", e.last_applied}};
      if (!e.reason.empty()) r["ignore_reason"] = e.reason;
      j["resources"].push_back(r);
    }
    std::cout << j.dump(2) << "\n";
  } else {
    for (const auto& e : entries) {
      if (e.status == "ok") continue;
      std::string tag = e.status == "drifted" ? "DRIFT  " : e.status == "ignored" ? "ignored" : "UNKNOWN";
      std::cout << tag << "  " << e.address << " (" << e.kind << "): " << e.detail;
      if (!e.reason.empty()) std::cout << " — ignored: " << e.reason;
      if (!e.last_applied.empty()) std::cout << "  [last applied " << e.last_applied << "]";
      std::cout << "\n";
    }
    std::cout << "Drift: " << drifted << " drifted, " << ignored << " ignored, " << unobservable
              << " could not be observed, " << entries.size() << " resources checked.\n";
    if (drifted) std::cout << "Run `paiplan plan` to see the repair, or `paiplan apply --refresh-only` to accept what is there now.\n";
  }
  if (unobservable) return kExitError;
  return drifted ? kExitChanges : kExitOk;
}

// Accepts observed reality: records what is there now for drifted resources.
int RefreshOnly(const GlobalOptions& g, const ApplyArgs& a, Session& s) {
  std::map<std::string, plan::Observation> observed;
  Diagnostics diags;
  plan::PlanOptions opt;
  opt.operation = "refresh-only";
  BuildPlan(g, s, opt, &diags, &observed);
  state::Batch batch;
  for (const auto& [addr, rec] : s.snapshot.resources) {
    auto kind = graph::KindOfAddress(addr);
    auto o = observed.find(addr);
    if (!kind || o == observed.end() || !o->second.observed) continue;
    // A failed action recorded no attributes: nothing to accept (and the
    // handlers' DescribeDrift needs them); the next plan retries it.
    if (rec.value("last_outcome", "success") == "failed" || !rec.contains("attributes") ||
        !rec["attributes"].is_object()) {
      continue;
    }
    std::string d = s.handlers.at(*kind)->DescribeDrift(rec, o->second);
    if (d.empty()) continue;
    std::cout << "~ " << addr << ": " << plan::MaskSecrets(d, s.rt->secrets()) << "\n";
    if (!o->second.exists) {
      batch.deletes.push_back(addr);
      continue;
    }
    state::ResourceRecord r = rec;
    r["hash"] = o->second.hash;
    if (*kind == graph::Kind::kLabel) r["attributes"]["labels"] = o->second.attributes["labels"];
    r["last_action"] = "refresh";
    r["updated_at"] = NowRfc3339();
    batch.puts.emplace_back(addr, r);
  }
  if (batch.empty()) {
    std::cout << "No drift: the state already matches what is observed.\n";
    return kExitOk;
  }
  if (!a.auto_approve) {
    std::cout << "\nAccept these observations into the state? Only 'yes' will be accepted.\n  Enter a value: " << std::flush;
    std::string answer;
    if (!::isatty(0) || !std::getline(std::cin, answer) || answer != "yes") {
      PrintError(g, "refresh-only apply needs approval (a TTY answer 'yes', or --auto-approve); nothing was changed");
      return kExitError;
    }
  }
  auto r = s.store->Commit(batch);
  if (!r) {
    PrintError(g, r.error().message());
    return kExitError;
  }
  std::cout << "Recorded " << batch.puts.size() + batch.deletes.size() << " observations (serial " << *r << ").\n";
  return kExitOk;
}

}  // namespace paiplan::cli
