#include "providers/template/shell_quote.h"

#include <cctype>

namespace paiplan::tmpl {

namespace {

bool Safe(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("@%+=:,./-_").find(c) != std::string_view::npos;
}

}  // namespace

std::string ShellQuote(std::string_view s) {
  bool safe = !s.empty();
  for (char c : s) safe = safe && Safe(c);
  if (safe) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\"'\"'";
    else out += c;
  }
  return out + "'";
}

Result<Value> ShellQuoteFilter(const Value& v, const CallArgs&) { return Value::Str(ShellQuote(v.Str())); }

}  // namespace paiplan::tmpl
