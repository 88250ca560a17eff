// Operators and string helpers with Python semantics.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "providers/template/ops.h"

namespace paiplan::tmpl {
namespace {

Status TypeError(std::string_view op, const Value& a, const Value& b) {
  return Status::InvalidArgument("unsupported operand type(s) for " + std::string(op) + ": '" + TypeName(a) +
                                 "' and '" + TypeName(b) + "'");
}

Status UndefinedError() { return Status::InvalidArgument("undefined value used in an operation"); }

Result<Value> Repeat(const Value& seq, int64_t n) {
  constexpr int64_t kMaxItems = int64_t{1} << 26;  // 64 MiB of text / 64M elements
  int64_t unit = seq.IsString() ? static_cast<int64_t>(seq.AsStr().size()) : seq.Length().value_or(0);
  if (n > 0 && unit > 0 && n > kMaxItems / unit) return Err(Status::InvalidArgument("repeated value too large"));
  if (seq.IsString()) {
    std::string out;
    for (int64_t i = 0; i < n; ++i) out += seq.AsStr();
    return Value::Str(std::move(out));
  }
  List items = *seq.Items(), out;
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), items.begin(), items.end());
  return Value::MakeList(std::move(out), seq.kind() == Value::Kind::kTuple);
}

double PyFmod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  if (m == 0) m = std::copysign(0.0, b);
  return m;
}

// Python ints are unbounded; ours are 64-bit, so overflow is an error
// instead of a silently wrong (or undefined) result.
Status Overflow() { return Status::InvalidArgument("integer overflow (templates use 64-bit integers)"); }

Result<Value> IntPow(int64_t base, int64_t exp) {
  int64_t result = 1;
  while (exp > 0) {
    if ((exp & 1) && __builtin_mul_overflow(result, base, &result)) return Err(Overflow());
    exp >>= 1;
    if (exp > 0 && __builtin_mul_overflow(base, base, &base)) return Err(Overflow());
  }
  return Value::Int(result);
}

Result<Value> IntArith(std::string_view op, int64_t x, int64_t y) {
  int64_t r = 0;
  if (op == "+") return __builtin_add_overflow(x, y, &r) ? Result<Value>(Err(Overflow())) : Value::Int(r);
  if (op == "-") return __builtin_sub_overflow(x, y, &r) ? Result<Value>(Err(Overflow())) : Value::Int(r);
  if (op == "*") return __builtin_mul_overflow(x, y, &r) ? Result<Value>(Err(Overflow())) : Value::Int(r);
  if (op == "**") {
    if (y >= 0) return IntPow(x, y);
    if (x == 0) return Err(Status::InvalidArgument("division by zero"));
    return Value::Float(std::pow(static_cast<double>(x), static_cast<double>(y)));
  }
  if (y == 0) return Err(Status::InvalidArgument("division by zero"));
  if (op == "/") return Value::Float(static_cast<double>(x) / static_cast<double>(y));
  if (y == -1) {  // avoids INT64_MIN / -1
    if (op == "%") return Value::Int(0);
    return __builtin_sub_overflow(int64_t{0}, x, &r) ? Result<Value>(Err(Overflow())) : Value::Int(r);
  }
  if (op == "//") {
    int64_t q = x / y;
    if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
    return Value::Int(q);
  }
  int64_t m = x % y;
  if (m != 0 && ((m < 0) != (y < 0))) m += y;
  return Value::Int(m);
}

Result<Value> Arith(std::string_view op, const Value& a, const Value& b) {
  if (a.IsIntegral() && b.IsIntegral()) return IntArith(op, a.AsInt(), b.AsInt());
  double x = a.AsDouble(), y = b.AsDouble();
  if (op == "+") return Value::Float(x + y);
  if (op == "-") return Value::Float(x - y);
  if (op == "*") return Value::Float(x * y);
  if (op == "**") {
    if (x == 0 && y < 0) return Err(Status::InvalidArgument("division by zero"));
    return Value::Float(std::pow(x, y));
  }
  if (y == 0) return Err(Status::InvalidArgument("division by zero"));
  if (op == "/") return Value::Float(x / y);
  if (op == "//") return Value::Float(std::floor(x / y));
  return Value::Float(PyFmod(x, y));
}

}  // namespace

Result<Value> BinaryOp(std::string_view op, const Value& a, const Value& b) {
  if (op == "~") {
    std::string out;
    a.AppendStr(out);
    b.AppendStr(out);
    return Value::Str(std::move(out));
  }
  if (a.IsUndefined() || b.IsUndefined()) return Err(UndefinedError());
  if (a.IsNumber() && b.IsNumber()) return Arith(op, a, b);
  if (op == "+") {
    if (a.IsString() && b.IsString()) return Value::Str(std::string(a.AsStr()) + std::string(b.AsStr()));
    bool at = a.kind() == Value::Kind::kTuple, bt = b.kind() == Value::Kind::kTuple;
    if (a.IsSequence() && b.IsSequence() && at == bt) {
      List out = *a.Items();
      List more = *b.Items();
      out.insert(out.end(), more.begin(), more.end());
      return Value::MakeList(std::move(out), at);
    }
  }
  if (op == "*") {
    if ((a.IsString() || a.IsSequence()) && b.IsIntegral()) return Repeat(a, b.AsInt());
    if ((b.IsString() || b.IsSequence()) && a.IsIntegral()) return Repeat(b, a.AsInt());
  }
  if (op == "%" && a.IsString()) return PercentFormat(a.AsStr(), b);
  return Err(TypeError(op, a, b));
}

