#include "engine/config/mask_yaml.h"

#include <algorithm>
#include <optional>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/config/workspace.h"
#include "engine/config/yaml_doc.h"
#include "engine/base/yaml_syntax.h"

namespace paiplan::config {
namespace {

struct Span {
  size_t begin, end;
};

bool SensitiveKey(const YAML::Node& key) {
  return key.IsScalar() && IsSensitiveKey(key.Scalar());
}

// Whether a value under a sensitive key holds something to hide.
bool HasSecret(const YAML::Node& v) { return v.IsDefined() && !v.IsNull() && !v.IsMap(); }

// Where the single-line scalar `v` is written in `text`; nullopt when it is
// not one we can replace safely in place (block scalar, anchor, tag, alias,
// a plain scalar folded over lines).
std::optional<Span> ScalarSpan(const std::string& text, const YAML::Node& v, bool flow) {
  if (!v.IsScalar()) return std::nullopt;
  size_t pos = size_t(std::max(0, v.Mark().pos));
  if (pos >= text.size()) return std::nullopt;
  char c = text[pos];
  if (c == '"' || c == '\'') {
    auto end = QuotedScalarEnd(text, pos);
    if (!end) return std::nullopt;
    return Span{pos, *end};
  }
  if (std::string("|>&!*").find(c) != std::string::npos) return std::nullopt;
  size_t end = pos;
  while (end < text.size() && text[end] != '\n' && text[end] != '\r') {
    if ((text[end] == '#') && end > pos && (text[end - 1] == ' ' || text[end - 1] == '\t')) break;
    if (flow && (text[end] == ',' || text[end] == ']' || text[end] == '}')) break;
    ++end;
  }
  while (end > pos && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  if (text.compare(pos, end - pos, v.Scalar()) != 0) return std::nullopt;
  return Span{pos, end};
}

// Collects the spans of every sensitive value under `n`; false when one of
// them cannot be replaced in place.
bool CollectSpans(const std::string& text, const YAML::Node& n, std::vector<Span>* out) {
  if (n.IsSequence()) {
    for (const auto& e : n)
      if (!CollectSpans(text, e, out)) return false;
  }
  if (!n.IsMap()) return true;
  bool flow = n.Style() == YAML::EmitterStyle::Flow;
  for (const auto& kv : n) {
    if (SensitiveKey(kv.first) && HasSecret(kv.second)) {
      auto span = ScalarSpan(text, kv.second, flow);
      if (!span) return false;
      out->push_back(*span);
    } else if (!CollectSpans(text, kv.second, out)) {
      return false;
    }
  }
  return true;
}

// Replaces every sensitive value in the tree (the fallback).
void MaskTree(YAML::Node n) {
  if (n.IsSequence()) {
    for (auto e : n) MaskTree(e);
  }
  if (!n.IsMap()) return;
  for (auto kv : n) {
    if (SensitiveKey(kv.first) && HasSecret(kv.second)) kv.second = std::string(kSensitivePlaceholder);
    else MaskTree(kv.second);
  }
}

// True when no sensitive value of `n` is anything but the placeholder.
bool FullyMasked(const YAML::Node& n) {
  if (n.IsSequence()) {
    for (const auto& e : n)
      if (!FullyMasked(e)) return false;
  }
  if (!n.IsMap()) return true;
  for (const auto& kv : n) {
    if (SensitiveKey(kv.first) && HasSecret(kv.second)) {
      if (!kv.second.IsScalar() || kv.second.Scalar() != kSensitivePlaceholder) return false;
    } else if (!FullyMasked(kv.second)) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> MaskInPlace(const std::string& text, const std::vector<YAML::Node>& docs) {
  std::vector<Span> spans;
  for (const auto& d : docs)
    if (!CollectSpans(text, d, &spans)) return std::nullopt;
  if (spans.empty()) return text;
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin > b.begin; });
  std::string out = text;
  for (const auto& s : spans) out.replace(s.begin, s.end - s.begin, std::string("\"") + kSensitivePlaceholder + "\"");
  if (FindYamlSyntaxError(out)) return std::nullopt;  // the edit broke the syntax: re-emit instead
  try {
    for (const auto& d : YAML::LoadAll(out))
      if (!FullyMasked(d)) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;  // the edit broke the syntax: re-emit instead
  }
  return out;
}

std::string Reemit(std::vector<YAML::Node> docs) {
  YAML::Emitter e;
  for (auto& d : docs) {
    MaskTree(d);
    e << YAML::BeginDoc << d;
  }
  return std::string(e.c_str()) + "\n";
}

}  // namespace

std::string MaskSensitiveYaml(const std::string& text) {
  if (FindYamlSyntaxError(text)) {  // never to yaml-cpp, which loops on some text libyaml refuses
    return std::string("# ") + kSensitivePlaceholder + ": not valid YAML, withheld by paiplan\n";
  }
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (auto in_place = MaskInPlace(text, docs)) return *in_place;
    return Reemit(std::move(docs));
  } catch (const std::exception&) {
    return std::string("# ") + kSensitivePlaceholder + ": not valid YAML, withheld by paiplan\n";
  }
}

}  // namespace paiplan::config
