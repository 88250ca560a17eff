// A Jinja2 renderer over nlohmann::json, byte-identical to Python's
// jinja2.Template(text).render(ctx) with default settings on our
// conformance corpus (tests/template/corpus).
//
// Thread-safety: a parsed Template is immutable and may be rendered from
// several threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace paiplan::tmpl {

class Template {
 public:
  // Parses `text`. `name` (usually the file path) prefixes error messages:
  // "NAME:LINE:COLUMN: what was expected". Fails: InvalidArgument.
  static Result<Template> Parse(std::string_view text, std::string name);
  // Renders with `context` (a JSON object) as the top-level variables.
  // Fails: InvalidArgument with NAME:LINE:COLUMN for run-time errors (e.g. a
  // subscript of an undefined value).
  Result<std::string> Render(const nlohmann::json& context) const;

  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  ~Template();

 private:
  struct Impl;
  explicit Template(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parse + Render in one call.
Result<std::string> Render(std::string_view text, const nlohmann::json& context, std::string name);

}  // namespace paiplan::tmpl