Result<Value> UnaryOp(char op, const Value& a) {
  if (a.kind() == Value::Kind::kFloat) return Value::Float(op == '-' ? -a.AsDouble() : a.AsDouble());
  if (a.IsIntegral()) {
    if (op == '-' && a.AsInt() == INT64_MIN) return Err(Overflow());
    return Value::Int(op == '-' ? -a.AsInt() : a.AsInt());
  }
  if (a.IsUndefined()) return Err(UndefinedError());
  return Err(Status::InvalidArgument(std::string("bad operand type for unary ") + op + ": '" + TypeName(a) + "'"));
}

Result<bool> Contains(const Value& container, const Value& item) {
  if (container.IsString()) {
    if (!item.IsString()) {
      return Err(Status::InvalidArgument(std::string("'in <string>' requires string as left operand, not ") +
                                         TypeName(item)));
    }
    return container.AsStr().find(item.AsStr()) != std::string_view::npos;
  }
  if (container.IsMapping()) return !container.GetKey(item).IsUndefined();
  if (container.IsSequence() || container.IsUndefined()) {
    PP_ASSIGN_OR_RETURN(List items, container.Items());
    for (const Value& v : items) {
      if (Equal(v, item)) return true;
    }
    return false;
  }
  return Err(Status::InvalidArgument(std::string("argument of type '") + TypeName(container) + "' is not iterable"));
}

namespace {

Result<std::string> FormatOne(char conv, const std::string& spec, const Value& v) {
  char buf[512];
  if (conv == 's') {
    std::string s = v.Str();
    std::snprintf(buf, sizeof buf, ("%" + spec + "s").c_str(), s.c_str());
    return std::string(buf);
  }
  if (conv == 'r') return v.Repr();
  if (!v.IsNumber()) {
    return Err(Status::InvalidArgument(std::string("%") + conv + " format: a real number is required, not " +
                                       TypeName(v)));
  }
  if (conv == 'd' || conv == 'i' || conv == 'x' || conv == 'X' || conv == 'o') {
    int64_t n = v.kind() == Value::Kind::kFloat ? static_cast<int64_t>(v.AsDouble()) : v.AsInt();
    char c = conv == 'i' ? 'd' : conv;
    std::snprintf(buf, sizeof buf, ("%" + spec + "ll" + c).c_str(), static_cast<long long>(n));
    return std::string(buf);
  }
  std::snprintf(buf, sizeof buf, ("%" + spec + conv).c_str(), v.AsDouble());
  return std::string(buf);
}

}  // namespace

Result<Value> PercentFormat(std::string_view fmt, const Value& args) {
  List values;
  if (args.kind() == Value::Kind::kTuple) {
    values = *args.Items();
  } else {
    values.push_back(args);
  }
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    size_t j = i + 1;
    while (j < fmt.size() && std::string_view("-+ #0123456789.").find(fmt[j]) != std::string_view::npos) ++j;
    if (j >= fmt.size()) return Err(Status::InvalidArgument("incomplete format"));
    char conv = fmt[j];
    std::string spec(fmt.substr(i + 1, j - i - 1));
    i = j;
    if (conv == '%') {
      out += '%';
      continue;
    }
    if (std::string_view("sridxXofFeEgG").find(conv) == std::string_view::npos) {
      return Err(Status::InvalidArgument(std::string("unsupported format character '") + conv + "'"));
    }
    if (next >= values.size()) return Err(Status::InvalidArgument("not enough arguments for format string"));
    PP_ASSIGN_OR_RETURN(std::string piece, FormatOne(conv, spec, values[next++]));
    out += piece;
  }
  if (next < values.size()) {
    return Err(Status::InvalidArgument("not all arguments converted during string formatting"));
  }
  return Value::Str(std::move(out));
}

