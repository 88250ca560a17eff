// `paiplan apply [FILE]` and `paiplan destroy`: plan (or load a saved plan),
// get approval, take the state lock, execute, record history.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "engine/apply/executor.h"
#include "engine/apply/json_events.h"
#include "engine/base/fs.h"
#include "engine/cli/lock_wait.h"
#include "engine/cli/plan_flow.h"
#include "engine/plan/left_out.h"
#include "engine/plan/plan_io.h"
#include "engine/plan/staleness.h"
#include "engine/plan/desired.h"
#include "providers/script/orphan_guard.h"
#include "providers/ssh/ssh_transport.h"

namespace paiplan::cli {
namespace {

std::atomic<bool> g_interrupted{false};
// --json: the event stream (docs/apply-json.md); null for text output.
apply::EventStream* g_events = nullptr;
bool g_summary_emitted = false;
std::atomic<bool> g_stop_now{false};  // a second SIGINT/SIGTERM

void OnSignal(int) {
  if (g_interrupted.exchange(true)) g_stop_now.store(true);
}

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a prompt's read returns on Ctrl-C
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Asks on the TTY; true only for the exact `expected` answer.
bool Confirm(const std::string& question, const std::string& expected) {
  std::cout << question << "\n  Only '" << expected << "' will be accepted.\n\n  Enter a value: " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer) || g_interrupted.load()) return false;
  return answer == expected;
}

// What a failed state write means for the apply (the executor starts nothing
// after it; what was committed before stays).
std::string StateErrorConsequence() {
  return " — the apply stopped there: the actions recorded before it are kept, and the next apply runs the "
         "rest (the actions whose results were not recorded run again)";
}

std::string ApplyId() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  return NowRfc3339().substr(0, 19) + "-" + buf;
}

// Approval: --auto-approve, or "yes" on a TTY. Returns an exit code < 0 to go on.
int Approve(const GlobalOptions& g, const ApplyArgs& a, const plan::Plan& p) {
  if (a.auto_approve) return -1;  // --purge with --auto-approve: both flags are explicit
  if (!::isatty(0)) {
    PrintError(g, std::string("refusing to ") + (a.destroy ? "destroy" : "apply") +
                      " without approval: standard input is not a terminal. Review the plan and re-run with "
                      "--auto-approve, or save it with `paiplan plan " +
                      (a.destroy ? std::string("--destroy ") + (a.purge ? "--purge " : "") : std::string()) +
                      "-o FILE` and run `paiplan apply FILE`.");
    return kExitError;
  }
  std::string q = a.destroy ? "Do you really want to destroy all resources paiplan manages in this cluster?"
                            : "Do you want to perform these actions?";
  if (!Confirm(q, "yes")) {
    std::cout << (a.destroy ? "\nDestroy" : "\nApply") << " cancelled; nothing was changed.\n";
    return g_interrupted.load() ? kExitInterrupted : kExitError;
  }
  if (a.purge && !Confirm("--purge runs delete-scripts, which DESTROY the services' data. Type 'purge' to confirm.", "purge")) {
    std::cout << "\nDestroy cancelled; nothing was changed.\n";
    return kExitError;
  }
  return -1;
}

