// MakePlan / LinkActions: decisions and their reasons, targeting, and the
// action links the executor follows. Fake handlers (observations set by the
// test) except where noted; the render handler test uses the real handler
// over a temporary directory.
#include "engine/plan/planner.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "engine/base/fs.h"
#include "engine/base/sha256.h"
#include "engine/plan/desired.h"
#include "engine/plan/handlers.h"

namespace paiplan::plan {
namespace {

// Observations come from `observations`; drift is "gone" when the object is
// missing, "drifted" when its hash differs from the record's.
class FakeHandler : public ResourceHandler {
 public:
  FakeHandler(graph::Kind k, std::map<std::string, Observation>* obs, int* observe_calls)
      : kind_(k), obs_(obs), observe_calls_(observe_calls) {}
  graph::Kind kind() const override { return kind_; }
  void Observe(const std::vector<ObserveItem>& items, std::map<std::string, Observation>* out) override {
    ++*observe_calls_;
    for (const auto& it : items) {
      auto o = obs_->find(it.address);
      if (o != obs_->end()) (*out)[it.address] = o->second;
    }
  }
  std::string DescribeDrift(const state::ResourceRecord& rec, const Observation& obs) const override {
    if (!obs.exists) return "object gone outside paiplan";
    if (obs.hash != rec.value("hash", "")) return "object edited outside paiplan";
    return "";
  }
  std::string DescribeChange(const ojson& before, const ojson& after) const override {
    return "v " + before.value("v", ojson()).dump() + " → " + after.value("v", ojson()).dump();
  }
  ApplyResult Apply(const Action&, ApplyContext&) override { return {}; }

 private:
  graph::Kind kind_;
  std::map<std::string, Observation>* obs_;
  int* observe_calls_;
};

class PlannerTest : public ::testing::Test {
 protected:
  PlannerTest() {
    for (auto k : {graph::Kind::kNode, graph::Kind::kLabel, graph::Kind::kConfig, graph::Kind::kRender,
                   graph::Kind::kService})
      handlers_[k] = std::make_unique<FakeHandler>(k, &observations_, &observe_calls_);
  }

  // Desired resource with attribute v and hash "h<v>".
  void Want(const std::string& address, int v, std::vector<std::string> deps = {}) {
    Desired d;
    d.address = address;
    d.kind = *graph::KindOfAddress(address);
    d.attributes = {{"v", v}};
    d.hash = "h" + std::to_string(v);
    d.resource_deps = std::move(deps);
    if (d.kind == graph::Kind::kNode || d.kind == graph::Kind::kLabel) d.machine = address.substr(address.find('.') + 1);
    desired_[address] = d;
  }
  // Recorded resource as a successful apply of `v` would leave it.
  state::ResourceRecord& Have(const std::string& address, int v, std::vector<std::string> deps = {}) {
    auto& r = snapshot_.resources[address];
    r = {{"kind", graph::KindName(*graph::KindOfAddress(address))},
         {"attributes", {{"v", v}}},
         {"hash", "h" + std::to_string(v)},
         {"depends_on", deps},
         {"last_action", "create"},
         {"last_outcome", "success"}};
    return r;
  }
  void Observe(const std::string& address, bool exists, const std::string& hash) {
    Observation o;
    o.observed = true;
    o.exists = exists;
    o.hash = hash;
    observations_[address] = o;
  }
  Plan Make(PlanOptions opt = {}) {
    snapshot_.lineage = "lin";
    snapshot_.serial = 7;
    return MakePlan(desired_, snapshot_, handlers_, opt, &diags_);
  }
  static const Action& Find(const Plan& p, const std::string& address) {
    for (const auto& a : p.actions)
      if (a.address == address) return a;
    static Action none;
    ADD_FAILURE() << "no action for " << address;
    return none;
  }
  static std::string TypeOf(const Plan& p, const std::string& address) { return ActionName(Find(p, address).type); }

