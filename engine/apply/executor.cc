#include "engine/apply/executor.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "engine/apply/roll.h"
#include "engine/apply/scheduler.h"
#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/plan/attr_diff.h"

namespace paiplan::apply {
namespace {

using Clock = std::chrono::steady_clock;

struct Completion {
  int index;
  plan::ApplyResult result;
  double seconds;
};

// A failed attempt that will be retried, for the reporter.
struct RetryNotice {
  int index;
  int attempt;
  std::string error;
};

std::string Seconds(double s) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3g", s);
  return buf;
}

// A fixed pool of worker threads running one closure per action.
class WorkerPool {
 public:
  explicit WorkerPool(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void Submit(std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> l(mu_);
      tasks_.push_back(std::move(fn));
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        fn = std::move(tasks_.front());
        tasks_.pop_front();
      }
      fn();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
  bool stop_ = false;
};

std::string LogName(const std::string& address) {
  std::string s = address;
  for (char& c : s) if (c == '/') c = '_';
  return s + ".log";
}

bool Interrupted(const ExecOptions& o) { return o.interrupted && o.interrupted->load(); }
bool StopNow(const ExecOptions& o) { return o.stop_now && o.stop_now->load(); }

// Runs one action with retries; called on a worker thread. `on_retry` is
// told of each failed attempt that will be retried.
plan::ApplyResult RunAction(const plan::Action& a, plan::ResourceHandler& h, const ExecOptions& o,
                            const std::function<void(int, const std::string&)>& on_retry) {
  std::string log_path = fs::Join(o.logs_dir, LogName(a.address));
  // Opened without following links (path_policy.h); a log that cannot be
  // opened is not a reason to fail the action.
  auto fd = fs::OpenPaiplanFileForWrite(log_path, true);
  fs::FdWriter log(fd ? *fd : -1);
  plan::ApplyContext ctx;
  ctx.log_path = log_path;
  ctx.cancelled = o.interrupted;
  ctx.log = [&](std::string_view s) { log.Write(plan::MaskSecrets(std::string(s), o.secrets)); };
  ctx.log(std::string("# ") + a.address + ": " + plan::ActionName(a.type) + " (" + a.reason + ")\n");
  double backoff = o.backoff;
  std::string first_error;  // attempt 1's, when it was retried
  for (int attempt = 1;; ++attempt) {
    plan::ApplyResult r = h.Apply(a, ctx);
    if (r.status.ok() || !r.status.retryable() || attempt >= o.retry_attempts || Interrupted(o)) {
      // The last attempt's error, and the first's when it differs (a
      // connection lost mid-upload, then "connection refused" on every retry).
      if (!r.status.ok() && attempt > 1 && r.status.message() != first_error) {
        r.status = Status(r.status.code(), r.status.message() + " (attempt 1: " + first_error + ")");
      }
      ctx.log(r.status.ok() ? "# done\n" : "# failed: " + r.status.message() + "\n");
      return r;
    }
    if (attempt == 1) first_error = r.status.message();
    ctx.log("# attempt " + std::to_string(attempt) + " failed (" + r.status.message() + "); retrying in " +
            Seconds(backoff) + " s\n");
    on_retry(attempt, r.status.message());
    auto until = Clock::now() + std::chrono::milliseconds(int64_t(backoff * 1000));
    while (Clock::now() < until && !Interrupted(o)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
    }
    backoff = std::min(backoff * 2, o.max_backoff);
  }
}

class Coordinator {
 public:
  Coordinator(const plan::Plan& plan, plan::Handlers& handlers, state::StateStore& store,
              std::map<std::string, state::ResourceRecord> records, Reporter& reporter, const ExecOptions& o)
      : plan_(plan), handlers_(handlers), store_(store), records_(std::move(records)), reporter_(reporter), o_(o) {}

  ExecSummary Run();

 private:
  void BuildScheduler();
  void AddPools();
  void AddToBatch(const Completion& c, state::Batch* batch);
  void Settle(std::vector<Completion>& done);
  void AcknowledgeInterrupts();
  void AdvanceRoll();

