// Unit tests of the Jinja2 renderer: API behaviour and error messages with
// NAME:LINE:COLUMN. Output conformance with Python lives in conformance_test.cc.
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/template/jinja.h"

namespace paiplan::tmpl {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ErrorOf(std::string_view text, const nlohmann::ordered_json& ctx = nlohmann::ordered_json::object()) {
  auto r = Render(text, ctx, "t.j2");
  EXPECT_FALSE(r.has_value()) << "rendered: " << (r ? *r : "");
  if (r) return "";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().message();
}

TEST(JinjaTest, RendersVariablesFromOrderedContext) {
  auto ctx = nlohmann::ordered_json::parse(R"({"z": 1, "a": 2})");
  auto r = Render("{% for k in d %}{{ k }}{% endfor %}", nlohmann::ordered_json{{"d", ctx}}, "t");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, "za");
}

TEST(JinjaTest, PlainJsonOverloadWorks) {
  nlohmann::json ctx = {{"name", "x"}};
  auto r = Render("hi {{ name }}", ctx, "t");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, "hi x");
}

TEST(JinjaTest, UnexpectedEndNamesOpeningLine) {
  std::string msg = ErrorOf("a\n{% for x in y %}\n{{ x }}\n");
  EXPECT_THAT(msg, StartsWith("t.j2:3:"));
  EXPECT_THAT(msg, HasSubstr("'for' block opened at line 2 is not closed"));
  EXPECT_THAT(msg, HasSubstr("'endfor'"));
}

TEST(JinjaTest, UnknownTagHasLineAndColumn) {
  EXPECT_EQ(ErrorOf("ab\n  {% frob %}"), "t.j2:2:6: Encountered unknown tag 'frob'.");
}

TEST(JinjaTest, UnknownFilterHasPosition) {
  EXPECT_EQ(ErrorOf("{{ x | nosuch }}"), "t.j2:1:8: No filter named 'nosuch'.");
}

TEST(JinjaTest, UnknownFilterInIfFailsOnlyWhenRun) {
  auto r = Render("{% if false %}{{ x|nosuch }}{% endif %}ok", nlohmann::ordered_json::object(), "t");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, "ok");
  EXPECT_THAT(ErrorOf("{% if true %}\n{{ x|nosuch }}{% endif %}"), StartsWith("t.j2:2:6: No filter"));
}

TEST(JinjaTest, ExpectedTokenMessage) {
  EXPECT_EQ(ErrorOf("{{ x "), "t.j2:1:6: expected end of print statement, got end of template");
  EXPECT_EQ(ErrorOf("{% if x y %}{% endif %}"), "t.j2:1:9: expected end of statement block, got 'y'");
}

TEST(JinjaTest, SubscriptOfUndefinedIsRuntimeErrorWithPosition) {
  auto ctx = nlohmann::ordered_json::parse(R"({"cfg": {"layout": {}}})");
  std::string msg = ErrorOf("line1\n  {{ cfg['layout']['machines']['x'] }}", ctx);
  EXPECT_EQ(msg, "t.j2:2:31: cfg['layout']['machines'] is undefined, cannot subscript it with 'x'");
  EXPECT_EQ(ErrorOf("{{ cfg.b.c }}", ctx), "t.j2:1:10: cfg.b is undefined, cannot read attribute 'c'");
  EXPECT_EQ(ErrorOf("{{ x.split(',') }}", ctx), "t.j2:1:6: x is undefined, cannot call .split()");
}

TEST(JinjaTest, TypeErrorsAreReported) {
  EXPECT_THAT(ErrorOf("{{ 'a' + 1 }}"), HasSubstr("unsupported operand type(s) for +: 'str' and 'int'"));
  EXPECT_THAT(ErrorOf("{{ 1 // 0 }}"), HasSubstr("division by zero"));
  EXPECT_THAT(ErrorOf("\n\n{{ 1 < 'a' }}"), StartsWith("t.j2:3:4:"));
}

TEST(JinjaTest, UnclosedCommentAndStrings) {
  EXPECT_EQ(ErrorOf("x\n{# open"), "t.j2:2:1: Missing end of comment tag");
  EXPECT_THAT(ErrorOf("{{ 'abc }}"), StartsWith("t.j2:1:4: unexpected char"));
}