// The plan to run: loaded from FILE (refused when stale) or made now.
std::optional<plan::Plan> GetPlan(const GlobalOptions& g, const ApplyArgs& a, Session& s, int* exit_code) {
  *exit_code = kExitError;
  if (!a.plan_file.empty()) {
    if (!a.targets.empty() || !a.excludes.empty() || !a.replace.empty()) {
      PrintError(g, "--target, --exclude and --replace cannot be used with a saved plan: " + a.plan_file +
                        " already fixes what will be done. Nothing was changed; make a new plan with: paiplan plan -o " +
                        a.plan_file + " --target ADDR (or --replace ADDR)");
      return std::nullopt;
    }
    auto p = plan::LoadPlanFile(a.plan_file);
    if (!p) {
      PrintError(g, p.error().message());
      return std::nullopt;
    }
    std::string why;
    bool ws_changed = p->workspace_hash != plan::WorkspaceHash(*s.ws);
    if (!p->id.empty()) {
      // Per object: only what the plan touches must be as it was (staleness.h).
      if (!p->lineage.empty() && p->lineage != s.snapshot.lineage)
        why = "it was made for another state (lineage " + p->lineage + ", the state is " + s.snapshot.lineage + ")";
      else if (auto c = plan::CheckSavedPlan(&*p, s.snapshot, s.rt->desired(), ws_changed); !c.stale.empty())
        why = c.stale;
      else if (c.done > 0)
        std::cout << "Resuming " << a.plan_file << ": " << c.done << (c.done == 1 ? " action was" : " actions were")
                  << " done by an earlier run of this plan and " << (c.done == 1 ? "is" : "are") << " skipped.\n";
    } else if (ws_changed) why = "the workspace files changed since the plan was made";
    else if (p->lineage.empty() && s.snapshot.serial != 0)
      why = "it was made before the state existed, and the state changed since (now serial " +
            std::to_string(s.snapshot.serial) + ")";
    else if (p->lineage != s.snapshot.lineage && !p->lineage.empty())
      why = "it was made for another state (lineage " + p->lineage + ", the state is " + s.snapshot.lineage + ")";
    else if (p->serial != s.snapshot.serial)
      why = "the state changed since the plan was made (serial " + std::to_string(p->serial) + ", now " +
            std::to_string(s.snapshot.serial) + ")";
    if (!why.empty()) {
      PrintError(g, "plan is stale: " + why + ". Nothing was changed; make a new plan with: paiplan plan " +
                        (p->operation == "destroy" ? "--destroy " : "") + "-o " + a.plan_file);
      return std::nullopt;
    }
    if (!p->errors.empty()) {
      PrintError(g, "the saved plan " + a.plan_file + " has errors (some resources could not be observed): " +
                        p->errors.front() + ". Nothing was changed; fix access and make a new plan.");
      return std::nullopt;
    }
    return std::move(*p);
  }
  plan::PlanOptions opt;
  opt.operation = a.destroy ? "destroy" : "apply";
  opt.purge = a.purge;
  opt.targets = a.targets;
  opt.excludes = a.excludes;
  opt.replace = a.replace;
  opt.require_all = a.require_all || s.ws->settings.require_all;
  if (!SetMaxUnavailable(g, a.max_unavailable, *s.ws, &opt)) return std::nullopt;
  Diagnostics diags;
  plan::Plan p = BuildPlan(g, s, opt, &diags);
  if (diags.HasErrors()) {
    PrintDiagnostics(g, &diags);
    return std::nullopt;
  }
  if (!g_events) ShowPlan(g, s, p);
  else for (const auto& e : p.errors) PrintError(g, e);
  if (!p.errors.empty()) {
    PrintError(g, "some resources could not be observed (above) and --require-all (or require-all in paiplan.yaml) "
                  "asks for all or nothing; nothing was changed. Fix access, or apply without it to leave them out.");
    return std::nullopt;
  }
  *exit_code = kExitOk;
  return p;
}

// The --json stream's last event (docs/apply-json.md): `line` is the text summary.
void EmitSummary(const std::string& operation, const std::string& id, const apply::ExecSummary& sum,
                 const std::string& line, const std::string& logs, const Status& history) {
  bool problems = sum.failed || sum.interrupted || !sum.state_error.ok();
  nlohmann::ordered_json j = {{"operation", operation}, {"id", id},
                              {"outcome", sum.interrupted ? "interrupted" : problems ? "problems" : "complete"},
                              {"message", line}, {"done", sum.done}, {"failed", sum.failed}, {"skipped", sum.skipped},
                              {"not_started", sum.not_started}, {"logs", logs},
                              {"warnings", nlohmann::json::array()}, {"actions", nlohmann::json::array()}};
  if (!history.ok()) j["warnings"].push_back("history not recorded: " + history.message());
  if (!sum.state_error.ok())
    j["warnings"].push_back("could not record to the state: " + sum.state_error.message() + StateErrorConsequence());
  for (const auto& x : sum.outcomes) {
    if (x.outcome != "no-op") j["actions"].push_back({{"address", x.address}, {"action", x.action}, {"outcome", x.outcome}, {"error", x.error}});
  }
  g_events->Emit("summary", j);
  g_summary_emitted = true;
}