  const plan::Plan& plan_;
  plan::Handlers& handlers_;
  state::StateStore& store_;
  std::map<std::string, state::ResourceRecord> records_;
  Reporter& reporter_;
  const ExecOptions& o_;
  std::vector<int> actions_;  // scheduler index → plan action index
  std::unique_ptr<Scheduler> sched_;
  std::unique_ptr<Roll> roll_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Completion> completions_;
  std::vector<RetryNotice> retries_;
  std::map<int, Clock::time_point> started_;  // running actions only
  bool acknowledged_ = false, stopped_ = false;
  ExecSummary summary_;
};

// Says at once that an interrupt was seen, and on the second one stops the
// running actions (their failures are then recorded as interrupted).
void Coordinator::AcknowledgeInterrupts() {
  if (!Interrupted(o_) && !StopNow(o_)) return;
  double longest = 0;
  for (const auto& [k, t] : started_) longest = std::max(longest, std::chrono::duration<double>(Clock::now() - t).count());
  if (!acknowledged_) {
    acknowledged_ = true;
    reporter_.Stopping(sched_->running(), longest, false);
  }
  if (StopNow(o_) && !stopped_) {
    stopped_ = true;
    if (o_.stop_running) o_.stop_running();
    reporter_.Stopping(sched_->running(), longest, true);
  }
}

void Coordinator::BuildScheduler() {
  std::map<std::string, int> idx;
  for (size_t i = 0; i < plan_.actions.size(); ++i) {
    if (plan_.actions[i].type == plan::ActionType::kNoOp) continue;
    idx[plan_.actions[i].address] = int(actions_.size());
    actions_.push_back(int(i));
  }
  std::vector<std::vector<int>> deps(actions_.size());
  std::vector<std::string> machines(actions_.size());
  for (size_t k = 0; k < actions_.size(); ++k) {
    const auto& a = plan_.actions[size_t(actions_[k])];
    machines[k] = a.machine;
    for (const auto& d : a.depends_on) {
      auto it = idx.find(d);
      if (it != idx.end()) deps[k].push_back(it->second);
    }
  }
  sched_ = std::make_unique<Scheduler>(std::move(deps), std::move(machines));
  AddPools();
  std::vector<int> batch_of(actions_.size());
  bool rolls = false;
  for (size_t k = 0; k < actions_.size(); ++k) {
    batch_of[k] = plan_.actions[size_t(actions_[k])].batch;
    rolls = rolls || batch_of[k] >= 0;
  }
  if (rolls) sched_->SetBatches(std::move(batch_of));
  roll_ = std::make_unique<Roll>(o_.max_failed_batches);
}

// Opens the next rolling batch once the open one settled, or halts the roll.
void Coordinator::AdvanceRoll() {
  bool was_halted = roll_->halted();
  auto name = [this](int k) { return plan_.actions[size_t(actions_[size_t(k)])].address; };
  for (const auto& line : roll_->Advance(*sched_, name)) reporter_.Note(line);
  if (was_halted || !roll_->halted()) return;
  summary_.roll_halted = roll_->halt_reason();
  for (int k : roll_->not_started())
    summary_.outcomes[size_t(actions_[size_t(k)])].error = "not started: the rolling replacement " + roll_->halt_reason();
}

// The service an action belongs to ("" for nodes, labels, the cluster config).
std::string ServiceOf(const std::string& address) {
  for (const char* prefix : {"service.", "render.", "object."}) {
    std::string p(prefix);
    if (address.starts_with(p)) return address.substr(p.size(), address.find('/') == std::string::npos
                                                                     ? std::string::npos
                                                                     : address.find('/') - p.size());
  }
  return "";
}

void Coordinator::AddPools() {
  std::map<std::string, std::vector<int>> by_service;
  std::vector<int> kube;
  for (size_t k = 0; k < actions_.size(); ++k) {
    const std::string& addr = plan_.actions[size_t(actions_[k])].address;
    if (std::string s = ServiceOf(addr); !s.empty()) by_service[s].push_back(int(k));
    if (addr.starts_with("label.") || addr.starts_with("config.") || addr.starts_with("object.")) kube.push_back(int(k));
  }
  if (o_.actions_per_service > 0)
    for (const auto& [svc, members] : by_service)
      if (int(members.size()) > o_.actions_per_service) sched_->AddPool(o_.actions_per_service, members);
  if (o_.kube_writes > 0 && int(kube.size()) > o_.kube_writes) sched_->AddPool(o_.kube_writes, kube);
}

void Coordinator::AddToBatch(const Completion& c, state::Batch* batch) {
  const auto& a = plan_.actions[size_t(actions_[size_t(c.index)])];
  if (c.result.status.ok()) {
    for (const auto& p : c.result.batch.puts) {
      batch->puts.push_back(p);
      // A saved plan's own records carry its id: re-applying it resumes (staleness.h).
      if (p.first == a.address && batch->puts.back().second.is_object()) {
        if (plan_.id.empty()) batch->puts.back().second.erase("applied_plan");
        else batch->puts.back().second["applied_plan"] = plan_.id;
      }
      records_[p.first] = batch->puts.back().second;
    }
    for (const auto& d : c.result.batch.deletes) {
      batch->deletes.push_back(d);
      records_.erase(d);
    }
    // A changed render owes its service a refresh, recorded in the same
    // transaction, so a failed refresh is still pending next time. Restoring
    // an edited file to the recorded content (drift repair) changes nothing
    // the service has not already seen, so it owes nothing.
    // (Only a written render has an `after` object: value() on the null
    // `after` of a delete throws.)
    bool written = a.kind == graph::Kind::kRender && a.type != plan::ActionType::kDelete && a.after.is_object();
    bool content_changed = written && (!a.before.is_object() ||
                                       a.before.value("sha256", "") != a.after.value("sha256", ""));
    if (content_changed) {
      std::string svc = "service." + a.after.value("service", std::string());
      auto it = records_.find(svc);
      if (it != records_.end()) {
        auto& pend = it->second["pending"];
        std::string why = "rendered " + a.after.value("file", std::string()) + " changed";
        if (!pend.is_array()) pend = nlohmann::json::array();
        if (std::find(pend.begin(), pend.end(), why) == pend.end()) pend.push_back(why);
        batch->puts.emplace_back(svc, it->second);
      }
    }
    return;
  }
  auto it = records_.find(a.address);
  state::ResourceRecord rec = it != records_.end() ? it->second
                                                   : state::ResourceRecord{{"kind", graph::KindName(a.kind)},
                                                                           {"attributes", nullptr}, {"hash", ""}};
  rec["last_action"] = plan::ActionName(a.type);
  rec["last_outcome"] = "failed";
  rec["error"] = plan::MaskSecrets(c.result.status.message().substr(0, 2000), o_.secrets);
  if (stopped_) rec["interrupted"] = true;  // stopped by a second Ctrl-C: not done, runs again next time
  else rec.erase("interrupted");
  if (plan_.id.empty()) rec.erase("applied_plan");
  else rec["applied_plan"] = plan_.id;
  rec["updated_at"] = o_.now();
  if (!a.machine.empty()) rec["machine"] = a.machine;
  if (!rec.contains("depends_on")) rec["depends_on"] = a.resource_deps;
  records_[a.address] = rec;
  batch->puts.emplace_back(a.address, rec);
}

void Coordinator::Settle(std::vector<Completion>& done) {
  state::Batch batch;
  for (const auto& c : done) {
    started_.erase(c.index);
    AddToBatch(c, &batch);
  }
  if (!batch.empty()) {
    auto r = store_.Commit(batch);
    if (!r) summary_.state_error = r.error();
  }
  for (auto& c : done) {
    const auto& a = plan_.actions[size_t(actions_[size_t(c.index)])];
    bool ok = c.result.status.ok() && summary_.state_error.ok();
    std::string err = c.result.status.ok() ? summary_.state_error.message() : c.result.status.message();
    reporter_.Finished(a, ok, c.seconds, plan::MaskSecrets(err, o_.secrets));
    auto& out = summary_.outcomes[size_t(actions_[size_t(c.index)])];
    out.outcome = ok ? "done" : stopped_ ? "interrupted" : "failed";
    out.error = ok ? "" : plan::MaskSecrets(err, o_.secrets);
    out.seconds = c.seconds;
    if (ok) {
      sched_->Succeeded(c.index);
      continue;
    }
    for (int s : sched_->Failed(c.index)) {
      const auto& sa = plan_.actions[size_t(actions_[size_t(s)])];
      reporter_.Skipped(sa, a.address);
      summary_.outcomes[size_t(actions_[size_t(s)])].outcome = "skipped";
      summary_.outcomes[size_t(actions_[size_t(s)])].error = "upstream " + a.address + " failed";
    }
  }
  AdvanceRoll();
}

ExecSummary Coordinator::Run() {
  BuildScheduler();
  for (const auto& a : plan_.actions) summary_.outcomes.push_back({a.address, plan::ActionName(a.type),
                                                                   a.type == plan::ActionType::kNoOp ? "no-op" : "not started", "", 0});
  (void)fs::MakePaiplanDirs(o_.logs_dir);
  AdvanceRoll();  // batches an earlier run of the saved plan finished are empty
  int total = int(actions_.size());
  {
    WorkerPool pool(std::max(1, std::min(o_.parallelism, std::max(total, 1))));
    for (;;) {
      bool stop = Interrupted(o_) || !summary_.state_error.ok() ||
                  (!o_.keep_going && sched_->Count(TaskState::kFailed) > 0);
      while (!stop) {
        int k = sched_->Next();
        if (k < 0) break;
        const auto& a = plan_.actions[size_t(actions_[size_t(k)])];
        reporter_.Started(a);
        started_[k] = Clock::now();
        auto& h = *handlers_.at(a.kind);
        pool.Submit([this, k, &a, &h, t0 = started_[k]] {
          auto on_retry = [this, k](int attempt, const std::string& error) {
            {
              std::lock_guard<std::mutex> l(mu_);
              retries_.push_back({k, attempt, error});
            }
            cv_.notify_one();
          };
          plan::ApplyResult r = RunAction(a, h, o_, on_retry);
          double secs = std::chrono::duration<double>(Clock::now() - t0).count();
          {
            std::lock_guard<std::mutex> l(mu_);
            completions_.push_back({k, std::move(r), secs});
          }
          cv_.notify_one();
        });
        if (sched_->running() >= o_.parallelism) break;
      }
      if (sched_->running() == 0) break;
      AcknowledgeInterrupts();
      if (!acknowledged_) reporter_.Progress(sched_->Count(TaskState::kDone), sched_->Count(TaskState::kFailed),
                         sched_->Count(TaskState::kSkipped), sched_->running(), total);
      std::vector<Completion> done;
      std::vector<RetryNotice> retries;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait_for(l, std::chrono::milliseconds(200), [&] { return !completions_.empty() || !retries_.empty(); });
        done.swap(completions_);
        retries.swap(retries_);
      }
      for (const auto& r : retries) {
        reporter_.Retrying(plan_.actions[size_t(actions_[size_t(r.index)])], r.attempt,
                           plan::MaskSecrets(r.error, o_.secrets));
      }
      if (!done.empty()) Settle(done);
    }
  }
  summary_.interrupted = Interrupted(o_);
  summary_.failed_batches = roll_->failed_batches();
  for (const auto& out : summary_.outcomes) {
    if (out.outcome == "done") ++summary_.done;
    else if (out.outcome == "failed") ++summary_.failed;
    else if (out.outcome == "interrupted") ++summary_.failed, ++summary_.interrupted_actions;
    else if (out.outcome == "skipped") ++summary_.skipped;
    else if (out.outcome == "not started") ++summary_.not_started;
  }
  return summary_;
}

}  // namespace

ExecSummary Execute(const plan::Plan& plan, plan::Handlers& handlers, state::StateStore& store,
                    std::map<std::string, state::ResourceRecord> records, Reporter& reporter,
                    const ExecOptions& options) {
  Coordinator c(plan, handlers, store, std::move(records), reporter, options);
  return c.Run();
}

}  // namespace paiplan::apply