TEST(JinjaTest, ParseOnceRenderManyWithDifferentContexts) {
  auto t = Template::Parse("{% for h in hosts %}{{ h }}{% if not loop.last %},{% endif %}{% endfor %}", "t");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t->Render(nlohmann::ordered_json{{"hosts", {"a", "b"}}}), "a,b");
  EXPECT_EQ(*t->Render(nlohmann::ordered_json{{"hosts", {"c"}}}), "c");
  EXPECT_EQ(*t->Render(nlohmann::ordered_json::object()), "");
}

TEST(JinjaTest, ConcurrentRendersOfOneTemplate) {
  auto t = Template::Parse("{% set l = [] %}{% for i in range(n) %}{% set _ = l.append(i) %}{% endfor %}{{ l|sum }}",
                           "t");
  ASSERT_TRUE(t.has_value());
  std::vector<std::thread> threads;
  std::vector<std::string> out(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 200; ++k) out[i] = t->Render(nlohmann::ordered_json{{"n", 100 + i}}).value_or("error");
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i], std::to_string((100 + i) * (99 + i) / 2));
}

TEST(JinjaTest, ContextMustBeAnObject) {
  auto t = Template::Parse("x", "t");
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(t->Render(nlohmann::ordered_json::array()).has_value());
}

}  // namespace
}  // namespace paiplan::tmpl

namespace paiplan::tmpl {
namespace {

// Intentional extension (issue 7): OpenPAI templates were written for Python 2
// and call dict.iteritems(); Jinja2 on Python 3 fails there, we alias items().
TEST(JinjaTest, IteritemsIsAnAliasOfItems) {
  auto ctx = nlohmann::ordered_json::parse(R"({"d": {"x": "1", "y": "2"}})");
  auto r = Render("{% for k, v in d.iteritems() %}{{ k }}={{ v }};{% endfor %}", ctx, "t");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, "x=1;y=2;");
}

}  // namespace
}  // namespace paiplan::tmpl

namespace paiplan::tmpl {
namespace {

TEST(JinjaTest, DeepNestingIsAnErrorNotACrash) {
  std::string parens = std::string(5000, '(') + "1" + std::string(5000, ')');
  EXPECT_THAT(ErrorOf("{{ " + parens + " }}"), HasSubstr("nested too deeply"));
  std::string ifs;
  for (int i = 0; i < 5000; ++i) ifs += "{% if true %}";
  EXPECT_THAT(ErrorOf(ifs), HasSubstr("nested too deeply"));
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_THAT(ErrorOf("{{ " + nots + "1 }}"), HasSubstr("nested too deeply"));
  // Ordinary nesting is fine.
  auto r = Render("{{ ((((1)))) + [[[2]]][0][0][0] }}", nlohmann::ordered_json::object(), "t");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, "3");
}

}  // namespace
}  // namespace paiplan::tmpl

namespace paiplan::tmpl {
namespace {

// Python has unbounded ints; we use 64-bit ones and report overflow instead
// of wrapping (a documented difference).
TEST(JinjaTest, IntegerOverflowIsAnError) {
  EXPECT_THAT(ErrorOf("{{ 2 ** 64 }}"), HasSubstr("integer overflow"));
  EXPECT_THAT(ErrorOf("{{ 9223372036854775807 + 1 }}"), HasSubstr("integer overflow"));
  EXPECT_THAT(ErrorOf("{{ 3037000500 * 3037000500 }}"), HasSubstr("integer overflow"));
  EXPECT_THAT(ErrorOf("{{ 2 ** 1000000000000 }}"), HasSubstr("integer overflow"));
  EXPECT_THAT(ErrorOf("{{ 'x' * 100000000000 }}"), HasSubstr("too large"));
  EXPECT_THAT(ErrorOf("{% for i in range(100000000000) %}{% endfor %}"), HasSubstr("too large"));
  auto r = Render("{{ 2 ** 62 }} {{ -9223372036854775807 - 1 }} {{ (-9223372036854775807 - 1) % -1 }}",
                  nlohmann::ordered_json::object(), "t");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, "4611686018427387904 -9223372036854775808 0");
  // A float beyond 64 bits is a Python big integer under |int: an error,
  // never a wrapped-around number.
  EXPECT_THAT(ErrorOf("{{ 9.3e18|int }}"), HasSubstr("integer out of range"));
  EXPECT_THAT(ErrorOf("{{ '1e300'|int }}"), HasSubstr("integer out of range"));
}

}  // namespace
}  // namespace paiplan::tmpl
