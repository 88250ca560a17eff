// `apply --json` and `destroy --json`: stdout is one JSON event per line
// (docs/apply-json.md), parsed here event by event, while the services'
// scripts print their rendered files (a secret included) and paiplan prints
// its warnings, errors and text summary to stderr.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char kSecret[] = "Pa55-json-stream-secret";

// Every stdout line parsed; fails the test on a line that is not one JSON
// object with the envelope.
std::vector<nlohmann::json> Events(const std::string& out) {
  std::vector<nlohmann::json> events;
  std::istringstream in(out);
  const std::set<std::string> types = {"planned", "started", "progress", "completed", "errored", "summary"};
  for (std::string line; std::getline(in, line);) {
    auto e = nlohmann::json::parse(line, nullptr, false);
    if (e.is_discarded() || !e.is_object()) {
      ADD_FAILURE() << "not a JSON object: " << line;
      continue;
    }
    EXPECT_EQ(e.value("format_version", ""), "1.0") << line;
    EXPECT_TRUE(types.count(e.value("type", ""))) << line;
    EXPECT_TRUE(e.contains("timestamp")) << line;
    events.push_back(e);
  }
  EXPECT_TRUE(out.empty() || out.back() == '\n');
  return events;
}

// Checks the order rules: planned before anything ran, each started action
// ends once (completed or errored), summary last and once.
void CheckOrder(const std::vector<nlohmann::json>& ev) {
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back()["type"], "summary");
  std::set<std::string> planned, started, ended;
  bool running = false;
  for (size_t i = 0; i < ev.size(); ++i) {
    const auto& e = ev[i];
    std::string t = e["type"], addr = e.value("address", "");
    if (t == "planned") {
      EXPECT_FALSE(running) << "planned after the apply began: " << e;
      planned.insert(addr);
    } else if (t == "started") {
      running = true;
      EXPECT_TRUE(planned.count(addr)) << e;
      EXPECT_TRUE(started.insert(addr).second) << "started twice: " << e;
    } else if (t == "completed" || (t == "errored" && e["outcome"] == "failed")) {
      EXPECT_TRUE(started.count(addr)) << "ended without starting: " << e;
      EXPECT_TRUE(ended.insert(addr).second) << "ended twice: " << e;
    } else if (t == "errored") {
      EXPECT_EQ(e["outcome"], "skipped") << e;
      EXPECT_FALSE(started.count(addr)) << "a skipped action had started: " << e;
      EXPECT_TRUE(ended.insert(addr).second) << e;
    } else if (t == "summary") {
      EXPECT_EQ(i, ev.size() - 1) << "summary before the end";
    }
  }
  EXPECT_EQ(started, std::set<std::string>(started.begin(), started.end()));
  for (const auto& a : started) EXPECT_TRUE(ended.count(a)) << a << " started but never ended";
}

std::vector<nlohmann::json> OfType(const std::vector<nlohmann::json>& ev, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& e : ev) if (e["type"] == type) out.push_back(e);
  return out;
}

