// The parsed form of a Jinja2 template: expression and statement trees.
// Built once by the parser, then only read by the renderer (thread-safe to
// share between concurrent renders).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "providers/template/value.h"

namespace paiplan::tmpl {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// A filter or test: receives the evaluated subject and arguments.
struct CallArgs {
  std::vector<Value> args;  // positional, after the subject
  std::vector<std::pair<std::string_view, Value>> kwargs;
};
using FilterFn = Result<Value> (*)(const Value& subject, const CallArgs& args);
using TestFn = Result<bool> (*)(const Value& subject, const CallArgs& args);

enum class ExprKind {
  kLiteral,   // literal
  kName,      // name
  kList,      // args = elements
  kTuple,     // args = elements
  kDict,      // args = key, value, key, value...
  kAttr,      // args[0].name
  kItem,      // args[0][args[1]]
  kSlice,     // args[0][args[1]:args[2]:args[3]] (null = omitted)
  kCall,      // args[0](args[1..], kwargs)
  kFilter,    // args[0]|name(args[1..], kwargs); filter may be null (unknown, soft)
  kTest,      // args[0] is [not] name(args[1..]); negate
  kNeg, kPos, kNot,  // args[0]
  kBinary,    // args[0] op args[1] with op in + - * / // % ** ~
  kAnd, kOr,  // args[0], args[1]
  kCompare,   // args[0] ops[0] args[1] ops[1] args[2]...
  kCond,      // args[0] if args[1] else args[2] (args[2] may be null)
};

struct Expr {
  ExprKind kind;
  int line = 0;
  int col = 0;
  std::string name;  // name / attribute / filter / test / binary operator
  Value literal;
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;  // compare operators: == != < > <= >= in notin
  FilterFn filter = nullptr;
  TestFn test = nullptr;
  bool negate = false;
};

struct Stmt;
using Body = std::vector<Stmt>;

// Assignment target of for/set: one name, a tuple of names, or ns.attr.
struct Target {
  std::vector<std::string> names;
  bool unpack = false;
  std::string attr;  // non-empty for `set ns.attr = ...`
};

enum class StmtKind { kText, kOutput, kIf, kFor, kSet, kSetBlock, kWith, kFilterBlock };

struct Stmt {
  StmtKind kind;
  int line = 0;
  int col = 0;
  std::string text;                           // kText
  ExprPtr expr;                               // kOutput value, kFor iterable, kSet value
  std::vector<std::pair<ExprPtr, Body>> branches;  // kIf: (condition, body)...
  Body body;                                  // kFor / kSetBlock / kWith / kFilterBlock body; kIf else
  Body else_body;                             // kFor else
  Target target;                              // kFor / kSet / kSetBlock
  ExprPtr cond;                               // kFor `if` filter
  ExprPtr block_filter;                       // kSetBlock / kFilterBlock filter chain (subject is a placeholder)
  std::vector<std::pair<std::string, ExprPtr>> assigns;  // kWith `name = value` pairs
};

// Looks up a filter / test by name (nullptr when unknown).
FilterFn FindFilter(std::string_view name);
TestFn FindTest(std::string_view name);

}  // namespace paiplan::tmpl
