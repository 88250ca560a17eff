// TemplateConformanceTest: renders every corpus case with our renderer and
// with Python Jinja2 (one /usr/bin/python3 process for the whole corpus) and
// requires identical bytes and the same error/non-error outcome.
#include <cstdio>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "providers/template/jinja.h"
#include "tests/template/corpus_loader.h"

namespace paiplan::tmpl {
namespace {

const std::string kCorpus = std::string(PAIPLAN_TEST_DIR) + "/template/corpus";

// Runs the Python driver; fails the test (not skips) when it cannot run.
nlohmann::json RunPython() {
  std::string cmd = std::string(PAIPLAN_PYTHON) + " " + PAIPLAN_TEST_DIR + "/template/render_corpus.py " + kCorpus;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return nullptr;
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int rc = pclose(pipe);
  if (rc != 0) return nullptr;
  return nlohmann::json::parse(out, nullptr, false);
}

std::string Show(const std::string& s) { return nlohmann::json(s).dump(); }

TEST(TemplateConformanceTest, CorpusMatchesPythonJinja2) {
  auto cases = testing::LoadCorpus(kCorpus);
  ASSERT_GE(cases.size(), 150u) << "the corpus should keep at least 150 cases";
  nlohmann::json python = RunPython();
  ASSERT_TRUE(python.is_array()) << "could not run " << PAIPLAN_PYTHON
                                 << " with jinja2 (install python3-jinja2); this test must not be skipped";
  std::map<std::string, nlohmann::json> expected;
  for (const auto& r : python) expected[r["name"].get<std::string>()] = r;
  ASSERT_EQ(expected.size(), cases.size()) << "duplicate case names?";

  int passed = 0, errors_expected = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE("case " + c.name);
    const nlohmann::json& want = expected[c.name];
    if (!want.is_object()) {
      ADD_FAILURE() << c.name << ": no result from the Python driver";
      continue;
    }
    Result<std::string> got = Render(c.text, c.context, c.name);
    if (!want["ok"].get<bool>()) {
      ++errors_expected;
      EXPECT_FALSE(got.has_value()) << c.name << ": Jinja2 failed (" << want["error"].get<std::string>()
                                    << ") but we rendered " << Show(*got);
      if (!got) ++passed;
      continue;
    }
    if (!got) {
      ADD_FAILURE() << c.name << ": we failed (" << got.error().message() << "), Jinja2 rendered "
                    << Show(want["output"].get<std::string>());
      continue;
    }
    EXPECT_EQ(Show(*got), Show(want["output"].get<std::string>())) << c.name;
    if (*got == want["output"].get<std::string>()) ++passed;
  }
  std::printf("template conformance: %d/%zu cases identical (%d expected errors)\n", passed, cases.size(),
              errors_expected);
}

// The parse-once/render-many path gives the same bytes as the one-shot call.
TEST(TemplateConformanceTest, ParsedTemplateRendersRepeatably) {
  auto cases = testing::LoadCorpus(kCorpus);
  for (const auto& c : cases) {
    auto t = Template::Parse(c.text, c.name);
    if (!t) continue;
    auto a = t->Render(c.context);
    auto b = t->Render(c.context);
    ASSERT_EQ(a.has_value(), b.has_value()) << c.name;
    if (a) EXPECT_EQ(*a, *b) << c.name;
  }
}

}  // namespace
}  // namespace paiplan::tmpl
