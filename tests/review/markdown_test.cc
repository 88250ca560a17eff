// PlanToMarkdown on plans built in memory: the size limit (largest diffs left
// out first, named, and how to see them), fences that survive backticks,
// masking and escaping.
#include <gtest/gtest.h>

#include "engine/plan/plan_markdown.h"
#include "engine/plan/plan_review.h"

namespace paiplan::plan {
namespace {

Action RenderUpdate(const std::string& service, const std::string& file, size_t diff_lines) {
  Action a;
  a.address = "render." + service + "/" + file;
  a.kind = graph::Kind::kRender;
  a.type = ActionType::kUpdate;
  a.reason = "rendered " + file + " changed";
  a.before = {{"service", service}, {"file", file}};
  a.after = a.before;
  a.diff = "--- a/" + file + "\n+++ b/" + file + "\n@@ -1 +1 @@\n";
  for (size_t i = 0; i < diff_lines; ++i) a.diff += "+line " + std::to_string(i) + " of " + file + "\n";
  return a;
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(PlanMarkdownTest, SmallPlanKeepsEveryDiff) {
  Plan p;
  p.actions = {RenderUpdate("a", "x.yaml", 3), RenderUpdate("b", "y.yaml", 2)};
  std::string md = PlanToMarkdown(p, {});
  EXPECT_EQ(Occurrences(md, "<details>"), 2u);
  EXPECT_EQ(Occurrences(md, "```diff\n"), 2u);
  EXPECT_NE(md.find("| render | 0 | 2 | 0 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("left out"), std::string::npos) << md;
}

TEST(PlanMarkdownTest, LargestDiffsAreLeftOutFirstAndNamed) {
  Plan p;
  // 40 diffs of ~2.5 KB plus two of ~40 KB: ~180 KB in all.
  for (int i = 0; i < 40; ++i) p.actions.push_back(RenderUpdate("svc" + std::to_string(100 + i), "f.yaml", 100));
  p.actions.push_back(RenderUpdate("huge1", "big.yaml", 1500));
  p.actions.push_back(RenderUpdate("huge2", "big.yaml", 1600));
  MarkdownOptions opt;
  opt.see_hint = "`paiplan show pr.plan`";
  std::string md = PlanToMarkdown(p, opt);
  EXPECT_LE(md.size(), 65000u);
  EXPECT_GT(md.size(), 50000u) << "left out more than needed";
  EXPECT_EQ(Occurrences(md, "<details>"), 42u) << "every action is still listed";
  // The two huge ones go first (larger first), then as many small ones as needed.
  auto note = md.find("Too large for one comment");
  ASSERT_NE(note, std::string::npos) << md.substr(0, 3000);
  auto h2 = md.find("<code>render.huge2/big.yaml</code>", note), h1 = md.find("<code>render.huge1/big.yaml</code>", note);
  ASSERT_NE(h2, std::string::npos);
  ASSERT_NE(h1, std::string::npos);
  EXPECT_LT(h2, h1) << "the largest diff is named first";
  EXPECT_NE(md.find("See everything with `paiplan show pr.plan`"), std::string::npos);
  EXPECT_EQ(md.find("+line 1599 of big.yaml"), std::string::npos) << "the huge diff is still there";
  size_t kept = Occurrences(md, "```diff\n"), left = Occurrences(md, "*Diff left out (");
  EXPECT_EQ(kept + left, 42u);
  EXPECT_GE(left, 2u);
  EXPECT_LT(left, 42u) << "small diffs that fit were left out";
  // Byte-stable.
  EXPECT_EQ(md, PlanToMarkdown(p, opt));
}

TEST(PlanMarkdownTest, TooManyActionsForEvenTheHeadsAreCounted) {
  Plan p;
  for (int i = 0; i < 3000; ++i) p.actions.push_back(RenderUpdate("service-" + std::to_string(10000 + i), "f.yaml", 1));
  std::string md = PlanToMarkdown(p, {});
  EXPECT_LE(md.size(), 65000u);
  auto pos = md.find("action(s) are not listed");
  ASSERT_NE(pos, std::string::npos) << md.substr(0, 2000);
  size_t listed = Occurrences(md, "<details>");
  EXPECT_GT(listed, 100u);
  EXPECT_NE(md.find("The last " + std::to_string(3000 - listed) + " action(s)"), std::string::npos);
}

TEST(PlanMarkdownTest, FenceOutgrowsBackticksInTheDiff) {
  Plan p;
  Action a = RenderUpdate("doc", "README.md", 0);
  a.diff += "+```bash\n+make\n+```\n";
  p.actions = {a};
  std::string md = PlanToMarkdown(p, {});
  EXPECT_NE(md.find("````diff\n"), std::string::npos) << md;
  EXPECT_NE(md.find("\n````\n"), std::string::npos) << md;
}

TEST(PlanMarkdownTest, SecretsAndMarkupAreNeutralised) {
  Plan p;
  Action a;
  a.address = "config.cluster";
  a.kind = graph::Kind::kConfig;
  a.type = ActionType::kUpdate;
  a.reason = "<script>alert(1)</script> changed *token* s3cr3t-value";
  a.before = {{"config", {{"admin-password", "old-pass-1"}, {"port", 1}}}};
  a.after = {{"config", {{"admin-password", "new-pass-2"}, {"port", 2}}}};
  p.actions = {a};
  MarkdownOptions opt;
  opt.secrets = {"s3cr3t-value"};
  std::string md = PlanToMarkdown(p, opt);
  for (const char* s : {"s3cr3t-value", "old-pass-1", "new-pass-2", "<script>"}) EXPECT_EQ(md.find(s), std::string::npos) << s << "\n" << md;
  EXPECT_NE(md.find("&lt;script&gt;"), std::string::npos) << md;
  EXPECT_NE(md.find("- config.port = 1\n+ config.port = 2\n"), std::string::npos) << md;
  EXPECT_NE(md.find("(sensitive)"), std::string::npos) << md;
}

TEST(PlanMarkdownTest, NoChanges) {
  Plan p;
  Action a = RenderUpdate("a", "x", 1);
  a.type = ActionType::kNoOp;
  p.actions = {a};
  std::string md = PlanToMarkdown(p, {});
  EXPECT_NE(md.find("No changes."), std::string::npos) << md;
  EXPECT_EQ(md.find("<details>"), std::string::npos) << md;
}

TEST(PlanReviewTest, AnchorsAreUniqueAndSafe) {
  EXPECT_EQ(AnchorOf("render.a/b.yaml"), "a-render-2Ea-2Fb-2Eyaml");
  EXPECT_NE(AnchorOf("render.a-b/c"), AnchorOf("render.a/b-c"));
  EXPECT_EQ(ServiceOfAddress("render.grafana/x.yaml"), "grafana");
  EXPECT_EQ(ServiceOfAddress("service.grafana"), "grafana");
  EXPECT_EQ(ServiceOfAddress("node.w1"), "");
}

}  // namespace
}  // namespace paiplan::plan
