// Execute(): the coordinator + worker pool over fake handlers and a
// MemoryStore. Orderings are checked with the fake's sequence numbers and
// with checks made inside Apply (is the prerequisite's record committed?),
// never with durations.
#include "engine/apply/executor.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "state/memory_store.h"
#include "tests/apply/fake_world.h"

namespace paiplan::apply {
namespace {

using plan::Action;
using plan::ActionType;
using testing::Behavior;
using testing::FakeWorld;
using testing::RecordingReporter;

Action Act(const std::string& address, ActionType type = ActionType::kCreate,
           std::vector<std::string> depends_on = {}, std::string machine = "") {
  Action a;
  a.address = address;
  a.kind = *graph::KindOfAddress(address);
  a.type = type;
  a.reason = "test";
  a.depends_on = std::move(depends_on);
  a.resource_deps = a.depends_on;
  a.machine = std::move(machine);
  if (type != ActionType::kDelete) {
    a.after = {{"v", 1}};
    a.hash = "h-" + address;
  } else {
    a.before = {{"v", 0}};
  }
  return a;
}

plan::Plan MakePlanOf(std::vector<Action> actions) {
  plan::Plan p;
  std::sort(actions.begin(), actions.end(), [](const Action& x, const Action& y) { return x.address < y.address; });
  p.actions = std::move(actions);
  return p;
}

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logs_ = std::filesystem::temp_directory_path() /
            ("paiplan-exec-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(store_.Lock("apply").has_value());
    options_.parallelism = 4;
    options_.backoff = 0.01;
    options_.max_backoff = 0.01;
    options_.retry_attempts = 5;
    options_.logs_dir = logs_.string();
    options_.now = [] { return std::string("2024-01-01T00:00:00Z"); };
  }
  void TearDown() override { std::filesystem::remove_all(logs_); }

  ExecSummary Run(const plan::Plan& p, std::map<std::string, state::ResourceRecord> records = {}) {
    return Execute(p, handlers_, store_, std::move(records), reporter_, options_);
  }
  // Runs Execute on its own thread (for tests that steer blocking fakes).
  std::thread RunAsync(const plan::Plan& p, ExecSummary* out) {
    return std::thread([this, &p, out] { *out = Run(p); });
  }
  state::ResourceRecord Record(const std::string& address) {
    auto snap = store_.ReadSnapshot();
    auto it = snap->resources.find(address);
    return it == snap->resources.end() ? state::ResourceRecord() : it->second;
  }
  const ActionOutcome& OutcomeOf(const ExecSummary& s, const std::string& address) {
    for (const auto& o : s.outcomes)
      if (o.address == address) return o;
    static ActionOutcome none;
    ADD_FAILURE() << "no outcome for " << address;
    return none;
  }

