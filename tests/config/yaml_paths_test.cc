// Differential tests of ParseYamlText's two readers (yaml_paths.h): the
// libyaml fast path must give exactly the yaml-cpp reader's value (dump
// equality: key order and number types included), and wherever yaml-cpp
// reports a problem, ParseYamlText must report exactly what it reported
// before the fast path existed.
#include "engine/config/yaml_paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace paiplan::config {
namespace {

using yaml_paths::ParseWithLibyaml;
using yaml_paths::ParseWithYamlCpp;

std::string Describe(const Diagnostics& d) {
  std::string out;
  for (const auto& i : d.items()) {
    out += std::to_string(static_cast<int>(i.severity)) + " " + i.loc.ToString() + " [" + i.address + "] " +
           i.message + " | " + i.hint + "\n";
  }
  return out;
}

// ParseYamlText and the yaml-cpp reader alone agree: same value, or the same
// diagnostics. Returns the yaml-cpp reader's value (nullopt on error).
std::optional<ojson> ExpectSameAsYamlCpp(const std::string& text, const std::string& what) {
  Diagnostics full_d, ref_d;
  auto full = ParseYamlText(text, "t.yaml", &full_d);
  auto ref = ParseWithYamlCpp(text, "t.yaml", &ref_d);
  EXPECT_EQ(full.has_value(), ref.has_value()) << what;
  if (full && ref) {
    EXPECT_EQ(full->value.dump(), ref->value.dump()) << what;
  }
  EXPECT_EQ(Describe(full_d), Describe(ref_d)) << what;
  if (!ref) return std::nullopt;
  return ref->value;
}

// `text` is valid YAML that the fast path reads itself, to yaml-cpp's value.
void ExpectFastPathMatches(const std::string& text, const std::string& what) {
  auto ref = ExpectSameAsYamlCpp(text, what);
  ASSERT_TRUE(ref) << what;
  auto fast = ParseWithLibyaml(text);
  ASSERT_TRUE(fast) << "the libyaml path declined valid YAML: " << what;
  EXPECT_EQ(fast->dump(), ref->dump()) << what;
}

// `text` is rejected by yaml-cpp; the fast path must decline it too.
void ExpectSameError(const std::string& text, const std::string& what) {
  auto ref = ExpectSameAsYamlCpp(text, what);
  EXPECT_FALSE(ref) << "yaml-cpp accepts: " << what;
  EXPECT_FALSE(ParseWithLibyaml(text)) << "the libyaml path accepts what yaml-cpp rejects: " << what;
}

std::string Nested(int depth, const std::string& open, const std::string& close) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  s += "x";
  for (int i = 0; i < depth; ++i) s += close;
  return s + "\n";
}

std::string IndentedMaps(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += std::string(2 * i, ' ') + "k" + std::to_string(i) + ":\n";
  return s + std::string(2 * depth, ' ') + "leaf: 1\n";
}

