// Undefined values printed by {{ }}: the output stays Jinja2's (empty), and
// the renderer reports each one with its line, column and expression.
#include <gtest/gtest.h>

#include "providers/template/jinja.h"

namespace paiplan::tmpl {
namespace {

struct Rendered {
  std::string out;
  std::vector<UndefinedOutput> undefined;
};

Rendered RenderCollecting(std::string_view text, const nlohmann::ordered_json& ctx) {
  Rendered r;
  auto out = Render(text, ctx, "t.j2", &r.undefined);
  EXPECT_TRUE(out.has_value()) << out.error().message();
  if (out) r.out = *out;
  return r;
}

TEST(UndefinedTest, PrintedUndefinedValuesAreReportedAndRenderEmpty) {
  nlohmann::ordered_json ctx = {{"cfg", {{"port", 80}}}};
  Rendered r = RenderCollecting("port={{ cfg.port }}\ntimeout={{ cfg['timeout'] }}\nname={{ name }}|\n", ctx);
  EXPECT_EQ(r.out, "port=80\ntimeout=\nname=|");
  ASSERT_EQ(r.undefined.size(), 2u);
  EXPECT_EQ(r.undefined[0].line, 2);
  EXPECT_EQ(r.undefined[0].col, 12);
  EXPECT_EQ(r.undefined[0].expression, "cfg['timeout']");
  EXPECT_EQ(r.undefined[1].line, 3);
  EXPECT_EQ(r.undefined[1].expression, "name");
  EXPECT_EQ(DescribeUndefined("t.j2", r.undefined[1]), "t.j2:3:9: '{{ name }}' is undefined and renders as empty");
}

TEST(UndefinedTest, GuardedValuesAreNotReported) {
  Rendered r = RenderCollecting("{{ x | default('d') }}{% if y is defined %}{{ y }}{% endif %}", nlohmann::ordered_json::object());
  EXPECT_EQ(r.out, "d");
  EXPECT_TRUE(r.undefined.empty()) << r.undefined[0].expression;
}

TEST(UndefinedTest, OutputIsTheSameWithAndWithoutCollecting) {
  std::string text = "a={{ a }} b={{ b }} {% for i in range(2) %}{{ c }}{{ i }}{% endfor %}";
  nlohmann::ordered_json ctx = {{"a", 1}};
  auto plain = Render(text, ctx, "t.j2");
  ASSERT_TRUE(plain.has_value());
  Rendered r = RenderCollecting(text, ctx);
  EXPECT_EQ(r.out, *plain);
  EXPECT_EQ(r.undefined.size(), 3u);  // b once, c in each iteration
}

}  // namespace
}  // namespace paiplan::tmpl