int Execute(const GlobalOptions& g, const ApplyArgs& a, Session& s, const plan::Plan& p, const state::LockInfo& lock) {
  const auto& st = s.ws->settings;
  apply::ExecOptions o;
  o.parallelism = a.parallelism > 0 ? a.parallelism : st.parallelism;
  o.retry_attempts = st.retry_attempts;
  o.backoff = st.retry_backoff;
  o.max_backoff = st.retry_max_backoff;
  o.keep_going = a.keep_going;
  o.actions_per_service = st.actions_per_service;
  o.kube_writes = st.kube_writes;
  o.max_failed_batches = st.max_failed_batches;
  std::string id = ApplyId();
  o.logs_dir = fs::Join(s.rt->env().paiplan_dir, "logs/" + id);
  o.secrets = s.rt->secrets();
  o.now = NowRfc3339;
  o.interrupted = &g_interrupted;
  o.stop_now = &g_stop_now;
  o.stop_running = [] {
    script::TerminateRunningGroups(3000);
    providers::ssh::AbortRunningCommands();
  };
  apply::TextReporter text_reporter(std::cout, UseColor(g), ::isatty(1) && !g.json);
  std::optional<apply::JsonReporter> json_reporter;
  if (g_events) json_reporter.emplace(*g_events);
  apply::Reporter& reporter = g_events ? static_cast<apply::Reporter&>(*json_reporter) : text_reporter;
  std::string started = NowRfc3339();
  auto sum = apply::Execute(p, s.handlers, *s.store, s.snapshot.resources, reporter, o);
  nlohmann::json hist = {{"id", id}, {"operation", p.operation}, {"who", lock.who + "@" + lock.host},
                         {"started", started}, {"finished", NowRfc3339()}, {"actions", nlohmann::json::array()}};
  for (const auto& x : sum.outcomes) {
    if (x.outcome == "no-op") continue;
    hist["actions"].push_back({{"address", x.address}, {"action", x.action}, {"outcome", x.outcome}});
  }
  // The resources are recorded already; a lost history entry is worth a
  // warning, not a failed apply.
  Status history = s.store->AppendHistory(hist);
  std::ostream& out = g.json ? std::cerr : std::cout;
  out << "\n";
  if (!sum.state_error.ok())
    PrintError(g, "could not record to the state: " + sum.state_error.message() + StateErrorConsequence());
  if (!history.ok()) PrintWarning(g, "could not record apply " + id + " in the state's history: " + history.message());
  for (const auto& x : sum.outcomes) {
    if (x.outcome == "failed") PrintError(g, x.address + ": " + x.error);
  }
  bool problems = sum.failed || sum.interrupted || !sum.state_error.ok();
  std::string verb = p.operation == "destroy" ? "Destroy" : "Apply";
  std::string line = verb + (problems ? " finished with problems. " : " complete! ") + "Actions: " +
                     std::to_string(sum.done) + " done, " + std::to_string(sum.failed) + " failed, " +
                     std::to_string(sum.skipped) + " skipped, " + std::to_string(sum.not_started) + " not started" +
                     (sum.interrupted_actions ? " (" + std::to_string(sum.interrupted_actions) +
                                                    " of the failed were interrupted)" : "") + ".";
  out << line << " Logs: " << o.logs_dir << "\n";
  if (!sum.roll_halted.empty()) {
    out << "Rolling replacement " << sum.roll_halted << "; the later "
        << "batches were not started. Fix what failed, then run the same apply again to continue"
        << (p.id.empty() || a.plan_file.empty() ? "" : " (`paiplan apply " + a.plan_file + "` resumes the plan)")
        << ".\n";
  }
  if (g_events) EmitSummary(p.operation, id, sum, line, o.logs_dir, history);
  if (!p.left_out.empty() && !sum.interrupted) {
    out << "Partial apply: " << plan::LeftOutSummary(p) << "; they were not changed. Run `paiplan apply` again "
        << "once they can be reached.\n";
    return kExitError;
  }
  if (sum.interrupted) {
    if (g_stop_now.load()) {
      out << "Interrupted twice: running actions were stopped and recorded as interrupted (not done); run "
             "`paiplan plan` to see what remains.\n";
    } else {
      out << "Interrupted: running actions were allowed to finish and were recorded; run `paiplan plan` to see what "
             "remains.\n";
    }
    return kExitInterrupted;
  }
  return sum.failed || !sum.state_error.ok() ? kExitError : kExitOk;
}

}  // namespace