  std::filesystem::path logs_;
  state::MemoryStore store_;
  FakeWorld world_{&store_};
  plan::Handlers handlers_ = testing::MakeFakeHandlers(&world_);
  RecordingReporter reporter_;
  ExecOptions options_;
};

TEST_F(ExecutorTest, RunsEverythingAndCommitsEachRecord) {
  auto p = MakePlanOf({Act("node.a", ActionType::kCreate, {}, "a"), Act("service.x", ActionType::kCreate, {"node.a"}),
                       Act("service.y", ActionType::kCreate, {"service.x"})});
  ExecSummary s = Run(p);
  EXPECT_EQ(s.done, 3);
  EXPECT_EQ(s.failed + s.skipped + s.not_started, 0);
  EXPECT_FALSE(s.interrupted);
  EXPECT_TRUE(s.state_error.ok());
  for (const char* a : {"node.a", "service.x", "service.y"}) {
    EXPECT_EQ(Record(a).value("last_outcome", ""), "success") << a;
    EXPECT_EQ(Record(a).value("hash", ""), std::string("h-") + a);
  }
  EXPECT_EQ(Record("node.a").value("machine", ""), "a");
  EXPECT_TRUE(world_.violations().empty()) << world_.violations()[0];
  // Started in dependency order.
  auto calls = world_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_LT(world_.CallsOf("node.a")[0].end_seq, world_.CallsOf("service.x")[0].start_seq);
  EXPECT_LT(world_.CallsOf("service.x")[0].end_seq, world_.CallsOf("service.y")[0].start_seq);
}

TEST_F(ExecutorTest, NoOpsAreNotRunAndDoNotBlock) {
  // y depends on x only through a no-op (LinkActions would link y to w);
  // here y's depends_on names the no-op itself, which must be ignored.
  auto p = MakePlanOf({Act("service.w"), Act("service.x", ActionType::kNoOp, {"service.w"}),
                       Act("service.y", ActionType::kCreate, {"service.x"})});
  ExecSummary s = Run(p);
  EXPECT_EQ(s.done, 2);
  EXPECT_TRUE(world_.CallsOf("service.x").empty());
  EXPECT_EQ(OutcomeOf(s, "service.x").outcome, "no-op");
  EXPECT_EQ(s.outcomes.size(), 3u);
}

TEST_F(ExecutorTest, EveryDependentStartsOnlyAfterItsPrerequisiteIsCommitted) {
  // A wide fan-out and fan-in; the fake checks the store inside each Apply.
  std::vector<Action> acts{Act("config.cluster")};
  std::vector<std::string> mids;
  for (int i = 0; i < 12; ++i) {
    std::string m = "service.mid" + std::to_string(i);
    acts.push_back(Act(m, ActionType::kCreate, {"config.cluster"}));
    mids.push_back(m);
  }
  acts.push_back(Act("service.zjoin", ActionType::kCreate, mids));
  auto p = MakePlanOf(acts);
  options_.parallelism = 6;
  ExecSummary s = Run(p);
  EXPECT_EQ(s.done, 14);
  auto v = world_.violations();
  EXPECT_TRUE(v.empty()) << v[0];
  EXPECT_EQ(store_.ReadHead()->second, store_.commit_count()) << "one serial per commit";
  EXPECT_LE(store_.commit_count(), 14u) << "at most one commit per action (group commits allowed)";
}

TEST_F(ExecutorTest, DeletesWaitForTheirDependentsDeletesToBeCommitted) {
  // Recorded: node.a ← service.x. Deleting both: service.x first.
  ASSERT_TRUE(store_.Commit({{{"node.a", {{"kind", "node"}, {"last_outcome", "success"}}},
                              {"service.x", {{"kind", "service"}, {"last_outcome", "success"}}}},
                             {}}).has_value());
  auto p = MakePlanOf({Act("node.a", ActionType::kDelete, {"service.x"}, "a"), Act("service.x", ActionType::kDelete)});
  ExecSummary s = Run(p);
  EXPECT_EQ(s.done, 2);
  EXPECT_TRUE(world_.violations().empty()) << world_.violations()[0];
  EXPECT_TRUE(store_.ReadSnapshot()->resources.empty());
}

TEST_F(ExecutorTest, NotALevelBarrier) {
  // node.slow blocks until the independent chain c1 → c2 → c3 has finished;
  // a level-by-level executor would wait for node.slow before starting c2
  // and deadlock (the fake then reports "never released").
  auto p = MakePlanOf({Act("node.slow", ActionType::kCreate, {}, "slow"), Act("service.after-slow", ActionType::kCreate, {"node.slow"}),
                       Act("service.c1"), Act("service.c2", ActionType::kCreate, {"service.c1"}),
                       Act("service.c3", ActionType::kCreate, {"service.c2"})});
  world_.Set("node.slow", Behavior{.block = true});
  ExecSummary s;
  std::thread t = RunAsync(p, &s);
  bool chain_done = world_.WaitFinished("service.c3");
  world_.Release("node.slow");
  t.join();
  EXPECT_TRUE(chain_done) << "the chain did not finish while node.slow was running";
  auto slow = world_.CallsOf("node.slow");
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_LT(world_.CallsOf("service.c3")[0].end_seq, slow[0].end_seq);
  EXPECT_LT(slow[0].end_seq, world_.CallsOf("service.after-slow")[0].start_seq);
  EXPECT_EQ(s.done, 5);
  EXPECT_TRUE(world_.violations().empty()) << world_.violations()[0];
}

TEST_F(ExecutorTest, ParallelismBoundIsRespected) {
  std::vector<Action> acts;
  for (int i = 0; i < 10; ++i) acts.push_back(Act("service.s" + std::to_string(i)));
  options_.parallelism = 3;
  world_.RendezvousAt(3, 10);
  ExecSummary s = Run(MakePlanOf(acts));
  EXPECT_EQ(s.done, 10);
  EXPECT_EQ(world_.max_concurrent(), 3) << "3 at once, never more";
  EXPECT_TRUE(world_.violations().empty()) << world_.violations()[0];
}

TEST_F(ExecutorTest, ParallelismOneRunsOneAtATimeInAddressOrder) {
  std::vector<Action> acts;
  for (const char* a : {"service.c", "service.a", "service.b"}) acts.push_back(Act(a));
  options_.parallelism = 1;
  ExecSummary s = Run(MakePlanOf(acts));
  EXPECT_EQ(s.done, 3);
  EXPECT_EQ(world_.max_concurrent(), 1);
  auto calls = world_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].address, "service.a");
  EXPECT_EQ(calls[1].address, "service.b");
  EXPECT_EQ(calls[2].address, "service.c");
}

