// Parser: tokens -> statement tree, following Jinja2's grammar and operator
// precedence (parser.py of Jinja2 3.1). Filters and tests are resolved here;
// an unknown one is an error unless it sits inside an `if` or a conditional
// expression, where Jinja2 defers the error to render time.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "providers/template/ast.h"
#include "providers/template/lexer.h"

namespace paiplan::tmpl {

// Parses a whole template. Fails: InvalidArgument "NAME:LINE:COL: ..." for
// syntax errors, unknown tags, unclosed blocks (naming the opening line) and
// unknown filters/tests.
Result<Body> ParseTemplate(std::string_view text, const std::string& name);

}  // namespace paiplan::tmpl
