// A Jinja2 renderer, byte-identical to Python's
// jinja2.Template(text).render(**ctx) with default settings (Jinja2 3.1:
// no autoescape, trim_blocks/lstrip_blocks off, one trailing newline
// dropped) on our conformance corpus (tests/template/corpus).
//
// Supported: {{ }}, if/elif/else, for (tuple targets, `if` filter, else,
// loop.*), set (incl. block set and namespace attributes), with, filter
// blocks, raw, comments, whitespace control, Python-like expressions, the
// common filters and tests, str/list/dict methods (split, append, items, get,
// ...), range/dict/namespace; dict.iteritems() as an alias of items() (an
// intentional extension for Python-2-era OpenPAI templates).
// Not supported (parse error): macros, blocks/extends/include/import, call,
// recursive loops, *args/**kwargs in calls.
//
// Values are printed like Python's str(); undefined names render as "" but
// an attribute/subscript of an undefined value is an error, as in Jinja2.
//
// Thread-safety: a parsed Template is immutable; Render may be called from
// several threads at once (each call has its own scope state). The context
// is only read, never copied.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace paiplan::tmpl {

// A `{{ expression }}` that printed an undefined value, which Jinja2 renders
// as "" without a word. Callers warn about it (or, with --strict-templates,
// fail). `expression` is source-like text ("cluster_cfg.x.timeout").
struct UndefinedOutput {
  int line = 0;
  int col = 0;
  std::string expression;
};

// "NAME:LINE:COLUMN: '{{ EXPR }}' is undefined and renders as empty": the
// text of a warning about `u` in template `name`.
std::string DescribeUndefined(const std::string& name, const UndefinedOutput& u);

class Template {
 public:
  // Parses `text`. `name` (usually the file path) prefixes error messages:
  // "NAME:LINE:COLUMN: what was expected". Fails: InvalidArgument for syntax
  // errors, unknown tags or filters, unclosed blocks.
  static Result<Template> Parse(std::string_view text, std::string name);

  // Renders with `context` (a JSON object; key order is the dict order the
  // template sees) as the top-level variables. Fails: InvalidArgument with
  // NAME:LINE:COLUMN for run-time errors (a subscript of an undefined value,
  // adding str and int, division by zero, an unknown filter in an if-branch
  // that runs, ...).
  Result<std::string> Render(const nlohmann::ordered_json& context) const;
  // Like Render; also appends each `{{ }}` that printed an undefined value to
  // `undefined` (in template order; the output is the same as without it).
  Result<std::string> Render(const nlohmann::ordered_json& context, std::vector<UndefinedOutput>* undefined) const;
  // Convenience: converts (keys sorted, as nlohmann::json stores them).
  Result<std::string> Render(const nlohmann::json& context) const;

  const std::string& name() const;

  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  ~Template();

 private:
  struct Impl;
  explicit Template(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parse + Render in one call.
Result<std::string> Render(std::string_view text, const nlohmann::ordered_json& context, std::string name);
Result<std::string> Render(std::string_view text, const nlohmann::json& context, std::string name);
Result<std::string> Render(std::string_view text, const nlohmann::ordered_json& context, std::string name,
                           std::vector<UndefinedOutput>* undefined);

}  // namespace paiplan::tmpl