TEST(YamlPathsTest, FastPathMatchesYamlCppOnTrickyDocuments) {
  const std::vector<std::string> docs = {
      // block scalars
      "a: |\n  line1\n  line2\n\nb: x\n", "a: |-\n  keep\n  no newline\n", "a: |+\n  end\n", "a: >+\n  end\nb: 1\n",
      "a: >\n  folded\n  text\n\n  para\n   more indented\nb: 1\n",
      "a: >-\n  yes\n", "a: |\n  x\n\n\n", "a: >\n  x\n\n\n", "a: |-\n  x\n\n\nb: 1\n",
      "a: >\n  a\n    b\n  c\n", "a: >\n  a\n\n    b\n\n  c\n", "a: >-\n\n  lead\n  x\n", "a: |\n  x\n \n  y\n",
      "a: |1\n  two spaces\nb: 1\n", "a: >\n  x\n  # not a comment\n# a comment\n", "- |\n  a\n\n- b\n", "a: |2\n    indented by four\n", "a: |\n\n  after a blank\n", "- |\n  item\n- >\n  two\n",
      // multi-line plain and quoted scalars
      "a: this is\n  a multi\n\n  line plain\nb: 1\n", "a: \"one\n  two\n\n  three\"\n", "a: 'one\n  two'\n",
      "a: \"line \\\n  joined\"\n",
      // escapes
      "a: \"\\t\\u00e9\\x41\\n\\\\ \\\" \\/ \\U0001F600 \\0 \\a \\e\"\n", "a: 'it''s ''quoted'''\nb: ''''\n",
      "a: x\ty\nb: \"\\t\"\n",
      // flow collections
      "a: [1, two, 'three', \"4\", {k: v}]\nb: {x: 1, y: [a, b], z: {}}\nc: []\n",
      "[[1, [2, [3, {a: [4]}]]], {b: {c: {d: e}}}]\n", "a: [1,\n  2,\n  3]\nb: {\n  k: v\n}\n",
      "a: [x: 1, y]\n", "- - 1\n  - 2\n- - 3\n", "a:\n- 1\n- 2\n",
      // anchors and aliases
      "base: &b\n  x: 1\n  l: [a, b]\nport: &p 22\nuse: *b\nuse_port: *p\nlist:\n  - &item {n: 1}\n  - *item\n",
      "a: &x 1\nb: *x\nc: &x two\nd: *x\n", "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
      "&k key: v\nother: *k\n", "a: &s [1, [2, 3]]\nb: [*s, *s]\n",
      // tags
      "a: !!str 7\nb: !!int \"7\"\nc: !!str\nd: ! 7\ne: !!float 1\nf: !custom yes\ng: !!str true\nh: !!null ''\n",
      "s: !!seq [1]\nm: !!map {a: 1}\n? !!str\n: empty key\n!!int 5: tagged key\n",
      "a: !<tag:yaml.org,2002:str> 5\n", "%TAG !e! tag:example.com,2000:\n---\na: !e!x 5\n",
      // null forms
      "a: ~\nb: null\nc:\nd: Null\ne: NULL\nf: ''\ng: \"\"\nh: nil\n", "- \n- ~\n-\n- null\n", "~\n", "null\n",
      "---\n", "--- \n", "--- ~\n",
      // booleans, ints, floats as ResolvePlainScalar sees them
      "- yes\n- No\n- ON\n- off\n- y\n- n\n- True\n- FALSE\n- yES\n",
      "- 0\n- -0\n- +12\n- 0755\n- 08\n- 0o17\n- 0b101\n- 0x1F\n- -0x1f\n- 0x\n- 1_000\n- 1:30\n- -1:30:15\n- 1:60\n",
      "- 1.\n- .5\n- -.5\n- 1.5\n- 1.0e+3\n- 1e3\n- 6.8523015e+5\n- 685.230_15e+03\n- 190:20:30.15\n"
      "- 3.14.15\n- +.inf\n- .Inf\n- -.INF\n- .nan\n- 1.9.9\n- 192.0.2.1\n- 16Gi\n- 007\n- 0.\n",
      "- 9223372036854775807\n- 9223372036854775808\n- -9223372036854775808\n- 99999999999999999999\n",
      "- 2001-12-14t21:59:43.10-05:00\n- 2002-12-14\n",
      // keys
      "key with spaces: 1\n\"quoted key\": 2\n'single key': 3\n? complex explicit\n: 4\n1: int key\ntrue: bool key\n",
      "\"~\": quoted null key\n'null': 2\n\"\": empty quoted key\n", "a/b~c: pointer chars\n\"a\\nb\": newline key\n",
      // comments, empty files, document markers
      "", "# c\n# d\n", "   \n\n", "a: 1 # c\n# x\nb: [1, # c\n 2]\n", "---\na: 1\n...\n", "--- value\n",
      "%YAML 1.1\n---\na: 1\n", "--- |\n  text\n", "a: 1\n...\n",
      // unicode, line endings, BOM
      "名前: 値\nemoji: 😀 ok\nrtl: שלום\n\"é\": \"\\u00e9\"\n", "a: 1\r\nb: two\r\nc: |\r\n  x\r\n",
      "\xEF\xBB\xBF" "a: 1\n",
      // plain scalars with ':' and '#'
      "url: http://x:80/a#b\nt: a#b\ntime: 12:30\nw: a -b\n",
      // sizes: long lines, large maps (the indexed duplicate check), deep nesting
      "a: " + std::string(100000, 'x') + "\n", IndentedMaps(60), Nested(150, "[", "]"), Nested(100, "{a: ", "}"),
  };
  for (const auto& d : docs) ExpectFastPathMatches(d, d.substr(0, 200));

  std::string flow = "[";
  std::string map;
  for (int i = 0; i < 5000; ++i) {
    flow += std::to_string(i) + ", ";
    map += "k" + std::to_string((i * 7919) % 5000) + ": " + std::to_string(i) + "\n";
  }
  ExpectFastPathMatches(flow + "end]\n", "a long flow sequence");
  ExpectFastPathMatches(map, "a 5000-key map");
}

