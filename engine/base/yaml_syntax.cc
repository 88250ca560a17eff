#include "engine/base/yaml_syntax.h"

#include <yaml.h>

#include <algorithm>

namespace paiplan {
namespace {

// 1-based line and column of byte `offset` of `text` (columns in bytes;
// used for reader errors, which carry an offset rather than a mark).
void OffsetLineColumn(std::string_view text, size_t offset, int* line, int* column) {
  offset = std::min(offset, text.size());
  *line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++*line;
      line_start = i + 1;
    }
  }
  *column = static_cast<int>(offset - line_start) + 1;
}

// The text of 1-based line `line`, without its newline.
std::string_view LineText(std::string_view text, int line) {
  size_t start = 0;
  for (int l = 1; l < line && start != std::string_view::npos; ++l) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos || start > text.size()) return {};
  size_t end = text.find('\n', start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

bool Has(const std::string& s, std::string_view what) { return s.find(what) != std::string::npos; }

}  // namespace

std::string YamlSyntaxError::Describe() const {
  if (Has(problem, "end of stream") && !context.empty()) {
    // "while scanning a quoted scalar" -> "a quoted scalar opened here is never closed"
    std::string what = context;
    for (std::string_view lead : {"while scanning ", "while parsing "}) {
      if (what.starts_with(lead)) what.erase(0, lead.size());
    }
    return what + " opened here is never closed (the file ends first)";
  }
  std::string out = problem.empty() ? "libyaml refused the text" : problem;
  if (context.empty()) return out;
  out += " (" + context;
  if (context_line > 0 && (context_line != line || context_column != column)) {
    out += " that starts at line " + std::to_string(context_line) + ", column " + std::to_string(context_column);
  }
  return out + ")";
}

std::string YamlSyntaxError::Hint(std::string_view text) const {
  std::string_view here = LineText(text, line);
  size_t indent = here.find_first_not_of(' ');
  bool tab_indent = indent != std::string_view::npos && here[indent] == '\t';
  if (Has(problem, "tab") || tab_indent) return "indent with spaces; YAML does not allow tabs for indentation";
  if (Has(problem, "Unicode")) {
    return "the escape names no character (a lone surrogate or a code point above U+10FFFF); "
           "use the escape of a real character, or write the character itself";
  }
  if (Has(problem, "escape")) {
    return "use a known escape (\\n, \\t, \\\", \\\\, \\xNN, \\uNNNN) or single quotes, which take no escapes";
  }
  if (Has(context, "quoted scalar") && Has(problem, "end of stream")) {
    return "the quote opened at line " + std::to_string(context_line) + ", column " +
           std::to_string(context_column) + " is never closed; add the closing quote at the end of the value";
  }
  if (Has(problem, "could not find expected ':'")) {
    return "add ':' after the key (\"key: value\"), or quote the whole line if it is a value";
  }
  if (Has(problem, "mapping values are not allowed")) {
    return "quote the value if it holds ': ', or indent this key under its parent";
  }
  if (Has(problem, "expected node content")) {
    return "a value is missing here: write it after the '-', ':' or ',' before this point, "
           "or close the open bracket with ']' or '}'";
  }
  if (Has(problem, "did not find expected ',' or")) {
    return "close the bracket opened at line " + std::to_string(context_line) + ", or separate its items with ','";
  }
  if (Has(problem, "did not find expected")) {
    return "check the indentation: the entries of one map or list must start in the same column";
  }
  if (Has(problem, "cannot start any token")) {
    return "quote the value: this character cannot start an unquoted value";
  }
  if (Has(problem, "UTF-8") || Has(problem, "control characters")) {
    return "save the file as UTF-8 text without control characters";
  }
  return "fix the syntax at this position (indentation, quotes, ':' after keys)";
}

YamlSyntaxError YamlSyntaxErrorOf(const yaml_parser_s& parser, std::string_view text) {
  YamlSyntaxError e;
  e.problem = parser.problem ? parser.problem : "";
  if (parser.error == YAML_MEMORY_ERROR) e.problem = "libyaml ran out of memory";
  if (parser.error == YAML_READER_ERROR) {
    OffsetLineColumn(text, parser.problem_offset, &e.line, &e.column);
    return e;
  }
  e.line = static_cast<int>(parser.problem_mark.line) + 1;
  e.column = static_cast<int>(parser.problem_mark.column) + 1;
  if (parser.context) {
    e.context = parser.context;
    e.context_line = static_cast<int>(parser.context_mark.line) + 1;
    e.context_column = static_cast<int>(parser.context_mark.column) + 1;
    // The end of the file says nothing: point at what was left open there.
    if (e.problem.find("end of stream") != std::string::npos) {
      e.line = e.context_line;
      e.column = e.context_column;
    }
  }
  return e;
}

std::optional<YamlSyntaxError> FindYamlSyntaxError(std::string_view text) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    YamlSyntaxError e;
    e.problem = "libyaml could not start (out of memory)";
    return e;
  }
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::optional<YamlSyntaxError> error;
  for (bool done = false; !done;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      error = YamlSyntaxErrorOf(parser, text);
      break;
    }
    done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  return error;
}

}  // namespace paiplan