int RefreshOnly(const GlobalOptions& g, const ApplyArgs& a, Session& s);

namespace {

int ApplyOrDestroy(const GlobalOptions& g, const ApplyArgs& a) {
  auto s = OpenSession(g, true);
  if (!s) return kExitError;
  if (g_events) g_events->set_secrets(s->rt->secrets());
  auto lock = LockState(g, *s->store, a.destroy ? "destroy" : a.refresh_only ? "apply -refresh-only" : "apply",
                        s->ws->settings.lock_timeout, &g_interrupted);
  if (!lock) {
    PrintError(g, lock.error().message());
    return kExitError;
  }
  struct Unlock {
    state::StateStore* st; std::string id;
    ~Unlock() { (void)st->Unlock(id); }
  } unlock{s->store.get(), lock->id};
  // Re-read under the lock: another apply may have committed since.
  auto snap = s->store->ReadSnapshot();
  if (!snap) {
    PrintError(g, snap.error().message());
    return kExitError;
  }
  s->snapshot = std::move(*snap);
  s->rt->env().force_conflicts = a.force_conflicts;
  Diagnostics od;
  if (!s->rt->BindRecordedOutputs(s->snapshot, &od)) {
    PrintDiagnostics(g, &od);
    return kExitError;
  }
  if (a.refresh_only) return RefreshOnly(g, a, *s);
  int code;
  auto p = GetPlan(g, a, *s, &code);
  if (!p) return code;
  if (g_events) apply::EmitPlanned(*g_events, *p);
  if (!p->HasChanges()) {
    if (!a.plan_file.empty()) std::cout << "The saved plan has no changes.\n";
    if (g_events) g_events->Emit("summary", {{"operation", p->operation}, {"outcome", "complete"}, {"message", "No changes."},
                                             {"done", 0}, {"failed", 0}, {"skipped", 0}, {"not_started", 0}});
    g_summary_emitted = g_events != nullptr;
    if (p->left_out.empty()) return kExitOk;
    std::cout << "Partial: " << plan::LeftOutSummary(*p) << "; nothing else to do.\n";
    return kExitError;
  }
  if (a.plan_file.empty()) {
    int c = Approve(g, a, *p);
    if (c >= 0) return c;
  }
  if (g_interrupted.load()) return kExitInterrupted;
  std::cout << "\n";
  return Execute(g, a, *s, *p, *lock);
}

}  // namespace

int CmdApply(const GlobalOptions& g, const ApplyArgs& a) {
  InstallSignalHandlers();
  if (!g.json || a.refresh_only) return ApplyOrDestroy(g, a);
  if (a.plan_file.empty() && !a.auto_approve) {
    PrintError(g, std::string("--json ") + (a.destroy ? "destroy" : "apply") +
                      " cannot ask for approval: add --auto-approve, or apply a saved plan (paiplan plan " +
                      (a.destroy ? "--destroy " : "") + "-o FILE, then paiplan --json apply FILE). Nothing was changed.");
    return kExitError;
  }
  // stdout carries only the event stream: it gets a private descriptor, and
  // everything else written to stdout (ours, and scripts' inherited) goes to stderr.
  std::cout.flush();
  int fd = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
  if (fd < 0 || ::dup2(2, 1) < 0) {
    PrintError(g, std::string("cannot set up the --json stream on stdout: ") + std::strerror(errno));
    return kExitError;
  }
  apply::EventStream events(fd, {}, NowRfc3339);
  g_events = &events;
  int code = ApplyOrDestroy(g, a);
  if (!g_summary_emitted) {
    events.Emit("summary", {{"operation", a.destroy ? "destroy" : "apply"}, {"outcome", "error"},
                            {"message", "nothing was applied: see the error on stderr"}, {"exit_code", code}});
  }
  g_events = nullptr;
  ::close(fd);
  return code;
}

}  // namespace paiplan::cli
