// Python semantics for Jinja2 operators, filters, tests and methods on Value.
// Every call fails with a plain message (no position); the renderer prefixes
// NAME:LINE:COL of the expression that failed.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "providers/template/ast.h"
#include "providers/template/value.h"

namespace paiplan::tmpl {

// a OP b for OP in + - * / // % ** ~.
Result<Value> BinaryOp(std::string_view op, const Value& a, const Value& b);
// -a / +a.
Result<Value> UnaryOp(char op, const Value& a);
// `item in container`.
Result<bool> Contains(const Value& container, const Value& item);
// Python printf-style `fmt % args`.
Result<Value> PercentFormat(std::string_view fmt, const Value& args);
// obj.name(args). Sets *found=false when the type has no such method.
Result<Value> CallMethod(const Value& obj, std::string_view name, const CallArgs& args, bool* found);
// Global functions (range, dict, namespace). *found=false when unknown.
Result<Value> CallGlobal(std::string_view name, const CallArgs& args, bool* found);
// json.dumps(v, sort_keys=True) with Jinja2's HTML-safe escapes.
Result<std::string> ToJson(const Value& v, int indent);
// Python str.lower()/upper() for ASCII and Latin-1/Greek/Cyrillic letters.
std::string Lower(std::string_view s);
std::string Upper(std::string_view s);
// Python str.split(sep, maxsplit); sep empty = whitespace.
std::vector<std::string> Split(std::string_view s, std::string_view sep, bool has_sep, int64_t maxsplit);
// Python str.strip(chars) (whitespace when !has_chars).
std::string_view Strip(std::string_view s, std::string_view chars, bool has_chars, bool left, bool right);
// Python str.replace(old, new, count).
std::string Replace(std::string_view s, std::string_view from, std::string_view to, int64_t count);
// Python str.format with positional {} / {0} / {name} fields (no specs).
Result<Value> StrFormat(std::string_view fmt, const CallArgs& args);

// Argument helper for filters and methods: positional index `i` or keyword
// `name`, else `def`.
Value Arg(const CallArgs& a, size_t i, std::string_view name, const Value& def);

}  // namespace paiplan::tmpl
