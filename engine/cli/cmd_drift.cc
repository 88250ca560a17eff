// `paiplan drift`: refresh-only comparison of observed and recorded state,
// for nightly CI (exit 0 none, 2 drift, 1 error), and
// `paiplan apply --refresh-only`: accept observed reality into the state.
#include <unistd.h>

#include "engine/cli/drift_report.h"
#include "engine/cli/plan_flow.h"
#include "engine/plan/attr_diff.h"

namespace paiplan::cli {
namespace {

// A state with no commit yet (never applied, or `init` only) or none at all:
// nothing to compare with, which for a nightly check is an error, not "no drift".
bool NoRecordedState(const Session& s) {
  return !s.store || (s.snapshot.serial == 0 && s.snapshot.resources.empty());
}

}  // namespace

int CmdDrift(const GlobalOptions& g, const std::string& junit) {
  auto s = OpenSession(g, false);
  if (!s) return kExitError;
  if (NoRecordedState(*s)) {
    PrintError(g, "no recorded state for the workspace " + s->ws->root +
                      ": nothing to compare with; run `paiplan apply` first, or check -C (wrong directory?) "
                      "and the state backend in paiplan.yaml");
    return kExitError;
  }
  std::map<std::string, plan::Observation> observed;
  Diagnostics diags;
  plan::PlanOptions opt;
  opt.operation = "refresh-only";
  BuildPlan(g, *s, opt, &diags, &observed);
  DriftReport report =
      MakeDriftReport(s->snapshot, s->handlers, observed, s->ws->settings.drift_ignore, s->rt->secrets());
  bool junit_failed = false;
  if (!junit.empty()) {
    Status st = WriteDriftJunit(report, junit);
    if (!st.ok()) {
      PrintError(g, "cannot write the JUnit report: " + st.message());
      junit_failed = true;
    }
  }
  if (g.json) std::cout << DriftToJson(report).dump(2) << "\n";
  else PrintDriftText(report, std::cout);
  if (junit_failed || report.Count("unobservable")) return kExitError;
  return report.Count("drifted") ? kExitChanges : kExitOk;
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
    if (*kind == graph::Kind::kService) {
      // A failed status probe is not a value to record: only a repair helps.
      std::cout << "  " << addr << ": " << plan::MaskSecrets(d, s.rt->secrets())
                << " (not accepted: run `paiplan apply` to start it again)\n";
      continue;
    }
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
  size_t n = batch.puts.size() + batch.deletes.size();
  std::cout << "Recorded " << n << (n == 1 ? " observation" : " observations") << " (serial " << *r << ").\n";
  return kExitOk;
}

}  // namespace paiplan::cli
