#include "engine/config/yaml_doc.h"
#include "engine/config/yaml_paths.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace paiplan::config {
namespace {

ojson Parse(const std::string& text) {
  Diagnostics d;
  auto f = ParseYamlText(text, "t.yaml", &d);
  EXPECT_TRUE(f.has_value()) << text;
  EXPECT_FALSE(d.HasErrors());
  return f ? f->value : ojson();
}

// Parses text that must fail; returns the single error.
Diagnostic ParseError(const std::string& text) {
  Diagnostics d;
  auto f = ParseYamlText(text, "t.yaml", &d);
  EXPECT_FALSE(f.has_value()) << text;
  EXPECT_GE(d.ErrorCount(), 1u);
  return d.items().empty() ? Diagnostic{} : d.items().front();
}

TEST(YamlScalarTest, QuotedScalarsAreAlwaysStrings) {
  ojson v = Parse("a: \"true\"\nb: '42'\nc: \"1.5\"\nd: 'null'\ne: \"yes\"\nf: !!str 7\n");
  for (const char* k : {"a", "b", "c", "d", "e", "f"}) EXPECT_TRUE(v[k].is_string()) << k;
  EXPECT_EQ(v["b"], "42");
  EXPECT_EQ(v["f"], "7");
}

TEST(YamlScalarTest, PlainBooleansFollowYaml11) {
  ojson v = Parse("a: yes\nb: No\nc: ON\nd: off\ne: True\nf: false\ng: y\nh: n\n");
  EXPECT_EQ(v["a"], true);
  EXPECT_EQ(v["b"], false);
  EXPECT_EQ(v["c"], true);
  EXPECT_EQ(v["d"], false);
  EXPECT_EQ(v["e"], true);
  EXPECT_EQ(v["f"], false);
  // PyYAML (OpenPAI's loader) does not resolve y/n: they stay strings.
  EXPECT_EQ(v["g"], "y");
  EXPECT_EQ(v["h"], "n");
}

TEST(YamlScalarTest, PlainIntsFloatsAndNulls) {
  ojson v = Parse("i: 22\nn: -7\nh: 0x1f\noct: 0755\nbin: 0b101\nus: 1_000\nsexa: 1:30\nf: 2.5\n"
                  "e: 1.0e+3\ndotf: .5\ninf: -.inf\nnan: .nan\nz: ~\nnl: null\nem:\n"
                  "ip: 192.0.2.1\nver: 1.9.9\nmem: 16Gi\n");
  EXPECT_TRUE(v["i"].is_number_integer());
  EXPECT_EQ(v["i"], 22);
  EXPECT_EQ(v["n"], -7);
  EXPECT_EQ(v["h"], 31);
  EXPECT_EQ(v["oct"], 493);  // YAML 1.1 octal, as PyYAML reads file modes
  EXPECT_EQ(v["bin"], 5);
  EXPECT_EQ(v["us"], 1000);
  EXPECT_EQ(v["sexa"], 90);
  EXPECT_TRUE(v["f"].is_number_float());
  EXPECT_DOUBLE_EQ(v["f"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(v["e"].get<double>(), 1000);
  EXPECT_DOUBLE_EQ(v["dotf"].get<double>(), 0.5);
  EXPECT_TRUE(std::isinf(v["inf"].get<double>()));
  EXPECT_LT(v["inf"].get<double>(), 0);
  EXPECT_TRUE(std::isnan(v["nan"].get<double>()));
  EXPECT_TRUE(v["z"].is_null());
  EXPECT_TRUE(v["nl"].is_null());
  EXPECT_TRUE(v["em"].is_null());
  EXPECT_EQ(v["ip"], "192.0.2.1");  // not a number
  EXPECT_EQ(v["ver"], "1.9.9");
  EXPECT_EQ(v["mem"], "16Gi");
}

TEST(YamlScalarTest, LookalikesThatPyYamlKeepsAsStrings) {
  ojson v = Parse("a: 0o17\nb: 08\nc: 1e3\nd: 1.0e3\ne: -.5\nf: 0x\ng: 3.14.15\nh: 1:60\ni: yES\nj: y\n");
  for (const char* k : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}) {
    EXPECT_TRUE(v[k].is_string()) << k << " = " << v[k].dump();
  }
}

TEST(YamlScalarTest, BlockScalarsAreStrings) {
  ojson v = Parse("a: |\n  12\nb: >-\n  yes\n");
  EXPECT_EQ(v["a"], "12\n");
  EXPECT_EQ(v["b"], "yes");
}

TEST(YamlDocTest, KeepsKeyOrderOfTheFile) {
  ojson v = Parse("zeta: 1\nalpha: 2\nmid: 3\n");
  std::vector<std::string> keys;
  for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"zeta", "alpha", "mid"}));
}

