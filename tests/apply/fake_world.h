// A fake environment for executor tests: one FakeHandler per resource kind,
// all sharing a FakeWorld that records every Apply call with sequence
// numbers, tracks concurrency (overall and per machine), and checks inside
// each Apply that every prerequisite's record is already committed to the
// store. Behaviours per address: fail, fail transiently N times, block until
// released, or run a hook.
//
// Thread-safety: every member is guarded by mu; Apply runs on the
// executor's worker threads, tests call the rest from the test thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/apply/reporter.h"
#include "engine/plan/env.h"
#include "engine/plan/planner.h"
#include "state/memory_store.h"

namespace paiplan::apply::testing {

struct Behavior {
  bool fail = false;          // FailedPrecondition every time
  int transient = 0;          // the first N attempts fail with Unavailable
  bool block = false;         // wait until Release(address)
  std::function<void()> hook = nullptr;  // runs (without the lock) before returning
  std::string message = "boom";
};

struct Call {
  std::string address;
  int attempt = 0;
  int start_seq = 0;
  int end_seq = 0;
  bool cancelled_flag_seen = false;  // ctx.cancelled was wired
};

class FakeWorld {
 public:
  explicit FakeWorld(state::StateStore* store) : store_(store) {}

  void Set(const std::string& address, Behavior b) {
    std::lock_guard<std::mutex> l(mu);
    behaviors_[address] = std::move(b);
  }
  void Release(const std::string& address) {
    {
      std::lock_guard<std::mutex> l(mu);
      released_.insert(address);
    }
    cv.notify_all();
  }
  // Waits (at most a generous hang guard, not a timing assertion) until
  // `address` has started an attempt. False on the guard.
  bool WaitStarted(const std::string& address, std::chrono::seconds guard = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> l(mu);
    return cv.wait_for(l, guard, [&] { return started_.count(address) > 0; });
  }
  bool WaitFinished(const std::string& address, std::chrono::seconds guard = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> l(mu);
    return cv.wait_for(l, guard, [&] { return finished_.count(address) > 0; });
  }
  // Every action waits in Apply until `n` are running at once (or every
  // planned action has started), then holds briefly: exposes a broken bound.
  void RendezvousAt(int n, int total) {
    std::lock_guard<std::mutex> l(mu);
    rendezvous_ = n;
    total_ = total;
  }

  plan::ApplyResult Apply(const plan::Action& a, plan::ApplyContext& ctx);

  // Results, read after Execute returned.
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> l(mu);
    return calls_;
  }
  std::vector<Call> CallsOf(const std::string& address) const {
    std::vector<Call> out;
    for (const auto& c : calls()) if (c.address == address) out.push_back(c);
    return out;
  }
  std::vector<std::string> violations() const {
    std::lock_guard<std::mutex> l(mu);
    return violations_;
  }
  int max_concurrent() const {
    std::lock_guard<std::mutex> l(mu);
    return max_concurrent_;
  }

  mutable std::mutex mu;
  std::condition_variable cv;

 private:
  void CheckPrerequisitesCommitted(const plan::Action& a);  // REQUIRES: mu held

  state::StateStore* store_;
  std::map<std::string, Behavior> behaviors_;
  std::map<std::string, int> attempts_;
  std::set<std::string> released_, started_, finished_;
  std::vector<Call> calls_;
  std::vector<std::string> violations_;
  std::map<std::string, int> machine_running_;
  int seq_ = 0, running_ = 0, max_concurrent_ = 0, rendezvous_ = 0, total_ = 0;
};

class FakeHandler : public plan::ResourceHandler {
 public:
  FakeHandler(graph::Kind kind, FakeWorld* world) : kind_(kind), world_(world) {}
  graph::Kind kind() const override { return kind_; }
  void Observe(const std::vector<plan::ObserveItem>&, std::map<std::string, plan::Observation>*) override {}
  std::string DescribeDrift(const state::ResourceRecord&, const plan::Observation&) const override { return ""; }
  std::string DescribeChange(const plan::ojson&, const plan::ojson&) const override { return "changed"; }
  plan::ApplyResult Apply(const plan::Action& a, plan::ApplyContext& ctx) override { return world_->Apply(a, ctx); }

 private:
  graph::Kind kind_;
  FakeWorld* world_;
};

plan::Handlers MakeFakeHandlers(FakeWorld* world);

// Records the reporter's calls as lines ("start A", "done A", "failed A: E",
// "skipped A (because of B)"), in order.
class RecordingReporter : public Reporter {
 public:
  void Started(const plan::Action& a) override { lines.push_back("start " + a.address); }
  void Finished(const plan::Action& a, bool ok, double, const std::string& error) override {
    lines.push_back(ok ? "done " + a.address : "failed " + a.address + ": " + error);
  }
  void Skipped(const plan::Action& a, const std::string& because_of) override {
    lines.push_back("skipped " + a.address + " (because of " + because_of + ")");
  }
  void Retrying(const plan::Action& a, int attempt, const std::string&) override {
    lines.push_back("retry " + a.address + " " + std::to_string(attempt));
  }
  void Progress(int, int, int, int, int) override {}
  std::vector<std::string> lines;
};

}  // namespace paiplan::apply::testing