TEST_F(ExecutorTest, OneActionPerMachineAtATime) {
  // Node and label actions of the same machine are independent here but
  // share machine m; others run beside them.
  std::vector<Action> acts{Act("node.m", ActionType::kCreate, {}, "m"), Act("label.m", ActionType::kCreate, {}, "m"),
                           Act("node.n", ActionType::kCreate, {}, "n"), Act("service.free")};
  options_.parallelism = 4;
  world_.RendezvousAt(3, 4);
  ExecSummary s = Run(MakePlanOf(acts));
  EXPECT_EQ(s.done, 4);
  EXPECT_TRUE(world_.violations().empty()) << world_.violations()[0];
  auto m1 = world_.CallsOf("label.m")[0], m2 = world_.CallsOf("node.m")[0];
  EXPECT_TRUE(m1.end_seq < m2.start_seq || m2.end_seq < m1.start_seq);
  EXPECT_EQ(world_.max_concurrent(), 3);
}

TEST_F(ExecutorTest, FailureSkipsDescendantsOnlyAndIsRecorded) {
  // a → b → c; a → d; e → f; g needs b and e.
  auto p = MakePlanOf({Act("service.a"), Act("service.b", ActionType::kCreate, {"service.a"}),
                       Act("service.c", ActionType::kCreate, {"service.b"}), Act("service.d", ActionType::kCreate, {"service.a"}),
                       Act("service.e"), Act("service.f", ActionType::kCreate, {"service.e"}),
                       Act("service.g", ActionType::kCreate, {"service.b", "service.e"})});
  world_.Set("service.b", Behavior{.fail = true, .message = "start-script exited with status 3"});
  ExecSummary s = Run(p);
  EXPECT_EQ(s.done, 4);  // a, d, e, f
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.skipped, 2);  // c, g
  EXPECT_EQ(s.not_started, 0);
  EXPECT_EQ(OutcomeOf(s, "service.b").outcome, "failed");
  EXPECT_EQ(OutcomeOf(s, "service.b").error, "start-script exited with status 3");
  EXPECT_EQ(OutcomeOf(s, "service.c").outcome, "skipped");
  EXPECT_EQ(OutcomeOf(s, "service.c").error, "upstream service.b failed");
  EXPECT_EQ(OutcomeOf(s, "service.g").error, "upstream service.b failed");
  EXPECT_EQ(OutcomeOf(s, "service.d").outcome, "done");
  EXPECT_TRUE(world_.CallsOf("service.c").empty());
  EXPECT_TRUE(world_.CallsOf("service.g").empty());
  EXPECT_EQ(world_.CallsOf("service.b").size(), 1u) << "FailedPrecondition is not retried";
  // The failure is recorded so the next plan retries it.
  auto rec = Record("service.b");
  EXPECT_EQ(rec.value("last_outcome", ""), "failed");
  EXPECT_EQ(rec.value("last_action", ""), "create");
  EXPECT_EQ(rec.value("error", ""), "start-script exited with status 3");
  EXPECT_TRUE(Record("service.c").is_null()) << "skipped actions leave no record";
  // The reporter names the root cause of each skip.
  auto& lines = reporter_.lines;
  EXPECT_NE(std::find(lines.begin(), lines.end(), "skipped service.c (because of service.b)"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "skipped service.g (because of service.b)"), lines.end());
}

