// `paiplan show FILE --format markdown|html` and `plan --format ...` through
// the real binary, on the golden plan tests/testdata/review/plan.json (a
// saved plan with creates, updates, a replace and deletes of every kind, and
// secrets under sensitive keys). Golden files: plan.md and plan.nograph.html
// (the page made without Graphviz, so the golden does not depend on its
// version); the page with the graph is checked by structure here and in a
// browser by browser_test.mjs.
//
// Rewrite the golden files with: UPDATE_GOLDEN=1 ./review_cli_test
#include <gtest/gtest.h>

#include <unistd.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/plan/cli_harness.h"

namespace paiplan {
namespace {

const std::string kData = std::string(PAIPLAN_TEST_DIR) + "/testdata/review/";
const std::string kPlan = kData + "plan.json";

struct Out {
  int exit_code = -1;
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs paiplan with a clean environment whose PATH is `path`.
Out Paiplan(const std::string& args, const std::string& path = "/usr/local/bin:/usr/bin:/bin") {
  // One file per process: ctest -j runs these tests as separate processes at once.
  std::string err_file = ::testing::TempDir() + "/review_cli_stderr." + std::to_string(::getpid());
  std::string cmd = "env -i HOME=/nonexistent LANG=C.UTF-8 PATH='" + path + "' '" + PAIPLAN_BINARY + "' " + args +
                    " 2>'" + err_file + "'";
  Out o;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return o;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) o.out.append(buf, n);
  int st = ::pclose(p);
  o.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  o.err = Slurp(err_file);
  return o;
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = kData + name;
  if (::getenv("UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(Slurp(path), actual) << "golden " << path << " differs (UPDATE_GOLDEN=1 rewrites it)";
}

nlohmann::json PlanDoc() { return nlohmann::json::parse(Slurp(kPlan)); }

std::vector<nlohmann::json> Changing() {
  std::vector<nlohmann::json> out;
  nlohmann::json doc = PlanDoc();
  for (const auto& a : doc["actions"])
    if (a["action"] != "no-op") out.push_back(a);
  return out;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// Every secret of the fixture: values under sensitive keys, in any action.
const std::vector<std::string> kSecrets = {"demo-password", "fixture-api-token-9f8e7d", "demo-token-value"};

TEST(ReviewCliTest, FixtureHasEveryActionAndSecrets) {
  std::set<std::string> actions, kinds;
  for (const auto& a : Changing()) {
    actions.insert(a["action"].get<std::string>());
    kinds.insert(a["kind"].get<std::string>());
  }
  EXPECT_EQ(actions, (std::set<std::string>{"create", "delete", "replace", "update"}));
  EXPECT_GE(kinds.size(), 3u);
  std::string raw = Slurp(kPlan);
  for (const auto& s : kSecrets) EXPECT_NE(raw.find(s), std::string::npos) << "the fixture must hold " << s;
}

TEST(ReviewCliTest, MarkdownMatchesGolden) {
  Out a = Paiplan("show '" + kPlan + "' --format markdown"), b = Paiplan("show '" + kPlan + "' --format markdown");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out) << "not byte-stable";
  ExpectGolden("plan.md", a.out);
  for (const auto& s : kSecrets) EXPECT_EQ(a.out.find(s), std::string::npos) << "secret printed: " << s;
  auto changing = Changing();
  EXPECT_EQ(Count(a.out, "<details>"), changing.size());
  for (const auto& x : changing)
    EXPECT_EQ(Count(a.out, " " + x["address"].get<std::string>() + "</code> " + x["action"].get<std::string>()), 1u)
        << x["address"];
  EXPECT_NE(a.out.find("| **total** |"), std::string::npos);
  EXPECT_LE(a.out.size(), 65000u);
}

TEST(ReviewCliTest, HtmlWithoutGraphvizMatchesGoldenAndSaysWhy) {
  Out a = Paiplan("show '" + kPlan + "' --format html", "/nonexistent");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.err.find("Graphviz `dot` was not found on PATH"), std::string::npos) << a.err;
  EXPECT_NE(a.out.find("id=\"no-graph\""), std::string::npos);
  EXPECT_EQ(a.out.find("<svg"), std::string::npos);
  ExpectGolden("plan.nograph.html", a.out);
}

TEST(ReviewCliTest, HtmlIsSelfContainedWithOneGraphNodePerAction) {
  Out a = Paiplan("show '" + kPlan + "' --format html"), b = Paiplan("show '" + kPlan + "' --format html");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out) << "not byte-stable";
  EXPECT_TRUE(a.err.empty()) << a.err;
  const std::string& h = a.out;
  for (const auto& s : kSecrets) EXPECT_EQ(h.find(s), std::string::npos) << "secret printed: " << s;
  EXPECT_NE(h.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  // Nothing to fetch: no src, no external href, no stylesheet link, no url().
  for (const char* bad : {" src=", "<link", "url(", "@import", "href=\"http", "href='http"})
    EXPECT_EQ(h.find(bad), std::string::npos) << bad;
  auto changing = Changing();
  EXPECT_EQ(Count(h, "<details class=\"action\""), changing.size());
  EXPECT_EQ(Count(h, "class=\"node "), changing.size());
  // Each node links to its section, coloured by its action.
  for (const auto& x : changing) {
    std::string addr = x["address"], act = x["action"];
    std::smatch m;
    // Graphviz writes '-' as "&#45;" in the SVG's text.
    std::string title = std::regex_replace(addr, std::regex(R"([.^$|()\[\]{}*+?\\/])"), R"(\$&)");
    title = std::regex_replace(title, std::regex("-"), "&#45;");
    std::regex node("<title>" + title +
                    "</title>\\s*<g id=\"[^\"]*\"><a xlink:href=\"#([^\"]+)\"");
    ASSERT_TRUE(std::regex_search(h, m, node)) << addr;
    EXPECT_NE(h.find("<details class=\"action\" id=\"" + m[1].str() + "\" data-kind=\"" + x["kind"].get<std::string>() +
                     "\" data-action=\"" + act + "\""),
              std::string::npos)
        << addr;
  }
  EXPECT_NE(h.find("<span class=\"add\">"), std::string::npos);
  EXPECT_NE(h.find("<span class=\"del\">"), std::string::npos);
}

TEST(ReviewCliTest, ShowFormatNeedsAPlanFile) {
  Out a = Paiplan("-C /nonexistent show --format markdown");
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_NE(a.err.find("needs a saved plan file"), std::string::npos) << a.err;
  EXPECT_TRUE(a.out.empty());
  Out b = Paiplan("show '" + kPlan + "' --format pdf");
  EXPECT_NE(b.exit_code, 0);
  EXPECT_NE(b.err.find("pdf"), std::string::npos) << b.err;
}

TEST(ReviewCliTest, PlanFormatMarkdownOnAWorkspace) {
  testing_util::LocalWorkspace ws;
  std::string out = ws.Path("pr.plan");
  auto r = ws.Run({"plan", "--format", "markdown", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("### paiplan plan\n")) << r.out;
  EXPECT_EQ(r.out.find("Saved the plan"), std::string::npos) << "stdout must be only the comment";
  EXPECT_NE(r.err.find("Saved the plan to " + out), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("| **total** |"), std::string::npos) << r.out;
  // The saved plan shows the same comment.
  Out s = Paiplan("show '" + out + "' --format markdown");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(std::regex_replace(s.out, std::regex("paiplan show [^`]*`"), ""),
            std::regex_replace(r.out, std::regex("paiplan show [^`]*`"), ""));
  auto h = ws.Run({"plan", "--format", "html"});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_TRUE(h.out.starts_with("<!DOCTYPE html>")) << h.out.substr(0, 200);
  EXPECT_NE(h.out.find("<svg"), std::string::npos);
}

}  // namespace
}  // namespace paiplan
