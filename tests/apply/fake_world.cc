#include "tests/apply/fake_world.h"

#include <thread>

namespace paiplan::apply::testing {

void FakeWorld::CheckPrerequisitesCommitted(const plan::Action& a) {
  if (a.depends_on.empty()) return;
  auto snap = store_->ReadSnapshot();
  if (!snap) {
    violations_.push_back(a.address + ": cannot read the store: " + snap.error().message());
    return;
  }
  bool del = a.type == plan::ActionType::kDelete;
  for (const auto& d : a.depends_on) {
    auto it = snap->resources.find(d);
    if (del && it != snap->resources.end()) {
      violations_.push_back(a.address + " started before the delete of " + d + " was committed");
    } else if (!del && (it == snap->resources.end() || it->second.value("last_outcome", "") != "success")) {
      violations_.push_back(a.address + " started before " + d + " was committed");
    }
  }
}

plan::ApplyResult FakeWorld::Apply(const plan::Action& a, plan::ApplyContext& ctx) {
  Behavior b;
  Call call;
  {
    std::lock_guard<std::mutex> l(mu);
    auto it = behaviors_.find(a.address);
    if (it != behaviors_.end()) b = it->second;
    call.address = a.address;
    call.attempt = ++attempts_[a.address];
    call.start_seq = ++seq_;
    call.cancelled_flag_seen = ctx.cancelled != nullptr;
    max_concurrent_ = std::max(max_concurrent_, ++running_);
    if (!a.machine.empty() && machine_running_[a.machine]++ > 0)
      violations_.push_back(a.address + ": machine " + a.machine + " already busy");
    CheckPrerequisitesCommitted(a);
    started_.insert(a.address);
  }
  cv.notify_all();
  {
    std::unique_lock<std::mutex> l(mu);
    if (rendezvous_ > 0) {
      bool met = cv.wait_for(l, std::chrono::seconds(30),
                             [&] { return running_ >= rendezvous_ || int(started_.size()) >= total_; });
      if (!met) violations_.push_back(a.address + ": rendezvous never met");
    }
    if (b.block) {
      bool met = cv.wait_for(l, std::chrono::seconds(30), [&] { return released_.count(a.address) > 0; });
      if (!met) violations_.push_back(a.address + ": never released");
    }
  }
  // A short hold while counted as running, so an over-eager executor would
  // start more work in the meantime (helps the checks fail, asserts nothing).
  if (rendezvous_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (b.hook) b.hook();
  plan::ApplyResult r;
  if (call.attempt <= b.transient) {
    r.status = Status::Unavailable(b.message + " (attempt " + std::to_string(call.attempt) + ")");
  } else if (b.fail) {
    r.status = Status::FailedPrecondition(b.message);
  } else if (a.type == plan::ActionType::kDelete) {
    r.batch.deletes.push_back(a.address);
  } else {
    r.batch.puts.emplace_back(a.address, plan::MakeRecord(a, "2024-01-01T00:00:00Z"));
  }
  {
    std::lock_guard<std::mutex> l(mu);
    call.end_seq = ++seq_;
    --running_;
    if (!a.machine.empty()) --machine_running_[a.machine];
    calls_.push_back(call);
    if (r.status.ok()) finished_.insert(a.address);
  }
  cv.notify_all();
  return r;
}

plan::Handlers MakeFakeHandlers(FakeWorld* world) {
  plan::Handlers h;
  for (auto k : {graph::Kind::kNode, graph::Kind::kLabel, graph::Kind::kConfig, graph::Kind::kRender,
                 graph::Kind::kService})
    h[k] = std::make_unique<FakeHandler>(k, world);
  return h;
}

}  // namespace paiplan::apply::testing