namespace {

// Case mapping for ASCII plus the two-byte Latin-1 / Greek / Cyrillic ranges.
std::string MapCase(std::string_view s, bool upper) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      if (upper && c >= 'a' && c <= 'z') out[i] = static_cast<char>(c - 32);
      if (!upper && c >= 'A' && c <= 'Z') out[i] = static_cast<char>(c + 32);
    } else if ((c == 0xc3) && i + 1 < out.size()) {
      unsigned char d = static_cast<unsigned char>(out[i + 1]);
      if (upper && d == 0x9f) {  // ß -> SS
        out.replace(i, 2, "SS");
        ++i;
        continue;
      }
      if (upper && d >= 0xa0 && d <= 0xbe && d != 0xb7) out[i + 1] = static_cast<char>(d - 0x20);
      if (!upper && d >= 0x80 && d <= 0x9e && d != 0x97) out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    } else if (c == 0xd0 && i + 1 < out.size()) {  // Cyrillic А-Я (d0 90-af) / а-п (d0 b0-bf)
      unsigned char d = static_cast<unsigned char>(out[i + 1]);
      if (upper && d >= 0xb0 && d <= 0xbf) out[i + 1] = static_cast<char>(d - 0x20);
      if (!upper && d >= 0x90 && d <= 0x9f) out[i + 1] = static_cast<char>(d + 0x20);
      if (!upper && d >= 0xa0 && d <= 0xaf) out[i] = static_cast<char>(0xd1), out[i + 1] = static_cast<char>(d - 0x20);
      ++i;
    } else if (c == 0xd1 && i + 1 < out.size()) {  // р-я (d1 80-8f)
      unsigned char d = static_cast<unsigned char>(out[i + 1]);
      if (upper && d >= 0x80 && d <= 0x8f) out[i] = static_cast<char>(0xd0), out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    }
  }
  return out;
}

bool IsPySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1f);
}

}  // namespace

std::string Lower(std::string_view s) { return MapCase(s, false); }
std::string Upper(std::string_view s) { return MapCase(s, true); }

std::vector<std::string> Split(std::string_view s, std::string_view sep, bool has_sep, int64_t maxsplit) {
  std::vector<std::string> out;
  if (has_sep) {
    size_t start = 0;
    while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
      size_t p = s.find(sep, start);
      if (p == std::string_view::npos) break;
      out.emplace_back(s.substr(start, p - start));
      start = p + sep.size();
    }
    out.emplace_back(s.substr(start));
    return out;
  }
  size_t i = 0;
  while (true) {
    while (i < s.size() && IsPySpace(s[i])) ++i;
    if (i >= s.size()) break;
    if (maxsplit >= 0 && static_cast<int64_t>(out.size()) >= maxsplit) {
      size_t end = s.size();
      while (end > i && IsPySpace(s[end - 1])) --end;
      out.emplace_back(s.substr(i, end - i));
      break;
    }
    size_t j = i;
    while (j < s.size() && !IsPySpace(s[j])) ++j;
    out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string_view Strip(std::string_view s, std::string_view chars, bool has_chars, bool left, bool right) {
  auto strip_char = [&](char c) { return has_chars ? chars.find(c) != std::string_view::npos : IsPySpace(c); };
  while (left && !s.empty() && strip_char(s.front())) s.remove_prefix(1);
  while (right && !s.empty() && strip_char(s.back())) s.remove_suffix(1);
  return s;
}

std::string Replace(std::string_view s, std::string_view from, std::string_view to, int64_t count) {
  std::string out;
  if (from.empty()) {
    std::vector<std::string_view> chars = Utf8Chars(s);
    int64_t done = 0;
    for (std::string_view c : chars) {
      if (count < 0 || done < count) out += to, ++done;
      out += c;
    }
    if (count < 0 || done < count) out += to;
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t p = s.find(from, start);
    if (p == std::string_view::npos) break;
    out += s.substr(start, p - start);
    out += to;
    start = p + from.size();
    ++done;
  }
  out += s.substr(start);
  return out;
}

Result<Value> StrFormat(std::string_view fmt, const CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if ((c == '{' || c == '}') && i + 1 < fmt.size() && fmt[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c == '}') return Err(Status::InvalidArgument("Single '}' encountered in format string"));
    if (c != '{') {
      out += c;
      continue;
    }
    size_t close = fmt.find('}', i);
    if (close == std::string_view::npos) return Err(Status::InvalidArgument("Single '{' encountered in format string"));
    std::string_view field = fmt.substr(i + 1, close - i - 1);
    if (field.find_first_of(":!.[") != std::string_view::npos) {
      return Err(Status::InvalidArgument("format specs are not supported"));
    }
    Value v;
    if (field.empty() || std::isdigit(static_cast<unsigned char>(field[0]))) {
      size_t idx = field.empty() ? auto_index++ : std::stoul(std::string(field));
      if (idx >= args.args.size()) return Err(Status::InvalidArgument("Replacement index out of range"));
      v = args.args[idx];
    } else {
      bool found = false;
      for (const auto& [k, kv] : args.kwargs) {
        if (k == field) v = kv, found = true;
      }
      if (!found) return Err(Status::InvalidArgument("KeyError: '" + std::string(field) + "'"));
    }
    v.AppendStr(out);
    i = close;
  }
  return Value::Str(std::move(out));
}

Value Arg(const CallArgs& a, size_t i, std::string_view name, const Value& def) {
  if (i < a.args.size()) return a.args[i];
  for (const auto& [k, v] : a.kwargs) {
    if (k == name) return v;
  }
  return def;
}

}  // namespace paiplan::tmpl