TEST(YamlDocTest, EmptyAndCommentOnlyFilesAreNull) {
  EXPECT_TRUE(Parse("").is_null());
  EXPECT_TRUE(Parse("# only a comment\n").is_null());
}

TEST(YamlDocTest, DuplicateKeyIsAnErrorWithItsLine) {
  Diagnostic d = ParseError("a: 1\nb:\n  c: 1\n  c: 2\n");
  EXPECT_EQ(d.loc.file, "t.yaml");
  EXPECT_EQ(d.loc.line, 4);
  EXPECT_EQ(d.loc.column, 3);
  EXPECT_NE(d.message.find("duplicate key 'c' in b"), std::string::npos) << d.message;
  EXPECT_FALSE(d.hint.empty());
}

TEST(YamlDocTest, MultiDocumentIsAnErrorAtTheSeparator) {
  Diagnostic d = ParseError("a: 1\n---\nb: 2\n");
  EXPECT_EQ(d.loc.line, 2);
  EXPECT_NE(d.message.find("2 YAML documents"), std::string::npos) << d.message;
}

// Found by tests/fuzz/yaml_fuzz: bytes that passed the old UTF-8 check or
// reached yaml-cpp's encoding guess, and later made every JSON dump throw.
TEST(YamlDocTest, OverlongAndSurrogateUtf8AreRefused) {
  for (const std::string bad : {"a: \xc0\x80\n", "a: \xed\xa0\x80\n", "a: \xf4\x90\x80\x80\n", "a: \xe0\x80\xaf\n"}) {
    Diagnostic d = ParseError(bad);
    EXPECT_NE(d.message.find("UTF-8"), std::string::npos) << d.message;
    EXPECT_EQ(d.loc.column, 4);
  }
  EXPECT_EQ(Parse("a: \xf4\x8f\xbf\xbf\n")["a"], "\xf4\x8f\xbf\xbf");  // U+10FFFF is fine
}

TEST(YamlDocTest, ControlCharactersAreRefusedWithTheirPlace) {
  Diagnostic d = ParseError(std::string("\x01\0\0\0\0\0\0<a.\n", 11));
  EXPECT_NE(d.message.find("control character 0x01"), std::string::npos) << d.message;
  EXPECT_EQ(d.loc.line, 1);
  EXPECT_EQ(d.loc.column, 1);
  Diagnostic del = ParseError("a: ok\nb: x\x7fy\n");
  EXPECT_NE(del.message.find("0x7f"), std::string::npos) << del.message;
  EXPECT_EQ(del.loc.line, 2);
  EXPECT_EQ(del.loc.column, 5);
  EXPECT_EQ(Parse("a: \"b\tx\"\r\nc: d\n")["a"], "b\tx");  // tab, CR and LF stay allowed
}

TEST(YamlDocTest, EscapesOfNoCharacterAreRefused) {
  for (const std::string bad : {"a: \"\\ud800\"\n", "a: \"\\U0011ffff\"\n"}) {
    Diagnostic d = ParseError(bad);
    // libyaml refuses these itself ("found invalid Unicode character escape
    // code"); the loader's own check (an escape yaml-cpp would encode) says
    // "invalid Unicode escape".
    EXPECT_NE(d.message.find("invalid Unicode"), std::string::npos) << bad << ": " << d.message;
    EXPECT_NE(d.message.find("escape"), std::string::npos) << bad << ": " << d.message;
    EXPECT_NE(d.hint.find("real character"), std::string::npos) << d.hint;
    EXPECT_EQ(d.loc.line, 1);
  }
  EXPECT_EQ(Parse("a: \"\\u00e9\"\n")["a"], "é");
}

TEST(YamlDocTest, InvalidUtf8ReportsLineAndColumn) {
  Diagnostic d = ParseError("a: ok\nbb: x\xe9y\n");
  EXPECT_EQ(d.loc.line, 2);
  EXPECT_EQ(d.loc.column, 6);
  EXPECT_NE(d.message.find("UTF-8"), std::string::npos);
  EXPECT_NE(d.message.find("0xe9"), std::string::npos);
  // Truncated multi-byte sequence at the end of the file.
  Diagnostic t = ParseError("a: caf\xc3");
  EXPECT_EQ(t.loc.line, 1);
  EXPECT_EQ(t.loc.column, 7);
  // Valid multi-byte text is fine.
  EXPECT_EQ(Parse("a: café → ok\n")["a"], "café → ok");
}