  std::map<std::string, Desired> desired_;
  state::Snapshot snapshot_;
  std::map<std::string, Observation> observations_;
  int observe_calls_ = 0;
  Handlers handlers_;
  Diagnostics diags_;
};

TEST_F(PlannerTest, CreatesWhatIsNotRecordedWithAReasonPerKind) {
  Want("node.h1", 1);
  Want("label.h1", 1, {"node.h1"});
  Want("config.cluster", 1);
  Want("render.app/app.yaml", 1);
  Want("service.app", 1, {"render.app/app.yaml"});
  Plan p = Make();
  EXPECT_EQ(p.lineage, "lin");
  EXPECT_EQ(p.serial, 7u);
  ASSERT_EQ(p.actions.size(), 5u);
  for (const auto& a : p.actions) EXPECT_EQ(a.type, ActionType::kCreate) << a.address;
  EXPECT_EQ(Find(p, "node.h1").reason, "machine h1 is in layout.yaml but not bootstrapped");
  EXPECT_EQ(Find(p, "label.h1").reason, "labels of machine h1 not yet applied");
  EXPECT_EQ(Find(p, "config.cluster").reason, "cluster configuration not yet published");
  EXPECT_EQ(Find(p, "render.app/app.yaml").reason, "template app/app.yaml not yet rendered");
  EXPECT_EQ(Find(p, "service.app").reason, "service app is enabled but not started");
  EXPECT_EQ(Find(p, "node.h1").machine, "h1");
  EXPECT_EQ(Find(p, "node.h1").hash, "h1");
  EXPECT_TRUE(Find(p, "node.h1").before.is_null());
  EXPECT_EQ(Find(p, "node.h1").after, (ojson{{"v", 1}}));
  EXPECT_EQ(p.Count(ActionType::kCreate), 5);
  EXPECT_TRUE(p.HasChanges());
}

TEST_F(PlannerTest, ActionsAreSortedByAddressAndIncludeNoOps) {
  for (const char* a : {"service.b", "node.z", "service.a", "config.cluster"}) {
    Want(a, 1);
    Have(a, 1);
  }
  Plan p = Make();
  std::vector<std::string> got;
  for (const auto& a : p.actions) got.push_back(a.address);
  EXPECT_EQ(got, (std::vector<std::string>{"config.cluster", "node.z", "service.a", "service.b"}));
  for (const auto& a : p.actions) {
    EXPECT_EQ(a.type, ActionType::kNoOp);
    EXPECT_EQ(a.reason, "");
  }
  EXPECT_FALSE(p.HasChanges());
}

TEST_F(PlannerTest, NoOpWhenHashMatchesAndObservationAgrees) {
  Want("service.app", 3);
  Have("service.app", 3);
  Observe("service.app", true, "h3");
  EXPECT_EQ(TypeOf(Make(), "service.app"), "no-op");
}

TEST_F(PlannerTest, UpdatesWhenTheDesiredHashChanged) {
  Want("service.app", 2);
  Have("service.app", 1);
  Plan p = Make();
  const Action& a = Find(p, "service.app");
  EXPECT_EQ(a.type, ActionType::kUpdate);
  EXPECT_EQ(a.reason, "v 1 → 2") << "the handler explains the change";
  EXPECT_EQ(a.before, (ojson{{"v", 1}}));
  EXPECT_EQ(a.after, (ojson{{"v", 2}}));
}

TEST_F(PlannerTest, NodesAreReplacedNotUpdated) {
  Want("node.h1", 2);
  Have("node.h1", 1);
  Plan p = Make();
  const Action& a = Find(p, "node.h1");
  EXPECT_EQ(a.type, ActionType::kReplace);
  EXPECT_EQ(a.reason, "v 1 → 2");
}

TEST_F(PlannerTest, DeletesWhatIsOnlyRecorded) {
  Have("service.old", 1);
  Have("node.gone", 1)["machine"] = "gone";
  Have("label.gone", 1, {"node.gone"})["machine"] = "gone";
  Have("render.old/x.yaml", 1);
  Plan p = Make();
  EXPECT_EQ(Find(p, "service.old").type, ActionType::kDelete);
  EXPECT_EQ(Find(p, "service.old").reason, "service old is no longer enabled");
  EXPECT_EQ(Find(p, "node.gone").reason, "machine gone removed from layout.yaml");
  EXPECT_EQ(Find(p, "node.gone").machine, "gone") << "the machine comes from the record";
  EXPECT_EQ(Find(p, "render.old/x.yaml").reason, "service old is no longer enabled");
  EXPECT_EQ(Find(p, "label.gone").resource_deps, (std::vector<std::string>{"node.gone"}));
  EXPECT_TRUE(Find(p, "service.old").after.is_null());
  EXPECT_EQ(Find(p, "service.old").before, (ojson{{"v", 1}}));
  EXPECT_FALSE(Find(p, "service.old").purge);
}

TEST_F(PlannerTest, RenderDroppedFromTheTemplateListOfAnEnabledService) {
  Want("service.app", 1);
  Have("service.app", 1);
  Have("render.app/old.yaml", 1);
  EXPECT_EQ(Find(Make(), "render.app/old.yaml").reason, "template app/old.yaml no longer in the service's template-list");
}

TEST_F(PlannerTest, DestroyDeletesEverythingRecorded) {
  Want("service.app", 1);
  Have("service.app", 1);
  Want("service.new", 1);  // desired but never applied: nothing to destroy
  PlanOptions opt;
  opt.operation = "destroy";
  Plan p = Make(opt);
  EXPECT_EQ(p.operation, "destroy");
  ASSERT_EQ(p.actions.size(), 1u);
  EXPECT_EQ(p.actions[0].type, ActionType::kDelete);
  EXPECT_EQ(p.actions[0].reason, "destroy requested");
}

TEST_F(PlannerTest, DestroyPurgeMarksServicesOnly) {
  Have("service.app", 1);
  Have("node.h1", 1);
  PlanOptions opt;
  opt.operation = "destroy";
  opt.purge = true;
  Plan p = Make(opt);
  EXPECT_TRUE(Find(p, "service.app").purge);
  EXPECT_NE(Find(p, "service.app").reason.find("--purge"), std::string::npos);
  EXPECT_FALSE(Find(p, "node.h1").purge);
  EXPECT_EQ(Find(p, "node.h1").reason, "destroy requested");
}

TEST_F(PlannerTest, FailedPreviousOutcomeIsRetried) {
  Want("service.app", 1);
  auto& r = Have("service.app", 1);  // same hash: only the failure makes it change
  r["last_outcome"] = "failed";
  r["last_action"] = "update";
  r["error"] = "refresh-script exited with status 2";
  Plan p = Make();
  const Action& a = Find(p, "service.app");
  EXPECT_EQ(a.type, ActionType::kUpdate) << "a failed refresh is retried as a refresh, not a start";
  EXPECT_EQ(a.reason, "previous update failed: refresh-script exited with status 2");
  EXPECT_EQ(a.before, (ojson{{"v", 1}}));
}

TEST_F(PlannerTest, FailedNodeReplaceIsRetriedAsAReplace) {
  Want("node.h1", 2);
  auto& r = Have("node.h1", 1);
  r["last_outcome"] = "failed";
  r["last_action"] = "replace";
  r["error"] = "bootstrap.sh exited with status 1";
  Plan p = Make();
  const Action& a = Find(p, "node.h1");
  EXPECT_EQ(a.type, ActionType::kReplace);
  EXPECT_EQ(a.reason, "previous replace failed: bootstrap.sh exited with status 1");
}

TEST_F(PlannerTest, FailedStopOfAServiceWantedAgainIsAStart) {
  Want("service.app", 1);
  auto& r = Have("service.app", 1);
  r["last_outcome"] = "failed";
  r["last_action"] = "delete";
  r["error"] = "stop-script exited with status 1";
  EXPECT_EQ(Find(Make(), "service.app").type, ActionType::kCreate);
}

TEST_F(PlannerTest, FailedFirstCreateWithoutAttributesIsRetried) {
  Want("service.app", 1);
  snapshot_.resources["service.app"] = {{"kind", "service"}, {"attributes", nullptr}, {"hash", ""},
                                        {"last_action", "create"}, {"last_outcome", "failed"}, {"error", "boom"}};
  Plan p = Make();
  const Action& a = Find(p, "service.app");
  EXPECT_EQ(a.type, ActionType::kCreate);
  EXPECT_EQ(a.reason, "previous create failed: boom");
}

TEST_F(PlannerTest, PendingRefreshIsAnUpdate) {
  Want("service.app", 1);
  Have("service.app", 1)["pending"] = {"template a.yaml changed", "template b.yaml changed"};
  Plan p = Make();
  const Action& a = Find(p, "service.app");
  EXPECT_EQ(a.type, ActionType::kUpdate);
  EXPECT_EQ(a.reason, "refresh still owed: template a.yaml changed; template b.yaml changed");
}

TEST_F(PlannerTest, EmptyPendingIsNoChange) {
  Want("service.app", 1);
  Have("service.app", 1)["pending"] = nlohmann::json::array();
  EXPECT_EQ(TypeOf(Make(), "service.app"), "no-op");
}

TEST_F(PlannerTest, DriftIsAnUpdateWithTheDriftReason) {
  Want("render.app/a.yaml", 1);
  Have("render.app/a.yaml", 1);
  Observe("render.app/a.yaml", true, "edited");
  Want("label.h1", 1);
  Have("label.h1", 1);
  Observe("label.h1", false, "");
  Plan p = Make();
  EXPECT_EQ(Find(p, "render.app/a.yaml").type, ActionType::kUpdate);
  EXPECT_EQ(Find(p, "render.app/a.yaml").reason, "object edited outside paiplan");
  EXPECT_EQ(Find(p, "label.h1").type, ActionType::kUpdate);
  EXPECT_EQ(Find(p, "label.h1").reason, "object gone outside paiplan");
}

TEST_F(PlannerTest, DriftOnANodeIsAReplace) {
  Want("node.h1", 1);
  Have("node.h1", 1);
  Observe("node.h1", false, "");
  Plan p = Make();
  const Action& a = Find(p, "node.h1");
  EXPECT_EQ(a.type, ActionType::kReplace);
  EXPECT_EQ(a.reason, "object gone outside paiplan");
}

TEST_F(PlannerTest, ADesiredChangeExplainsItselfBeforeDrift) {
  Want("service.app", 2);
  Have("service.app", 1);
  Observe("service.app", true, "edited");
  EXPECT_EQ(Find(Make(), "service.app").reason, "v 1 → 2");
}

TEST_F(PlannerTest, RefreshFalseObservesNothing) {
  Want("render.app/a.yaml", 1);
  Have("render.app/a.yaml", 1);
  Observe("render.app/a.yaml", false, "");
  PlanOptions opt;
  opt.refresh = false;
  Plan p = Make(opt);
  EXPECT_EQ(observe_calls_, 0);
  EXPECT_EQ(TypeOf(p, "render.app/a.yaml"), "no-op");
  // With refresh, the same inputs show the drift (the test can fail).
  EXPECT_EQ(TypeOf(Make(), "render.app/a.yaml"), "update");
  EXPECT_GT(observe_calls_, 0);
}

TEST_F(PlannerTest, ObservesEachKindInOneBatch) {
  for (int i = 0; i < 5; ++i) Want("node.h" + std::to_string(i), 1);
  for (int i = 0; i < 5; ++i) Want("service.s" + std::to_string(i), 1);
  Make();
  EXPECT_EQ(observe_calls_, 2);
}

TEST_F(PlannerTest, UnobservableRecordedResourceIsLeftOutOrWithRequireAllAPlanError) {
  Want("node.h1", 1);
  Have("node.h1", 1);
  Want("node.h2", 1);  // new: nothing to compare yet, so not left out
  Observation o;
  o.error = "connection refused";
  observations_["node.h1"] = o;
  observations_["node.h2"] = o;
  Plan p = Make();
  EXPECT_TRUE(p.errors.empty());
  ASSERT_EQ(p.left_out.size(), 1u);
  EXPECT_EQ(p.left_out[0].address, "node.h1");
  EXPECT_EQ(p.left_out[0].error, "connection refused");
  EXPECT_EQ(Find(p, "node.h1").notes, (std::vector<std::string>{"not observed: connection refused"}));
  EXPECT_EQ(Find(p, "node.h2").type, ActionType::kCreate);
  EXPECT_EQ(Find(p, "node.h2").notes.size(), 1u);

  PlanOptions all;
  all.require_all = true;
  p = Make(all);
  EXPECT_EQ(p.errors, (std::vector<std::string>{"could not observe node.h1: connection refused"}));
  EXPECT_TRUE(p.left_out.empty());
}

// A small cluster: node.a ← label.a ← service.store ← service.app ← service.web,
// render.app/x ← service.app; node.b ← label.b ← service.other (unrelated).
class TargetTest : public PlannerTest {
 protected:
  void SetUp() override {
    Want("node.a", 1);
    Want("label.a", 1, {"node.a"});
    Want("service.store", 1, {"label.a"});
    Want("render.app/x.yaml", 1);
    Want("service.app", 1, {"service.store", "render.app/x.yaml"});
    Want("service.web", 1, {"service.app"});
    Want("node.b", 1);
    Want("label.b", 1, {"node.b"});
    Want("service.other", 1, {"label.b"});
  }
  static std::set<std::string> Changing(const Plan& p) {
    std::set<std::string> out;
    for (const auto& a : p.actions)
      if (a.type != ActionType::kNoOp) out.insert(a.address);
    return out;
  }
};

TEST_F(TargetTest, TargetKeepsWhatItNeeds) {
  PlanOptions opt;
  opt.targets = {"service.app"};
  Plan p = Make(opt);
  EXPECT_FALSE(diags_.HasErrors());
  EXPECT_EQ(Changing(p), (std::set<std::string>{"node.a", "label.a", "service.store", "render.app/x.yaml", "service.app"}));
  EXPECT_EQ(Find(p, "service.web").notes, (std::vector<std::string>{"left out by --target/--exclude: create"}));
  EXPECT_EQ(Find(p, "service.other").notes.size(), 1u);
}

TEST_F(TargetTest, SeveralTargets) {
  PlanOptions opt;
  opt.targets = {"service.store", "label.b"};
  EXPECT_EQ(Changing(Make(opt)), (std::set<std::string>{"node.a", "label.a", "service.store", "node.b", "label.b"}));
}

TEST_F(TargetTest, ExcludeDropsDependentsToo) {
  PlanOptions opt;
  opt.excludes = {"service.store"};
  EXPECT_EQ(Changing(Make(opt)),
            (std::set<std::string>{"node.a", "label.a", "render.app/x.yaml", "node.b", "label.b", "service.other"}));
}

TEST_F(TargetTest, TargetAndExcludeTogether) {
  PlanOptions opt;
  opt.targets = {"service.web"};
  opt.excludes = {"render.app/x.yaml"};
  EXPECT_EQ(Changing(Make(opt)), (std::set<std::string>{"node.a", "label.a", "service.store"}));
}

TEST_F(TargetTest, UnknownTargetOrExcludeIsAnError) {
  PlanOptions opt;
  opt.targets = {"service.nope"};
  opt.excludes = {"node.nope"};
  Make(opt);
  ASSERT_TRUE(diags_.HasErrors());
  std::string all;
  for (const auto& d : diags_.items()) all += d.message + "\n";
  EXPECT_NE(all.find("--target service.nope: no such resource"), std::string::npos) << all;
  EXPECT_NE(all.find("--exclude node.nope: no such resource"), std::string::npos) << all;
}

TEST_F(TargetTest, TargetingADeleteTakesItsDependentsDeletesAlong) {
  // Everything recorded, nothing desired any more on machine a.
  desired_.clear();
  Have("node.a", 1);
  Have("label.a", 1, {"node.a"});
  Have("service.store", 1, {"label.a"});
  Have("service.other", 1);
  PlanOptions opt;
  opt.targets = {"label.a"};
  Plan p = Make(opt);
  EXPECT_EQ(Changing(p), (std::set<std::string>{"label.a", "service.store"})) << "the node stays; what needs the label goes first";
  EXPECT_EQ(Find(p, "label.a").depends_on, (std::vector<std::string>{"service.store"}));
}

TEST_F(TargetTest, LinksSkipNoOpResources) {
  // node.a is replaced (its labels are applied again after it) and
  // service.app changes; service.app waits for label.a through the
  // unchanged service.store.
  for (const auto& [addr, d] : desired_) Have(addr, 1, d.resource_deps);
  desired_["node.a"].attributes = {{"v", 2}};
  desired_["node.a"].hash = "h2";
  desired_["service.app"].attributes = {{"v", 2}};
  desired_["service.app"].hash = "h2";
  Plan p = Make();
  EXPECT_EQ(Changing(p), (std::set<std::string>{"label.a", "node.a", "service.app"}));
  EXPECT_EQ(Find(p, "label.a").reason, "node.a is replaced: its labels are applied again to the Node it registers");
  EXPECT_EQ(Find(p, "service.app").depends_on, (std::vector<std::string>{"label.a"}));
  EXPECT_EQ(Find(p, "label.a").depends_on, (std::vector<std::string>{"node.a"}));
  EXPECT_TRUE(Find(p, "node.a").depends_on.empty());
  EXPECT_TRUE(Find(p, "service.store").depends_on.empty()) << "no-ops wait for nothing";
}

TEST_F(TargetTest, LinksOnlyToTheNearestChangingPrerequisites) {
  Plan p = Make();  // everything is a create
  EXPECT_EQ(Find(p, "service.app").depends_on, (std::vector<std::string>{"render.app/x.yaml", "service.store"}));
  EXPECT_EQ(Find(p, "service.web").depends_on, (std::vector<std::string>{"service.app"}));
  EXPECT_EQ(Find(p, "label.b").depends_on, (std::vector<std::string>{"node.b"}));
}

TEST_F(TargetTest, DeletesRunInReverseOrder) {
  desired_.clear();
  Have("node.a", 1);
  Have("label.a", 1, {"node.a"});
  Have("service.store", 1, {"label.a"});
  Have("service.app", 1, {"service.store"});
  Plan p = Make();
  EXPECT_EQ(Find(p, "node.a").depends_on, (std::vector<std::string>{"label.a"}));
  EXPECT_EQ(Find(p, "label.a").depends_on, (std::vector<std::string>{"service.store"}));
  EXPECT_EQ(Find(p, "service.store").depends_on, (std::vector<std::string>{"service.app"}));
  EXPECT_TRUE(Find(p, "service.app").depends_on.empty());
}

TEST_F(TargetTest, ExcludingADeleteKeepsWhatItNeeds) {
  // Machine a is gone from the layout, but --exclude service.store keeps
  // the store running on it: its label and node must stay too, while its
  // dependent service.app may still be deleted.
  desired_.clear();
  Have("node.a", 1);
  Have("label.a", 1, {"node.a"});
  Have("service.store", 1, {"label.a"});
  Have("service.app", 1, {"service.store"});
  PlanOptions opt;
  opt.excludes = {"service.store"};
  Plan p = Make(opt);
  EXPECT_EQ(Changing(p), (std::set<std::string>{"service.app"}));
  EXPECT_EQ(Find(p, "node.a").notes, (std::vector<std::string>{"left out by --target/--exclude: delete"}));
}

TEST_F(TargetTest, ExcludingAnUpdateLeavesOutDependentUpdatesOnly) {
  for (const auto& [addr, d] : desired_) Have(addr, 1, d.resource_deps);
  for (const char* a : {"service.store", "service.app", "service.other"}) {
    desired_[a].attributes = {{"v", 2}};
    desired_[a].hash = "h2";
  }
  PlanOptions opt;
  opt.excludes = {"service.store"};
  EXPECT_EQ(Changing(Make(opt)), (std::set<std::string>{"service.other"}));
}

TEST_F(TargetTest, DeleteWaitsForTheUpdateOfAFormerDependent) {
  // service.other ran on machine b; b leaves the layout, so service.other
  // is updated (it no longer needs label.b) and must be updated before
  // label.b and node.b are deleted.
  for (const auto& [addr, d] : desired_) Have(addr, 1, d.resource_deps);
  desired_.erase("node.b");
  desired_.erase("label.b");
  desired_["service.other"].resource_deps.clear();
  desired_["service.other"].attributes = {{"v", 2}};
  desired_["service.other"].hash = "h2";
  Plan p = Make();
  EXPECT_EQ(TypeOf(p, "service.other"), "update");
  EXPECT_EQ(Find(p, "label.b").depends_on, (std::vector<std::string>{"service.other"}));
  EXPECT_EQ(Find(p, "node.b").depends_on, (std::vector<std::string>{"label.b"}));
  EXPECT_TRUE(Find(p, "service.other").depends_on.empty());
}

TEST_F(TargetTest, CreatesDoNotWaitForDeletesAndViceVersa) {
  Have("service.old", 1, {"node.a"});  // recorded dependent of node.a, now removed
  Plan p = Make();
  EXPECT_EQ(TypeOf(p, "service.old"), "delete");
  EXPECT_TRUE(Find(p, "service.old").depends_on.empty());
  EXPECT_TRUE(Find(p, "node.a").depends_on.empty());
}

TEST(LinkActionsTest, RecomputesDependsOn) {
  Plan p;
  auto add = [&](const std::string& addr, ActionType t, std::vector<std::string> deps) {
    Action a;
    a.address = addr;
    a.kind = *graph::KindOfAddress(addr);
    a.type = t;
    a.resource_deps = std::move(deps);
    a.depends_on = {"stale"};
    p.actions.push_back(a);
  };
  add("service.a", ActionType::kCreate, {});
  add("service.b", ActionType::kNoOp, {"service.a"});
  add("service.c", ActionType::kNoOp, {"service.b"});
  add("service.d", ActionType::kUpdate, {"service.c", "service.unknown"});
  LinkActions(&p);
  EXPECT_TRUE(p.actions[0].depends_on.empty());
  EXPECT_TRUE(p.actions[1].depends_on.empty());
  EXPECT_EQ(p.actions[3].depends_on, (std::vector<std::string>{"service.a"})) << "two no-ops deep";
}

TEST(LinkActionsTest, DeletesLinkThroughNoOpsToTheirDependentsDeletes) {
  Plan p;
  auto add = [&](const std::string& addr, ActionType t, std::vector<std::string> deps) {
    Action a;
    a.address = addr;
    a.kind = *graph::KindOfAddress(addr);
    a.type = t;
    a.resource_deps = std::move(deps);
    p.actions.push_back(a);
  };
  add("node.a", ActionType::kDelete, {});
  add("service.keep", ActionType::kNoOp, {"node.a"});
  add("service.x", ActionType::kDelete, {"service.keep"});
  add("service.y", ActionType::kCreate, {"node.a"});  // a create is never waited for by a delete
  LinkActions(&p);
  EXPECT_EQ(p.actions[0].depends_on, (std::vector<std::string>{"service.x"}));
  EXPECT_TRUE(p.actions[3].depends_on.empty()) << "a create does not wait for a delete";
}

// The real render handler over a temporary .paiplan directory.
class RenderPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("paiplan-planner-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    env_.paiplan_dir = dir_.string();
    env_.now = [] { return std::string("2024-01-01T00:00:00Z"); };
    handlers_[graph::Kind::kRender] = MakeRenderHandler(env_);
    Desired d;
    d.address = "render.app/app.yaml";
    d.kind = graph::Kind::kRender;
    d.content = "replicas: 2\n";
    d.hash = Sha256Hex(d.content);
    d.attributes = {{"service", "app"}, {"file", "app.yaml"}, {"sha256", d.hash}};
    desired_[d.address] = d;
    snap_.resources[d.address] = {{"kind", "render"}, {"attributes", d.attributes}, {"hash", d.hash},
                                  {"last_outcome", "success"}, {"content", d.content}};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path() { return RenderPath(dir_.string(), "app", "app.yaml"); }
  Action PlanIt() {
    Diagnostics diags;
    Plan p = MakePlan(desired_, snap_, handlers_, {}, &diags);
    EXPECT_EQ(p.actions.size(), 1u);
    return p.actions.at(0);
  }

  std::filesystem::path dir_;
  Env env_;
  Handlers handlers_;
  std::map<std::string, Desired> desired_;
  state::Snapshot snap_;
};

TEST_F(RenderPlanTest, FileAsRecordedIsNoOp) {
  ASSERT_TRUE(fs::MakeDirs(fs::Dirname(Path())).ok());
  ASSERT_TRUE(fs::WriteFileAtomic(Path(), "replicas: 2\n", 0644).ok());
  EXPECT_EQ(PlanIt().type, ActionType::kNoOp);
}

TEST_F(RenderPlanTest, MissingFileIsRewritten) {
  Action a = PlanIt();
  EXPECT_EQ(a.type, ActionType::kUpdate);
  EXPECT_EQ(a.reason, "rendered file missing: app.yaml");
}

TEST_F(RenderPlanTest, EditedFileIsRewritten) {
  ASSERT_TRUE(fs::MakeDirs(fs::Dirname(Path())).ok());
  ASSERT_TRUE(fs::WriteFileAtomic(Path(), "replicas: 9\n", 0644).ok());
  Action a = PlanIt();
  EXPECT_EQ(a.type, ActionType::kUpdate);
  EXPECT_EQ(a.reason, "rendered file edited: app.yaml");
}

TEST_F(RenderPlanTest, TemplateChangeIsExplained) {
  desired_.begin()->second.content = "replicas: 3\n";
  desired_.begin()->second.hash = Sha256Hex("replicas: 3\n");
  Action a = PlanIt();
  EXPECT_EQ(a.type, ActionType::kUpdate);
  EXPECT_EQ(a.reason, "rendered app.yaml changed");
  EXPECT_EQ(a.content, "replicas: 3\n");
}

TEST_F(RenderPlanTest, ApplyWritesTheFileAndTheRecord) {
  Action a = PlanIt();
  ApplyContext ctx;
  ctx.log = [](std::string_view) {};
  ApplyResult r = handlers_[graph::Kind::kRender]->Apply(a, ctx);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(*fs::ReadFile(Path()), "replicas: 2\n");
  ASSERT_EQ(r.batch.puts.size(), 1u);
  EXPECT_EQ(r.batch.puts[0].second.value("hash", ""), Sha256Hex("replicas: 2\n"));
  EXPECT_EQ(r.batch.puts[0].second.value("last_outcome", ""), "success");
  // And now the plan is empty.
  snap_.resources[a.address] = r.batch.puts[0].second;
  EXPECT_EQ(PlanIt().type, ActionType::kNoOp);
}

}  // namespace
}  // namespace paiplan::plan
