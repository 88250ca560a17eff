#include "engine/cli/plan_flow.h"

#include <unistd.h>

#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/cli/review_output.h"
#include "engine/plan/attr_diff.h"
#include "engine/plan/desired.h"
#include "engine/plan/handlers.h"
#include "engine/plan/left_out.h"
#include "engine/plan/plan_io.h"
#include "engine/plan/staleness.h"
#include "providers/script/orphan_guard.h"

namespace paiplan::cli {

std::unique_ptr<Session> OpenSession(const GlobalOptions& g, bool create_state) {
  // Scripts (and status probes) must not outlive a killed paiplan.
  if (Status guard = script::StartOrphanGuard(); !guard.ok()) PrintWarning(g, guard.message());
  auto s = std::make_unique<Session>();
  Diagnostics diags;
  s->ws = LoadWorkspaceOrReport(g, &diags);
  if (!s->ws) return nullptr;
  s->rt = std::make_unique<Runtime>(g, *s->ws);
  Diagnostics pd;
  if (!s->rt->kubernetes() && !s->rt->kube_note().empty()) pd.Warning({}, s->rt->kube_note());
  for (const auto& w : s->rt->kube_warnings()) pd.Warning({}, w);
  bool ok = s->rt->Prepare(&pd);
  PrintDiagnostics(g, &pd);
  if (!ok) {
    std::cerr << "nothing was changed.\n";
    return nullptr;
  }
  s->handlers = plan::MakeHandlers(s->rt->env());
  auto store = s->rt->OpenState(create_state);
  if (!store) {
    if (store.error().code() != Code::kNotFound) {
      PrintError(g, store.error().message());
      return nullptr;
    }
    return s;  // no state yet: an empty snapshot
  }
  s->store = std::move(*store);
  auto snap = s->store->ReadSnapshot();
  if (!snap) {
    PrintError(g, snap.error().message());
    return nullptr;
  }
  s->snapshot = std::move(*snap);
  s->rt->AddRecordedSecrets(s->snapshot);
  Diagnostics od;
  if (!s->rt->BindRecordedOutputs(s->snapshot, &od)) {
    PrintDiagnostics(g, &od);
    std::cerr << "nothing was changed.\n";
    return nullptr;
  }
  return s;
}

bool SetMaxUnavailable(const GlobalOptions& g, const std::string& flag, const config::Workspace& ws,
                       plan::PlanOptions* opt) {
  auto m = flag.empty() ? plan::ParseMaxUnavailable(ws.settings.max_unavailable, fs::Join(ws.root, "paiplan.yaml") + ": rolling.max-unavailable")
                        : plan::ParseMaxUnavailable(flag, "--max-unavailable");
  if (!m) {
    PrintError(g, m.error().message() + ". Nothing was planned.");
    return false;
  }
  opt->max_unavailable = *m;
  return true;
}

plan::Plan BuildPlan(const GlobalOptions& g, Session& s, const plan::PlanOptions& opt, Diagnostics* diags,
                     std::map<std::string, plan::Observation>* observed) {
  plan::Plan p = plan::MakePlan(s.rt->desired(), s.snapshot, s.handlers, opt, diags, observed);
  p.workspace_hash = plan::WorkspaceHash(*s.ws);
  p.kubernetes = s.rt->kubernetes();
  p.created_at = NowRfc3339();
  if (!s.rt->kubernetes() && !s.rt->kube_note().empty()) p.warnings.push_back(s.rt->kube_note());
  for (const auto& w : s.rt->kube_warnings()) p.warnings.push_back(w);
  for (auto& a : p.actions) {
    if (a.kind != graph::Kind::kRender || a.type != plan::ActionType::kUpdate) continue;
    // Diff against what is on disk now (it may have been edited), else the recorded text.
    std::string file = a.after.value("file", std::string("file"));
    auto path = plan::RenderPathOf(s.rt->env().paiplan_dir, a.address);
    if (!path) continue;
    auto on_disk = fs::ReadPaiplanFile(*path);
    auto rec = s.snapshot.resources.find(a.address);
    std::string before;
    if (on_disk && on_disk->has_value()) before = **on_disk;
    else if (rec != s.snapshot.resources.end() && rec->second.contains("content")) before = rec->second["content"].get<std::string>();
    else continue;
    a.diff = plan::UnifiedDiff(before, a.content, file);
  }
  return p;
}

void ShowPlan(const GlobalOptions& g, const Session& s, const plan::Plan& p) {
  if (g.json) {
    std::cout << plan::PlanToJson(p, false, s.rt->secrets()).dump(2) << "\n";
    return;
  }
  plan::TextOptions t;
  t.color = UseColor(g);
  t.secrets = s.rt->secrets();
  t.max_failed_batches = s.ws->settings.max_failed_batches;
  plan::PrintPlanText(p, t, std::cout);
  for (const auto& e : p.errors) PrintError(g, e);
}

int CmdPlan(const GlobalOptions& g, const PlanArgs& args) {
  if (args.format == "json" && !g.json) {
    GlobalOptions j = g;
    j.json = true;
    return CmdPlan(j, args);
  }
  bool review = IsReviewFormat(args.format);
  auto s = OpenSession(g, false);
  if (!s) return kExitError;
  plan::PlanOptions opt;
  opt.refresh = args.refresh;
  opt.targets = args.targets;
  opt.excludes = args.excludes;
  opt.replace = args.replace;
  opt.operation = args.destroy ? "destroy" : "apply";
  opt.purge = args.purge;
  if (args.purge && !args.destroy) {
    PrintError(g, "--purge only goes with --destroy (paiplan plan --destroy --purge -o FILE). Nothing was planned.");
    return kExitError;
  }
  if (args.destroy && !args.replace.empty()) {
    PrintError(g, "--replace cannot be used with --destroy: a destroy plan replaces nothing. Nothing was planned.");
    return kExitError;
  }
  opt.require_all = args.require_all || s->ws->settings.require_all;
  if (!SetMaxUnavailable(g, args.max_unavailable, *s->ws, &opt)) return kExitError;
  Diagnostics diags;
  plan::Plan p = BuildPlan(g, *s, opt, &diags);
  if (diags.HasErrors()) {
    PrintDiagnostics(g, &diags);
    return kExitError;
  }
  if (!review) ShowPlan(g, *s, p);
  else if (PrintReview(g, p, s->rt->secrets(), args.format,
                       args.out_file.empty() ? "`paiplan plan`" : "`paiplan show " + args.out_file + "`") != kExitOk)
    return kExitError;
  if (!args.out_file.empty() && !p.errors.empty()) {
    PrintError(g, "the plan was not saved to " + args.out_file +
                      ": some resources could not be observed (above), and a plan made without them could undo "
                      "their work. Fix access, or leave them out with --exclude, and plan again.");
  } else if (!args.out_file.empty()) {
    plan::StampForSaving(&p, s->snapshot);
    Status st = plan::SavePlanFile(p, args.out_file);
    if (!st.ok()) {
      PrintError(g, st.message());
      return kExitError;
    }
    if (!g.json) (review ? std::cerr : std::cout) << "\nSaved the plan to " << args.out_file << "; apply it with: paiplan apply " << args.out_file << "\n";
  }
  if (!p.errors.empty()) return kExitError;
  if (!p.left_out.empty()) {
    std::cerr << "\nPartial plan: " << plan::LeftOutSummary(p)
              << " (above); the rest can be applied. --require-all stops instead.\n";
    return kExitError;
  }
  return args.detailed_exitcode && p.HasChanges() ? kExitChanges : kExitOk;
}

}  // namespace paiplan::cli