TEST(CliApplyJsonTest, StreamHasEveryEventInOrderWithFailuresSkipsAndMaskedSecrets) {
  TestWorkspace ws;
  ws.AddService("t-dep", {"t-app"});
  ws.WriteServicesConfig(std::string("t-app:\n  admin-password: ") + kSecret + "\n");
  ws.Set("all", "start", "echo");  // every script prints its rendered files to its stdout
  ws.Set("t-app", "start", "fail");  // its error carries its output, the password included
  RunResult r = ws.Paiplan({"--json", "apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_THAT(r.out, Not(HasSubstr(kSecret)));
  EXPECT_THAT(r.err, Not(HasSubstr(kSecret)));
  EXPECT_THAT(r.err, HasSubstr("error: service.t-app: start-script"));  // errors went to stderr
  auto ev = Events(r.out);
  CheckOrder(ev);

  std::map<std::string, std::string> planned;
  for (const auto& e : OfType(ev, "planned")) planned[e["address"]] = e["action"];
  EXPECT_EQ(planned["service.t-app"], "create");
  EXPECT_EQ(planned["node.node-0"], "create");
  EXPECT_EQ(planned.size(), 13u);  // the node, 6 services, 6 renders
  auto errored = OfType(ev, "errored");
  std::map<std::string, std::string> outcome;
  for (const auto& e : errored) outcome[e["address"]] = e["outcome"];
  EXPECT_EQ(outcome, (std::map<std::string, std::string>{{"service.t-app", "failed"}, {"service.t-dep", "skipped"}}));
  for (const auto& e : errored) {
    if (e["outcome"] == "failed") {
      EXPECT_THAT(e["error"].get<std::string>(), HasSubstr("exited with status 1"));
      EXPECT_THAT(e["error"].get<std::string>(), HasSubstr("(sensitive)"));
    } else {
      EXPECT_EQ(e["because_of"], "service.t-app");
    }
  }
  EXPECT_EQ(OfType(ev, "completed").size(), 11u);
  EXPECT_FALSE(OfType(ev, "progress").empty());
  auto sum = ev.back();
  EXPECT_EQ(sum["operation"], "apply");
  EXPECT_EQ(sum["outcome"], "problems");
  EXPECT_EQ(sum["done"], 11);
  EXPECT_EQ(sum["failed"], 1);
  EXPECT_EQ(sum["skipped"], 1);
  // The same summary as the text: its line is on stderr.
  std::string message = sum["message"];
  EXPECT_EQ(message, "Apply finished with problems. Actions: 11 done, 1 failed, 1 skipped, 0 not started.");
  EXPECT_THAT(r.err, HasSubstr(message + " Logs: "));
}

TEST(CliApplyJsonTest, DestroyStreamEndsWithTheDestroySummary) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  ws.Set("all", "stop", "echo");
  RunResult r = ws.Paiplan({"--json", "destroy", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto ev = Events(r.out);
  CheckOrder(ev);
  for (const auto& e : OfType(ev, "planned")) EXPECT_EQ(e["action"], "delete") << e;
  EXPECT_EQ(OfType(ev, "completed").size(), OfType(ev, "planned").size());
  EXPECT_EQ(ev.back()["operation"], "destroy");
  EXPECT_EQ(ev.back()["outcome"], "complete");
  EXPECT_EQ(ev.back()["message"], "Destroy complete! Actions: 11 done, 0 failed, 0 skipped, 0 not started.");
}

// The deterministic part of a stream, byte for byte: the planned lines
// (without their timestamps) and the summary's message.
TEST(CliApplyJsonTest, TargetedDestroyPlannedEventsAreGolden) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  RunResult r = ws.Paiplan({"--json", "destroy", "--target", "service.t-store", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  std::string planned;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    auto e = nlohmann::ordered_json::parse(line);
    if (e["type"] != "planned") continue;
    e.erase("timestamp");
    planned += e.dump() + "\n";
  }
  EXPECT_EQ(planned,
            "{\"format_version\":\"1.0\",\"type\":\"planned\",\"address\":\"service.t-app\",\"action\":\"delete\","
            "\"reason\":\"destroy requested\",\"depends_on\":[]}\n"
            "{\"format_version\":\"1.0\",\"type\":\"planned\",\"address\":\"service.t-store\",\"action\":\"delete\","
            "\"reason\":\"destroy requested\",\"depends_on\":[\"service.t-app\"]}\n");
  auto ev = Events(r.out);
  EXPECT_EQ(ev.back()["message"], "Destroy complete! Actions: 2 done, 0 failed, 0 skipped, 0 not started.");
}

TEST(CliApplyJsonTest, NoApprovalNoChangesAndEarlyErrorsKeepTheStreamValid) {
  TestWorkspace ws;
  RunResult r = ws.Paiplan({"--json", "apply"});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("--json apply cannot ask for approval: add --auto-approve"));
  EXPECT_TRUE(ws.Calls().empty());

  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  r = ws.Paiplan({"--json", "apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto ev = Events(r.out);
  ASSERT_EQ(ev.size(), 1u) << r.out;
  EXPECT_EQ(ev[0]["type"], "summary");
  EXPECT_EQ(ev[0]["message"], "No changes.");

  // A saved plan made stale: refused, and the stream still ends with a summary.
  std::string file = ws.Path("p.plan");
  ASSERT_EQ(ws.Paiplan({"plan", "--replace", "service.t-side", "-o", file}).exit_code, 0);
  ASSERT_EQ(ws.Paiplan({"state", "rm", "service.t-side"}).exit_code, 0);
  r = ws.Paiplan({"--json", "apply", file});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  ev = Events(r.out);
  ASSERT_EQ(ev.size(), 1u) << r.out;
  EXPECT_EQ(ev[0]["outcome"], "error");
  EXPECT_EQ(ev[0]["exit_code"], 1);
  EXPECT_THAT(r.err, HasSubstr("plan is stale"));
}

}  // namespace
}  // namespace paiplan::integration