TEST(YamlDocTest, UnclosedQuoteAtEndOfFileIsAnError) {
  // yaml-cpp alone accepts this and swallows the rest of the file.
  Diagnostic d = ParseError("a: 1\nb: 'open\n");
  EXPECT_EQ(d.loc.line, 2);
  EXPECT_EQ(d.loc.column, 4);  // the quote, not the end of the file
  EXPECT_NE(d.message.find("never closed"), std::string::npos) << d.message;
  EXPECT_NE(d.hint.find("closing quote"), std::string::npos) << d.hint;
  EXPECT_EQ(Parse("a: 'it''s'\nb: \"q\\\"r\"\n")["a"], "it's");
}

TEST(YamlDocTest, SyntaxErrorsHaveALocationAndAHint) {
  Diagnostic tab = ParseError("a:\n\tb: 1\n");
  EXPECT_EQ(tab.loc.line, 2);
  EXPECT_NE(tab.hint.find("spaces"), std::string::npos) << tab.hint;
  Diagnostic quote = ParseError("a: \"x\nb: 1\nc: \"y\" z\n");
  EXPECT_GT(quote.loc.line, 0);
  EXPECT_NE(quote.hint.find("line 1"), std::string::npos) << quote.hint;
}

// libyaml refuses this 19-byte text at once; yaml-cpp 0.7, which used to
// re-read every refused text for its diagnostics, never returned on it
// (tests/fuzz/regressions/yaml_fuzz/yaml-cpp-endless-loop).
TEST(YamlDocTest, TextYamlCppLoopsOnGetsLibyamlsErrorWithItsPlace) {
  Diagnostic d = ParseError(", -c9100r\nap- --o:-");
  EXPECT_EQ(d.loc.file, "t.yaml");
  EXPECT_EQ(d.loc.line, 1);
  EXPECT_EQ(d.loc.column, 1);
  EXPECT_NE(d.message.find("invalid YAML: did not find expected node content"), std::string::npos) << d.message;
  EXPECT_FALSE(d.hint.empty());
  // ParseWithYamlCpp (the reference reader of the parity tests) asks libyaml first too.
  Diagnostics diags;
  EXPECT_FALSE(yaml_paths::ParseWithYamlCpp(", -c9100r\nap- --o:-", "t.yaml", &diags).has_value());
  ASSERT_EQ(diags.ErrorCount(), 1u);
  EXPECT_EQ(diags.items().front().loc.line, 1);
}

TEST(YamlDocTest, ContextOfLibyamlsErrorIsNamed) {
  Diagnostic d = ParseError("a:\n  b: 1\n c: 2\n");
  EXPECT_EQ(d.loc.line, 3);
  EXPECT_NE(d.message.find("did not find expected key (while parsing a block mapping that starts at line 1"),
            std::string::npos) << d.message;
  EXPECT_NE(d.hint.find("indentation"), std::string::npos) << d.hint;
  Diagnostic flow = ParseError("a: [1, 2\nb: 3\n");
  EXPECT_GT(flow.loc.line, 0);
  EXPECT_NE(flow.message.find("flow sequence"), std::string::npos) << flow.message;
}

// A base-60 integer (YAML 1.1 `1:30`) past the range of a 64-bit integer
// overflowed while its parts were added up (UBSan, tests/fuzz/yaml_fuzz);
// like a decimal one out of range, it stays the text.
TEST(YamlDocTest, SexagesimalIntegerOutOfRangeStaysText) {
  EXPECT_EQ(Parse("a: 1:30\n")["a"], 90);
  EXPECT_EQ(Parse("a: 552185218001001:0:02:02:0\n")["a"], "552185218001001:0:02:02:0");
}

TEST(YamlDocTest, NonScalarKeyIsAnError) {
  Diagnostic d = ParseError("? [a, b]\n: 1\n");
  EXPECT_NE(d.message.find("keys must be plain strings"), std::string::npos);
}

TEST(PointerTest, TokensAndDottedForm) {
  EXPECT_EQ(PointerTokens("/machine-list/3/hostname"),
            (std::vector<std::string>{"machine-list", "3", "hostname"}));
  EXPECT_EQ(PointerTokens("/a~1b/c~0d"), (std::vector<std::string>{"a/b", "c~d"}));
  EXPECT_EQ(PointerToDotted("/machine-list/3/hostname"), "machine-list[3].hostname");
  EXPECT_EQ(PointerToDotted(""), "(top level)");
}

