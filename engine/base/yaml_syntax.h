// libyaml's verdict on a YAML stream, taken before any text reaches
// yaml-cpp. yaml-cpp 0.7 never returns on some malformed input (a 19-byte
// layout.yaml made `validate` loop and grow without bound; found by
// tests/fuzz/yaml_fuzz, kept as tests/fuzz/regressions/yaml_fuzz/
// yaml-cpp-endless-loop), while libyaml refuses the same text at once. So
// every reader of untrusted YAML asks FindYamlSyntaxError first and hands
// the text to yaml-cpp only when libyaml accepts the whole stream.
//
// Thread-safety: the functions are pure; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

struct yaml_parser_s;

namespace paiplan {

// What libyaml refused and where. Lines and columns are 1-based.
struct YamlSyntaxError {
  std::string problem;  // e.g. "could not find expected ':'"
  int line = 0;
  int column = 0;
  std::string context;  // e.g. "while scanning a simple key"; may be empty
  int context_line = 0;
  int context_column = 0;

  // "could not find expected ':' (while scanning a simple key that starts
  // at line 2, column 1)": the problem, then its context when libyaml gave one.
  std::string Describe() const;
  // What to do about it, from the problem and the text around it (tabs,
  // unclosed quotes, missing ':' ...).
  std::string Hint(std::string_view text) const;
};

// The first error libyaml reports on `text` (every document of the stream),
// or nullopt when libyaml accepts it. Never throws; linear in the size of
// `text` (libyaml neither expands aliases nor recurses).
std::optional<YamlSyntaxError> FindYamlSyntaxError(std::string_view text);

// The error held by a libyaml parser whose last yaml_parser_parse failed
// (for callers that run their own libyaml parser over the events).
YamlSyntaxError YamlSyntaxErrorOf(const yaml_parser_s& parser, std::string_view text);

}  // namespace paiplan
