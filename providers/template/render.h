// Renderer: walks a parsed Body with a context, appending to an output
// string. One Renderer per Render call (holds the scope stack).
//
// Scoping follows Jinja2: `{% if %}` shares its enclosing scope, each
// `{% for %}` iteration gets a fresh scope (a `set` inside a loop is not
// seen after it, nor in the next iteration), `{% set %}` at top level is
// visible for the rest of the template. Names resolve innermost scope
// first, then the context object, then the globals (range, dict, namespace).
//
// Thread-safety: not thread-safe; create one per render.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/template/ast.h"
#include "providers/template/jinja.h"

namespace paiplan::tmpl {

class Renderer {
 public:
  // REQUIRES: `context` outlives the renderer and every Value it returns.
  Renderer(const std::string& name, const Json& context);

  // Fails: InvalidArgument "NAME:LINE:COL: ..." on run-time errors.
  Status Render(const Body& body, std::string& out);
  // Each `{{ }}` that prints an undefined value is appended to `sink` (may be null).
  void CollectUndefined(std::vector<UndefinedOutput>* sink) { undefined_ = sink; }

 private:
  struct Scope {
    std::vector<std::pair<std::string_view, Value>> vars;
  };

  Status RenderFor(const Stmt& s, std::string& out);
  Status RenderSet(const Stmt& s, std::string& out);
  Status RenderScoped(const Stmt& s, std::string& out);
  Status Assign(const Target& target, const Value& value, const Stmt& at);
  Result<Value> Eval(const Expr& e);
  Result<Value> EvalCall(const Expr& e);
  Result<Value> EvalFilter(const Expr& e);
  Result<Value> EvalTest(const Expr& e);
  Result<Value> EvalCompare(const Expr& e);
  Result<Value> EvalSlice(const Expr& e);
  Status EvalArgs(const Expr& e, size_t first, CallArgs& out);
  Value Lookup(std::string_view name) const;
  void Bind(std::string_view name, Value v);
  // Budgets (budget.h): each fails with file:line:col and the limit.
  Status Step(int line, int col);
  Status CheckOutput(const std::string& out, int line, int col) const;
  Status CheckString(const Value& v, const Expr& e) const;
  Status Fail(int line, int col, const std::string& msg) const;
  Status Fail(const Expr& e, const std::string& msg) const { return Fail(e.line, e.col, msg); }

  const std::string& name_;
  const Json& context_;
  std::vector<Scope> scopes_;
  std::vector<UndefinedOutput>* undefined_ = nullptr;
  Value block_value_;  // subject of a `{% set x | filter %}` block filter
  uint64_t steps_ = 0;  // statements and loop iterations so far (kMaxRenderSteps)
};

}  // namespace paiplan::tmpl
