// Loads the template conformance corpus (tests/template/corpus) the same way
// render_corpus.py does: NAME.j2 (+ NAME.json) files and *.jsonl lines,
// sorted by name. Contexts keep their key order (ordered_json).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace paiplan::tmpl::testing {

struct CorpusCase {
  std::string name;
  std::string text;
  nlohmann::ordered_json context = nlohmann::ordered_json::object();
};

inline std::string ReadWhole(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Throws std::runtime_error / nlohmann::json::exception on a malformed corpus.
inline std::vector<CorpusCase> LoadCorpus(const std::string& dir) {
  std::vector<CorpusCase> cases;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto& p = entry.path();
    if (p.extension() == ".j2") {
      CorpusCase c;
      c.name = p.stem().string();
      c.text = ReadWhole(p);
      auto ctx = p;
      ctx.replace_extension(".json");
      if (std::filesystem::exists(ctx)) c.context = nlohmann::ordered_json::parse(ReadWhole(ctx));
      cases.push_back(std::move(c));
    } else if (p.extension() == ".jsonl") {
      std::istringstream lines(ReadWhole(p));
      std::string line;
      while (std::getline(lines, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto j = nlohmann::ordered_json::parse(line);
        CorpusCase c;
        c.name = j.at("name").get<std::string>();
        c.text = j.at("template").get<std::string>();
        if (j.contains("context")) c.context = j["context"];
        cases.push_back(std::move(c));
      }
    }
  }
  std::sort(cases.begin(), cases.end(), [](const CorpusCase& a, const CorpusCase& b) { return a.name < b.name; });
  return cases;
}

}  // namespace paiplan::tmpl::testing