TEST(LocationFinderTest, FindsKeysAndValuesOfNestedEntries) {
  char tmpl[] = "/tmp/pp_loc_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/l.yaml";
  FILE* f = fopen(path.c_str(), "w");
  fputs("top: 1\nlist:\n  - name: a\n  - name: b\n    port: 22\n", f);
  fclose(f);
  LocationFinder finder;
  SourceLoc v = finder.Find(path, "l.yaml", "/list/1/port");
  EXPECT_EQ(v.line, 5);
  EXPECT_EQ(v.column, 11);
  SourceLoc k = finder.Find(path, "l.yaml", "/list/1/port", true);
  EXPECT_EQ(k.line, 5);
  EXPECT_EQ(k.column, 5);
  SourceLoc missing = finder.Find(path, "l.yaml", "/list/1/nope");
  EXPECT_EQ(missing.line, 4);  // the closest existing ancestor
  std::remove(path.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace paiplan::config

namespace paiplan::config {
namespace {

TEST(YamlDocTest, AnchorsAndAliasesAreExpanded) {
  ojson v = Parse("base: &b\n  x: 1\n  l: [a, b]\nport: &p 22\nuse: *b\nuse_port: *p\n");
  EXPECT_EQ(v["use"], v["base"]);
  EXPECT_EQ(v["use"]["l"][1], "b");
  EXPECT_EQ(v["use_port"], 22);
}

TEST(YamlDocTest, LargeMapsKeepOrderAndFindDuplicates) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "k" + std::to_string(199 - i) + ": " + std::to_string(i) + "\n";
  ojson v = Parse(text);
  ASSERT_EQ(v.size(), 200u);
  EXPECT_EQ(v.begin().key(), "k199");
  EXPECT_EQ(v["k0"], 199);
  Diagnostic d = ParseError(text + "k150: again\n");
  EXPECT_EQ(d.loc.line, 201);
  EXPECT_NE(d.message.find("duplicate key 'k150'"), std::string::npos);
}

}  // namespace
}  // namespace paiplan::config

// Differential check against the reference loader: PyYAML's SafeLoader
// (Debian python3-yaml), on a corpus of scalar spellings and on the YAML files
// of the built-in catalogue and the examples.
namespace paiplan::config {
namespace {

// One line of JSON per file ("null" also when PyYAML rejects the file, then
// marked by a leading "!"), from a single python process.
std::vector<std::string> PyYamlJson(const std::vector<std::string>& paths) {
  std::string cmd =
      "/usr/bin/python3 -c 'import json,sys,yaml\n"
      "for p in sys.argv[1:]:\n"
      "  try: print(json.dumps(yaml.safe_load(open(p)), default=str))\n"
      "  except Exception: print(\"!\")' 2>/dev/null";
  for (const auto& p : paths) cmd += " '" + p + "'";
  std::vector<std::string> out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return out;
  std::string text;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) text.append(buf, n);
  if (pclose(pipe) != 0) return {};
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    out.push_back(text.substr(pos, end - pos));
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

TEST(YamlPyYamlParityTest, SameValuesAsPyYamlSafeLoad) {
  char tmpl[] = "/tmp/pp_parity_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string scalars = dir + "/scalars.yaml";
  FILE* f = fopen(scalars.c_str(), "w");
  const char* kSpellings[] = {
      "0", "-0", "+12", "0755", "08", "0o17", "0b101", "0b", "0x1F", "-0x1f", "0x", "1_000", "0_", "1:30",
      "-1:30:15", "1:60", "0:30", "1.", ".5", "-.5", "1.5", "1_0.5", "1.0e+3", "1.0e3", "1e3", "12e3",
      "6.8523015e+5", "685.230_15e+03", "190:20:30.15", "3.14.15", "+.inf", ".Inf", "-.INF", "1.9.9",
      "192.0.2.1", "yes", "No", "ON", "off", "yES", "y", "n", "true", "False", "~", "null", "NULL", "Null",
      "nil", "16Gi", "v1.9.9", "-", "e5", "1e", "0.", "00", "007", "0_7", "12:34:56.5", "abc"};
  int i = 0;
  for (const char* s : kSpellings) fprintf(f, "k%d: %s\n", i++, s);
  fclose(f);
  std::vector<std::string> files = {scalars};
  for (const char* root : {"/services", "/examples"}) {
    std::string base = std::string(PAIPLAN_SOURCE_DIR) + root;
    if (!std::filesystem::exists(base)) continue;
    for (const auto& e : std::filesystem::recursive_directory_iterator(base)) {
      if (e.path().extension() == ".yaml") files.push_back(e.path());
    }
  }
  std::vector<std::string> py = PyYamlJson(files);
  if (py.empty()) GTEST_SKIP() << "/usr/bin/python3 with the yaml module is not installed";
  ASSERT_EQ(py.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (py[i] == "!") continue;  // PyYAML rejects it too
    Diagnostics d;
    auto ours = LoadYamlFile(files[i], files[i], &d);
    ASSERT_TRUE(ours) << files[i];
    EXPECT_EQ(nlohmann::json::parse(nlohmann::json(ours->value).dump()), nlohmann::json::parse(py[i])) << files[i];
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace paiplan::config