TEST_F(ExecutorTest, FailedUpdateKeepsThePreviousAttributes) {
  state::ResourceRecord old = {{"kind", "service"}, {"attributes", {{"v", 0}}}, {"hash", "old"}, {"last_outcome", "success"}};
  ASSERT_TRUE(store_.Commit({{{"service.x", old}}, {}}).has_value());
  world_.Set("service.x", Behavior{.fail = true});
  ExecSummary s = Run(MakePlanOf({Act("service.x", ActionType::kUpdate)}), {{"service.x", old}});
  EXPECT_EQ(s.failed, 1);
  auto rec = Record("service.x");
  EXPECT_EQ(rec.value("hash", ""), "old") << "what was applied before is still what is recorded";
  EXPECT_EQ(rec["attributes"], (nlohmann::json{{"v", 0}}));
  EXPECT_EQ(rec.value("last_outcome", ""), "failed");
  EXPECT_EQ(rec.value("last_action", ""), "update");
}

TEST_F(ExecutorTest, RecordedErrorsMaskSecrets) {
  options_.secrets = {"hunter2"};
  world_.Set("service.x", Behavior{.fail = true, .message = "login with hunter2 refused"});
  ExecSummary s = Run(MakePlanOf({Act("service.x")}));
  EXPECT_EQ(Record("service.x").value("error", "").find("hunter2"), std::string::npos);
  EXPECT_EQ(OutcomeOf(s, "service.x").error.find("hunter2"), std::string::npos);
  EXPECT_NE(OutcomeOf(s, "service.x").error.find("(sensitive)"), std::string::npos);
}

