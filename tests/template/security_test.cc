// Templates from an untrusted workspace (docs/security.md): the shell_quote
// filter makes configuration values data for `source`, budgets end hostile
// templates with a NAME:LINE:COL error and the limit, and errors name the
// expression, never a value.
#include <cstdlib>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/template/budget.h"
#include "providers/template/jinja.h"
#include "providers/template/shell_quote.h"

namespace paiplan::tmpl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string ErrorOf(std::string_view text, const nlohmann::ordered_json& ctx = nlohmann::ordered_json::object()) {
  auto r = Render(text, ctx, "t.j2");
  EXPECT_FALSE(r.has_value()) << "rendered " << (r ? r->size() : 0) << " bytes";
  return r ? "" : r.error().message();
}

// Runs `script` with bash and returns what it printed.
std::string Bash(const std::string& script) {
  char path[] = "/tmp/pp_sq_XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  FILE* f = fdopen(fd, "w");
  fputs(script.c_str(), f);
  fclose(f);
  std::string out;
  FILE* p = popen(("/bin/bash " + std::string(path) + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (p) pclose(p);
  unlink(path);
  return out;
}

TEST(ShellQuoteTest, QuotesLikePythonShlex) {
  EXPECT_EQ(ShellQuote("default"), "default");
  EXPECT_EQ(ShellQuote("/data/x-1_2.3:4,5@6%7+8=9"), "/data/x-1_2.3:4,5@6%7+8=9");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\"'\"'s'");
  EXPECT_EQ(ShellQuote("$(id)"), "'$(id)'");
}

TEST(ShellQuoteTest, HostileValuesStayDataWhenSourced) {
  nlohmann::ordered_json ctx = {{"ns", "default; touch /tmp/pp_sq_pwned_1"},
                                {"path", "/data'; touch /tmp/pp_sq_pwned_2; echo '"},
                                {"sub", "$(touch /tmp/pp_sq_pwned_3)`touch /tmp/pp_sq_pwned_4`\nX=1"}};
  auto env = Render("NAMESPACE={{ ns | shell_quote }}\nDATA_PATH={{ path | shell_quote }}\nSUB={{ sub | shell_quote }}\n",
                    ctx, "service.env.template");
  ASSERT_TRUE(env.has_value()) << env.error().message();
  for (int i = 1; i <= 4; ++i) std::remove(("/tmp/pp_sq_pwned_" + std::to_string(i)).c_str());
  std::string out = Bash(*env + "\nprintf '%s|%s|%s' \"$NAMESPACE\" \"$DATA_PATH\" \"$SUB\"\n");
  EXPECT_EQ(out, ctx["ns"].get<std::string>() + "|" + ctx["path"].get<std::string>() + "|" + ctx["sub"].get<std::string>());
  for (int i = 1; i <= 4; ++i) {
    std::string p = "/tmp/pp_sq_pwned_" + std::to_string(i);
    EXPECT_NE(access(p.c_str(), F_OK), 0) << "a value ran as shell code: " << p;
  }
}

TEST(TemplateErrorTest, ErrorsNameTheExpressionNeverTheValue) {
  nlohmann::ordered_json ctx = {{"cfg", {{"admin-password", "AdminPw-s3cret-77"}}}};
  std::string msg = ErrorOf("{{ nothere[cfg['admin-password']] }}", ctx);
  EXPECT_THAT(msg, StartsWith("t.j2:1:"));
  EXPECT_THAT(msg, HasSubstr("cfg['admin-password']"));
  EXPECT_THAT(msg, Not(HasSubstr("AdminPw"))) << msg;
  std::string big = ErrorOf("{{ (v | float) | int }}", {{"v", "31337e15"}});
  EXPECT_THAT(big, HasSubstr("integer out of range"));
  EXPECT_THAT(big, Not(HasSubstr("31337"))) << big;
}

TEST(TemplateBudgetTest, DeepExpressionIsAParseErrorNotACrash) {
  std::string text = "line one\n{{ 1";
  for (int i = 0; i < 20000; ++i) text += " + 1";
  text += " }}";
  auto t = Template::Parse(text, "deep.j2");
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message(), StartsWith("deep.j2:2:4: expression nested too deeply"));
  EXPECT_THAT(t.error().message(), HasSubstr("the limit is " + std::to_string(kMaxExprDepth)));
  for (const char* chain : {" ~ 'x'", "|string", ".x", " and 1", " or 0"}) {
    std::string c = "{{ a";
    for (int i = 0; i < 20000; ++i) c += chain;
    c += " }}";
    auto r = Template::Parse(c, "c.j2");
    EXPECT_FALSE(r.has_value()) << chain;
  }
  std::string fine = "{{ 1";
  for (int i = 0; i < 200; ++i) fine += " + 1";
  fine += " }}";
  auto ok = Render(fine, nlohmann::ordered_json::object(), "ok.j2");
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(*ok, "201");
}

TEST(TemplateBudgetTest, RunawayLoopsStopAtTheStepLimit) {
  std::string msg = ErrorOf("{% for i in range(1000000) %}\n{% for j in range(1000000) %}{% endfor %}{% endfor %}");
  EXPECT_THAT(msg, StartsWith("t.j2:2:"));
  EXPECT_THAT(msg, HasSubstr(std::to_string(kMaxRenderSteps) + " steps"));
}

TEST(TemplateBudgetTest, StringDoublingAndHugeOutputStop) {
  std::string doubling = ErrorOf(
      "{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}");
  EXPECT_THAT(doubling, StartsWith("t.j2:1:"));
  EXPECT_THAT(doubling, HasSubstr("MiB (the limit)"));
  std::string out = ErrorOf("{% for i in range(1000000) %}{% for j in range(8) %}0123456789{% endfor %}{% endfor %}");
  EXPECT_THAT(out, HasSubstr("rendered output exceeds 64 MiB"));
  std::string joined = ErrorOf("{{ (['0123456789abcdef'] * 5000000) | join }}");
  EXPECT_THAT(joined, HasSubstr("MiB"));
  EXPECT_THAT(ErrorOf("{{ range(10000000) | length }}"), HasSubstr("range() too large"));
}

}  // namespace
}  // namespace paiplan::tmpl
