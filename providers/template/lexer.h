// Lexer: turns template text into tokens the way Jinja2's default lexer does
// (newline normalisation, one trailing newline dropped, `-` whitespace
// control, comments and raw blocks resolved here, balanced brackets so that
// `{{ {'a': {}} }}` and `{{ "}}" }}` work).
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace paiplan::tmpl {

enum class TokKind { kData, kVarBegin, kVarEnd, kBlockBegin, kBlockEnd, kName, kString, kInt, kFloat, kOp, kEof };

struct Token {
  TokKind kind;
  std::string text;  // data / name / decoded string / operator / number text
  int line = 1;
  int col = 1;
  int64_t int_value = 0;
  double float_value = 0;
};

// Tokenizes `text`. Fails (InvalidArgument "NAME:LINE:COL: ...") on an
// unclosed comment or raw block, an unexpected character or unbalanced
// brackets.
Result<std::vector<Token>> Tokenize(std::string_view text, const std::string& name);

// "end of template", "'name'", "end of print statement", ... for messages.
std::string DescribeToken(const Token& t);

}  // namespace paiplan::tmpl