TEST_F(ExecutorTest, RetriesTransientErrorsWithBackoff) {
  world_.Set("node.a", Behavior{.transient = 2, .message = "connection refused"});
  ExecSummary s = Run(MakePlanOf({Act("node.a", ActionType::kCreate, {}, "a"), Act("service.x", ActionType::kCreate, {"node.a"})}));
  EXPECT_EQ(s.done, 2);
  auto calls = world_.CallsOf("node.a");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2].attempt, 3);
  EXPECT_LT(calls[2].end_seq, world_.CallsOf("service.x")[0].start_seq);
  EXPECT_EQ(Record("node.a").value("last_outcome", ""), "success");
  // The attempts are in the action's log.
  bool found = false;
  for (const auto& e : std::filesystem::recursive_directory_iterator(logs_)) {
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    if (text.find("attempt 2 failed (connection refused") != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << "retry not logged under " << logs_;
  // ... and reported to the operator, in order, before the action finished.
  auto& lines = reporter_.lines;
  auto at = [&](const std::string& l) { return std::find(lines.begin(), lines.end(), l) - lines.begin(); };
  ASSERT_LT(at("retry node.a 1"), ptrdiff_t(lines.size()));
  EXPECT_LT(at("retry node.a 1"), at("retry node.a 2"));
  EXPECT_LT(at("retry node.a 2"), at("done node.a"));
}

TEST_F(ExecutorTest, BackoffDoublesUpToItsCap) {
  options_.backoff = 0.02;
  options_.max_backoff = 0.05;
  world_.Set("node.a", Behavior{.transient = 4, .message = "connection refused"});
  ExecSummary s = Run(MakePlanOf({Act("node.a", ActionType::kCreate, {}, "a")}));
  EXPECT_EQ(s.done, 1);
  std::string log;
  for (const auto& e : std::filesystem::recursive_directory_iterator(logs_)) {
    std::ifstream in(e.path());
    log.append(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(log.find("attempt 1 failed (connection refused (attempt 1)); retrying in 0.02 s"), std::string::npos) << log;
  EXPECT_NE(log.find("attempt 2 failed (connection refused (attempt 2)); retrying in 0.04 s"), std::string::npos) << log;
  EXPECT_NE(log.find("attempt 3 failed (connection refused (attempt 3)); retrying in 0.05 s"), std::string::npos) << log;
  EXPECT_NE(log.find("attempt 4 failed (connection refused (attempt 4)); retrying in 0.05 s"), std::string::npos) << log;
}

TEST_F(ExecutorTest, GivesUpAfterRetryAttempts) {
  options_.retry_attempts = 3;
  world_.Set("node.a", Behavior{.transient = 100, .message = "timeout"});
  ExecSummary s = Run(MakePlanOf({Act("node.a", ActionType::kCreate, {}, "a"), Act("label.a", ActionType::kCreate, {"node.a"}, "a")}));
  EXPECT_EQ(world_.CallsOf("node.a").size(), 3u);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.skipped, 1);
  EXPECT_NE(OutcomeOf(s, "node.a").error.find("timeout (attempt 3)"), std::string::npos);
}

TEST_F(ExecutorTest, NoRetryForFailedPrecondition) {
  world_.Set("service.x", Behavior{.fail = true});
  ExecSummary s = Run(MakePlanOf({Act("service.x")}));
  EXPECT_EQ(world_.CallsOf("service.x").size(), 1u);
  EXPECT_EQ(s.failed, 1);
}

TEST_F(ExecutorTest, InterruptStartsNothingNewAndCommitsWhatRan) {
  // Parallelism 2: a and b run; a raises the interrupt while b is still
  // running, then lets b finish. c, d and a's dependent e never start; a and
  // b are committed.
  std::atomic<bool> interrupted{false};
  options_.interrupted = &interrupted;
  options_.parallelism = 2;
  world_.Set("service.a", Behavior{.hook = [&] {
                                     world_.WaitStarted("service.b");
                                     interrupted.store(true);
                                     world_.Release("service.b");
                                   }});
  world_.Set("service.b", Behavior{.block = true});
  auto p = MakePlanOf({Act("service.a"), Act("service.b"), Act("service.c"), Act("service.d"),
                       Act("service.e", ActionType::kCreate, {"service.a"})});
  ExecSummary s = Run(p);
  EXPECT_TRUE(s.interrupted);
  EXPECT_EQ(s.done, 2);
  EXPECT_EQ(s.not_started, 3);
  EXPECT_EQ(s.failed + s.skipped, 0);
  EXPECT_EQ(world_.calls().size(), 2u);
  EXPECT_EQ(Record("service.a").value("last_outcome", ""), "success");
  EXPECT_EQ(Record("service.b").value("last_outcome", ""), "success");
  for (const char* a : {"service.c", "service.d", "service.e"}) {
    EXPECT_EQ(OutcomeOf(s, a).outcome, "not started") << a;
    EXPECT_TRUE(Record(a).is_null()) << a;
  }
  EXPECT_TRUE(world_.calls()[0].cancelled_flag_seen) << "handlers get the interrupt flag";
}

TEST_F(ExecutorTest, InterruptStopsRetries) {
  std::atomic<bool> interrupted{false};
  options_.interrupted = &interrupted;
  options_.retry_attempts = 50;
  world_.Set("node.a", Behavior{.transient = 100, .hook = [&] { interrupted.store(true); }});
  ExecSummary s = Run(MakePlanOf({Act("node.a", ActionType::kCreate, {}, "a")}));
  EXPECT_EQ(world_.CallsOf("node.a").size(), 1u);
  EXPECT_TRUE(s.interrupted);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(Record("node.a").value("last_outcome", ""), "failed");
}

TEST_F(ExecutorTest, StateCommitFailureStopsTheApply) {
  // a's commit fails: its dependent must not start (its prerequisite is not
  // recorded), and the summary carries the state error.
  store_.FailNextCommits(1, Status::IOError("disk full"));
  options_.parallelism = 1;
  ExecSummary s = Run(MakePlanOf({Act("service.a"), Act("service.b", ActionType::kCreate, {"service.a"}), Act("service.c")}));
  EXPECT_FALSE(s.state_error.ok());
  EXPECT_NE(s.state_error.message().find("disk full"), std::string::npos);
  EXPECT_TRUE(world_.CallsOf("service.b").empty());
  EXPECT_TRUE(world_.CallsOf("service.c").empty()) << "nothing new starts after a state error";
  EXPECT_EQ(OutcomeOf(s, "service.a").outcome, "failed");
  EXPECT_EQ(OutcomeOf(s, "service.b").outcome, "skipped");
  EXPECT_EQ(OutcomeOf(s, "service.c").outcome, "not started");
  EXPECT_TRUE(store_.ReadSnapshot()->resources.empty());
}

TEST_F(ExecutorTest, ChangedRenderRecordsAPendingRefreshOfItsService) {
  state::ResourceRecord svc = {{"kind", "service"}, {"attributes", {{"v", 0}}}, {"hash", "s0"}, {"last_outcome", "success"}};
  ASSERT_TRUE(store_.Commit({{{"service.app", svc}}, {}}).has_value());
  Action r = Act("render.app/app.yaml", ActionType::kUpdate);
  r.after = {{"service", "app"}, {"file", "app.yaml"}};
  Action s = Act("service.app", ActionType::kUpdate, {"render.app/app.yaml"});
  world_.Set("service.app", Behavior{.fail = true});
  ExecSummary sum = Run(MakePlanOf({r, s}), {{"service.app", svc}});
  EXPECT_EQ(sum.done, 1);
  EXPECT_EQ(sum.failed, 1);
  auto rec = Record("service.app");
  ASSERT_TRUE(rec.contains("pending")) << rec.dump();
  EXPECT_EQ(rec["pending"], (nlohmann::json{"rendered app.yaml changed"}));
  EXPECT_EQ(rec.value("hash", ""), "s0");
}

TEST_F(ExecutorTest, SuccessfulRefreshClearsThePendingRefresh) {
  state::ResourceRecord svc = {{"kind", "service"}, {"attributes", {{"v", 0}}}, {"hash", "s0"}, {"last_outcome", "success"}};
  ASSERT_TRUE(store_.Commit({{{"service.app", svc}}, {}}).has_value());
  Action r = Act("render.app/app.yaml", ActionType::kUpdate);
  r.after = {{"service", "app"}, {"file", "app.yaml"}};
  ExecSummary sum = Run(MakePlanOf({r, Act("service.app", ActionType::kUpdate, {"render.app/app.yaml"})}),
                        {{"service.app", svc}});
  EXPECT_EQ(sum.done, 2);
  EXPECT_FALSE(Record("service.app").contains("pending"));
}

TEST_F(ExecutorTest, SummaryCountsEveryOutcome) {
  std::atomic<bool> interrupted{false};
  options_.interrupted = &interrupted;
  options_.parallelism = 1;
  // Order by address: a (done), b (fails), c (skipped, needs b), d (done,
  // raises the interrupt), e (not started), n (no-op).
  world_.Set("service.b", Behavior{.fail = true});
  world_.Set("service.d", Behavior{.hook = [&] { interrupted.store(true); }});
  ExecSummary s = Run(MakePlanOf({Act("service.a"), Act("service.b"), Act("service.c", ActionType::kCreate, {"service.b"}),
                                  Act("service.d"), Act("service.e"), Act("service.n", ActionType::kNoOp)}));
  EXPECT_EQ(s.done, 2);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.skipped, 1);
  EXPECT_EQ(s.not_started, 1);
  EXPECT_TRUE(s.interrupted);
  ASSERT_EQ(s.outcomes.size(), 6u);
  std::vector<std::string> got;
  for (const auto& o : s.outcomes) got.push_back(o.address + "=" + o.outcome);
  EXPECT_EQ(got, (std::vector<std::string>{"service.a=done", "service.b=failed", "service.c=skipped", "service.d=done",
                                           "service.e=not started", "service.n=no-op"}));
}

TEST_F(ExecutorTest, ReporterSeesStartBeforeEnd) {
  ExecSummary s = Run(MakePlanOf({Act("service.a"), Act("service.b", ActionType::kCreate, {"service.a"})}));
  EXPECT_EQ(reporter_.lines, (std::vector<std::string>{"start service.a", "done service.a", "start service.b", "done service.b"}));
}

TEST_F(ExecutorTest, EmptyPlanDoesNothing) {
  ExecSummary s = Run(MakePlanOf({Act("service.a", ActionType::kNoOp)}));
  EXPECT_EQ(s.done + s.failed + s.skipped + s.not_started, 0);
  EXPECT_EQ(store_.commit_count(), 0u);
}

}  // namespace
}  // namespace paiplan::apply
