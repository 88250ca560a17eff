// The machine lifecycle's pure parts (engine/plan/node_lifecycle.h) and
// DrainNode (engine/plan/node_drain.h) over a fake KubeApi. The real API
// path is tested end to end in tests/ssh_e2e/k8s_lifecycle_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "engine/base/duration.h"
#include "engine/plan/node_drain.h"
#include "engine/plan/node_lifecycle.h"

namespace paiplan::plan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Rfc3339Test, ParsesUtcTimes) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:01:00Z"), 60);
  EXPECT_EQ(ParseRfc3339("2026-01-02T03:04:05.250Z"), ParseRfc3339("2026-01-02T03:04:05Z"));
  for (const char* bad : {"", "2026-01-02", "2026-01-02T03:04:05", "2026-01-02T03:04:05+02:00", "2026-01-02T03:04:05.Zx"})
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
}

TEST(NotReadyTest, OnlyPastTheThresholdAndNeverWhenOff) {
  std::map<std::string, NodeReadiness> nodes = {{"a", {false, "1970-01-01T00:00:00Z"}}, {"b", {true, "1970-01-01T00:00:00Z"}}};
  ojson a = NodeObservation("a", nodes, 3600);
  EXPECT_EQ(a["not_ready_seconds"], 3600);
  EXPECT_THAT(NotReadyReason(a, 600), HasSubstr("Node a is NotReady (its Ready condition is not True) for 1h, since "
                                                "1970-01-01T00:00:00Z, past nodes.repair-after 10m"));
  EXPECT_EQ(NotReadyReason(a, 7200), "") << "not yet past the threshold";
  EXPECT_EQ(NotReadyReason(a, 0), "") << "repairs off";
  EXPECT_EQ(NotReadyReason(NodeObservation("b", nodes, 3600), 600), "") << "ready";
  EXPECT_TRUE(NodeObservation("c", nodes, 3600).is_null()) << "not registered";
  EXPECT_EQ(NodeNameOf({{"hostip", "10.0.0.1"}}), "10.0.0.1");
  EXPECT_EQ(NodeNameOf({{"hostip", "10.0.0.1"}, {"nodename", "w1"}}), "w1");
}

// A cluster of pods on node "n" whose evictions are answered from a script.
class FakeKube : public KubeApi {
 public:
  std::string server() const override { return "https://fake"; }
  Result<std::map<std::string, std::map<std::string, std::string>>> ListNodeLabels() override { return {}; }
  Result<std::optional<std::map<std::string, std::string>>> GetNodeLabels(const std::string&) override {
    return std::optional<std::map<std::string, std::string>>();
  }
  Status PatchNodeLabels(const std::string&, const std::map<std::string, std::optional<std::string>>&) override {
    return Status::Ok();
  }
  Result<std::optional<KubeConfigMap>> GetConfigMap(const std::string&, const std::string&) override {
    return std::optional<KubeConfigMap>();
  }
  Status PutConfigMap(const std::string&, const std::string&, const KubeConfigMap&) override { return Status::Ok(); }
  Status DeleteConfigMap(const std::string&, const std::string&) override { return Status::Ok(); }
  Status CordonNode(const std::string& node) override {
    calls.push_back("cordon " + node);
    return registered ? Status::Ok() : Status::NotFound("nodes \"" + node + "\" not found");
  }
  Result<std::vector<nlohmann::json>> ListPodsOnNode(const std::string&) override { return pods; }
  Result<std::optional<std::string>> EvictPod(const std::string& ns, const std::string& name) override {
    calls.push_back("evict " + ns + "/" + name);
    if (refusals > 0 && name == "web-1") {
      --refusals;
      return std::optional<std::string>("Cannot evict pod (The disruption budget web-pdb needs 2 healthy pods)");
    }
    evicted.insert(name);
    return std::optional<std::string>();
  }
  Result<std::optional<nlohmann::json>> GetObject(const std::string&, const std::string&, const std::string&,
                                                  const std::string& name) override {
    for (const auto& p : pods)
      if (p["metadata"]["name"] == name && !evicted.count(name)) return std::optional<nlohmann::json>(p);
    return std::optional<nlohmann::json>();
  }

  bool registered = true;
  int refusals = 0;
  std::vector<nlohmann::json> pods;
  std::set<std::string> evicted;
  std::vector<std::string> calls;
};

nlohmann::json Pod(const std::string& name, const std::string& owner, bool mirror = false) {
  nlohmann::json meta = {{"name", name}, {"namespace", "default"}, {"uid", "u-" + name}};
  if (!owner.empty()) meta["ownerReferences"] = {{{"kind", owner}, {"name", "x"}, {"controller", true}}};
  if (mirror) meta["annotations"] = {{"kubernetes.io/config.mirror", "abc"}};
  return {{"metadata", meta}};
}

TEST(DrainTest, EvictsAllButDaemonSetAndMirrorPodsRetryingWhatABudgetRefuses) {
  FakeKube kube;
  kube.pods = {Pod("agent", "DaemonSet"), Pod("etcd-n", "", true), Pod("web-1", "ReplicaSet"), Pod("bare", "")};
  kube.refusals = 2;
  std::string log;
  Status st = DrainNode(kube, "n", {10, 0.01, nullptr}, [&](std::string_view s) { log += s; });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_THAT(kube.calls, ElementsAre("cordon n", "evict default/web-1", "evict default/bare", "evict default/web-1",
                                      "evict default/web-1"));
  EXPECT_THAT(log, HasSubstr("left on the node (DaemonSet-owned or mirror pods): default/agent, default/etcd-n"));
}

TEST(DrainTest, FailsAtTheTimeoutNamingThePodAndTheBudget) {
  FakeKube kube;
  kube.pods = {Pod("web-1", "ReplicaSet")};
  kube.refusals = 1000;
  Status st = DrainNode(kube, "n", {0.05, 0.01, nullptr}, [](std::string_view) {});
  EXPECT_EQ(st.code(), Code::kDeadlineExceeded);
  EXPECT_THAT(st.message(), HasSubstr("draining Node n: after 0s, 1 pod(s) could not be evicted: default/web-1: "
                                      "Cannot evict pod (The disruption budget web-pdb needs 2 healthy pods)"));
  EXPECT_THAT(st.message(), HasSubstr("nodes.drain-timeout"));
}

TEST(DrainTest, ANodeThatIsNotRegisteredHasNothingToDrain) {
  FakeKube kube;
  kube.registered = false;
  kube.pods = {Pod("web-1", "ReplicaSet")};
  EXPECT_TRUE(DrainNode(kube, "n", {1, 0.01, nullptr}, [](std::string_view) {}).ok());
  EXPECT_THAT(kube.calls, ElementsAre("cordon n"));
}

}  // namespace
}  // namespace paiplan::plan
