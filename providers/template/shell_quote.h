// The `shell_quote` filter: paiplan's own (Python Jinja2 has none), so that a
// configuration value written into a file a shell script sources
// (`service.env.template`) is data, never shell code (docs/security.md).
//
// Same bytes as Python's shlex.quote(str(value)): a value of only letters,
// digits and `@%+=:,./-_` is left as it is; anything else (including the
// empty string) is wrapped in single quotes, each ' written as '"'"'.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "providers/template/ast.h"

namespace paiplan::tmpl {

std::string ShellQuote(std::string_view s);
// The filter: ShellQuote of the value's str(); never fails.
Result<Value> ShellQuoteFilter(const Value& v, const CallArgs& args);

}  // namespace paiplan::tmpl