TEST(YamlPathsTest, ErrorsAreReportedExactlyAsByYamlCpp) {
  std::string big;
  for (int i = 0; i < 100; ++i) big += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  const std::vector<std::string> bad = {
      // unclosed quotes (yaml-cpp alone accepts the one at the end of the file)
      "a: 1\nb: 'open\n", "a: \"open\n", "a: \"x\nb: 1\nc: \"y\" z\n",
      // tabs and indentation
      "a:\n\tb: 1\n", "a:\n  b: 1\n c: 2\n", "a: b: c\n", "- a\nb: 1\n", "a:\n  - 1\n  b: 2\n",
      // duplicate keys, small and indexed maps, nested
      "a: 1\na: 2\n", "a: 1\nb:\n  c: 1\n  c: 2\n", big + "k50: again\n", "{a: 1, a: 2}\n",
      // documents
      "a: 1\n---\nb: 2\n", "--- a\n--- b\n", "---\n---\n",
      // keys yaml-cpp refuses
      "? [a, b]\n: 1\n", "? {a: 1}\n: 1\n", "~: 1\n", "null: 1\n", "a: &x k\n*x : 1\n", ": 1\n",
      // unclosed flow collections, unknown aliases, stray characters
      "a: [1, 2\n", "a: {b: 1\n", "a: *nope\n", "a: @x\n", "a: `x\n", "a: 1\n  b: 2\n",
      // invalid UTF-8 (checked first)
      "a: \xff\n",
  };
  for (const auto& d : bad) ExpectSameError(d, d);
}

TEST(YamlPathsTest, CasesLeftToYamlCppKeepTheirOldOutcome) {
  // The fast path declines these; yaml-cpp decides (accepting some).
  const std::vector<std::string> docs = {
      "a: &x [1, *x]\n",                     // alias inside its own anchor: yaml-cpp gives null
      // keep chomping: yaml-cpp drops a trailing blank line that libyaml and PyYAML keep
      "a: >+\n  keep\n\n\nb: 1\n", "a: |+\n  keep\n\n\nb: 1\n", "a: |+\n  end\n\n", "a: |2+\n  x\n\n",
      "a: >+2\n  x\n\n", "a: &x |+\n  keep\n\n\nb: *x\n",
      Nested(300, "[", "]"),                 // deeper than the fast path goes
      Nested(3000, "[", "]"),                // deeper than yaml-cpp goes
  };
  for (const auto& d : docs) {
    EXPECT_FALSE(ParseWithLibyaml(d)) << d.substr(0, 80);
    ExpectSameAsYamlCpp(d, d.substr(0, 80));
  }
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(YamlPathsTest, FastPathMatchesYamlCppOnEveryYamlFileOfTheRepository) {
  int read = 0, rejected = 0;
  for (const char* root : {"examples", "services", "tests"}) {
    auto base = std::filesystem::path(PAIPLAN_SOURCE_DIR) / root;
    ASSERT_TRUE(std::filesystem::is_directory(base)) << base;
    for (const auto& e : std::filesystem::recursive_directory_iterator(base)) {
      auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
      std::string text = ReadAll(e.path());
      Diagnostics d;
      if (ParseWithYamlCpp(text, "t.yaml", &d)) {
        ExpectFastPathMatches(text, e.path().string());
        ++read;
      } else {
        ExpectSameError(text, e.path().string());
        ++rejected;
      }
    }
  }
  // The walk found the catalogue, the examples and the bad-input corpus.
  EXPECT_GT(read, 100);
  EXPECT_GT(rejected, 5);
}

}  // namespace
}  // namespace paiplan::config
