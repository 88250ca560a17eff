// Jinja2's built-in filters (the subset paiplan templates use), with the
// semantics of jinja2/filters.py 3.1.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "providers/template/ops.h"
#include "providers/template/shell_quote.h"

namespace paiplan::tmpl {
namespace {

const Value kUndef{};
const Value kNone = Value::None();
const Value kFalse = Value::Bool(false);
const Value kEmpty = Value::StrView("");

Value IgnoreCase(const Value& v) { return v.IsString() ? Value::Str(Lower(v.AsStr())) : v; }

// make_attrgetter: "a.b.0" looked up with getitem semantics.
Value GetPath(const Value& item, const Value& attribute) {
  if (attribute.IsNone() || attribute.IsUndefined()) return item;
  if (!attribute.IsString()) return item.GetItem(attribute);
  Value v = item;
  for (const std::string& part : Split(attribute.AsStr(), ".", true, -1)) {
    bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    v = v.GetItem(digits ? Value::Int(std::stoll(part)) : Value::Str(part));
  }
  return v;
}

Result<Value> Default(const Value& v, const CallArgs& a) {
  if (v.IsUndefined() || (Arg(a, 1, "boolean", kFalse).Truthy() && !v.Truthy())) return Arg(a, 0, "default_value", kEmpty);
  return v;
}

Result<Value> Join(const Value& v, const CallArgs& a) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  std::string sep = Arg(a, 0, "d", kEmpty).Str();
  Value attr = Arg(a, 1, "attribute", kNone);
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    GetPath(items[i], attr).AppendStr(out);
  }
  return Value::Str(std::move(out));
}

Result<Value> String(const Value& v, const CallArgs&) { return v.IsString() ? v : Value::Str(v.Str()); }

Result<Value> UndefinedOp() { return Err(Status::InvalidArgument("undefined value used in an operation")); }

// Python float(str): optional whitespace, decimal/inf/nan, underscores between digits.
bool ParseFloat(std::string_view s, double* out) {
  s = Strip(s, "", false, true, true);
  std::string t;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && i + 1 < s.size() && std::isdigit((unsigned char)s[i - 1]) &&
        std::isdigit((unsigned char)s[i + 1])) continue;
    t += s[i];
  }
  if (t.empty() || t.find_first_of("xXpP") != std::string::npos) return false;
  std::string low = Lower(t);
  std::string_view body = low;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (body != "inf" && body != "infinity" && body != "nan" &&
      body.find_first_not_of("0123456789.e+-") != std::string_view::npos) return false;
  char* end = nullptr;
  *out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size();
}

bool ParseInt(std::string_view s, int64_t base, int64_t* out) {
  s = Strip(s, "", false, true, true);
  std::string t;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && i + 1 < s.size() && std::isxdigit((unsigned char)s[i - 1]) &&
        std::isxdigit((unsigned char)s[i + 1])) continue;
    t += s[i];
  }
  size_t start = (!t.empty() && (t[0] == '+' || t[0] == '-')) ? 1 : 0;
  std::string digits = t.substr(start);
  if (base == 16 && digits.size() > 2 && (digits.substr(0, 2) == "0x" || digits.substr(0, 2) == "0X")) digits.erase(0, 2);
  if (base == 8 && digits.size() > 2 && (digits.substr(0, 2) == "0o" || digits.substr(0, 2) == "0O")) digits.erase(0, 2);
  if (base == 2 && digits.size() > 2 && (digits.substr(0, 2) == "0b" || digits.substr(0, 2) == "0B")) digits.erase(0, 2);
  if (digits.empty()) return false;
  char* end = nullptr;
  long long n = std::strtoll(digits.c_str(), &end, static_cast<int>(base));
  if (end != digits.c_str() + digits.size() || !std::isalnum((unsigned char)digits[0])) return false;
  *out = start && t[0] == '-' ? -n : n;
  return true;
}

// float → int as Python's int(): truncation. Jinja2 3.1.2's `int` returns
// its default for nan (Python's ValueError, which the filter catches) and
// fails on infinity (OverflowError, which it does not); a finite value beyond
// 64 bits would be a Python big integer, which paiplan cannot represent: an
// error, never a wrong number.
Result<Value> FloatToInt(double f, const Value& def) {
  if (std::isnan(f)) return def;
  if (std::isinf(f)) return Err(Status::InvalidArgument("cannot convert float infinity to integer"));
  if (f >= 9223372036854775808.0 || f < -9223372036854775808.0) {
    return Err(Status::InvalidArgument("integer out of range: the number"
                                       " does not fit in 64 bits (Python would make a big integer)"));
  }
  return Value::Int(static_cast<int64_t>(f));
}

Result<Value> Int(const Value& v, const CallArgs& a) {
  Value def = Arg(a, 0, "default", Value::Int(0));
  if (v.IsUndefined()) return UndefinedOp();
  if (v.IsIntegral()) return Value::Int(v.AsInt());
  if (v.kind() == Value::Kind::kFloat) return FloatToInt(v.AsDouble(), def);
  if (v.IsString()) {
    int64_t n;
    int64_t base = Arg(a, 1, "base", Value::Int(10)).AsInt();
    if (ParseInt(v.AsStr(), base, &n)) return Value::Int(n);
    double f;
    if (ParseFloat(v.AsStr(), &f)) return FloatToInt(f, def);
  }
  return def;
}

Result<Value> Float(const Value& v, const CallArgs& a) {
  if (v.IsUndefined()) return UndefinedOp();
  if (v.IsNumber()) return Value::Float(v.AsDouble());
  double f;
  if (v.IsString() && ParseFloat(v.AsStr(), &f)) return Value::Float(f);
  return Arg(a, 0, "default", Value::Float(0.0));
}

Result<Value> Length(const Value& v, const CallArgs&) {
  PP_ASSIGN_OR_RETURN(int64_t n, v.Length());
  return Value::Int(n);
}

Result<Value> LowerF(const Value& v, const CallArgs&) { return Value::Str(Lower(v.Str())); }
Result<Value> UpperF(const Value& v, const CallArgs&) { return Value::Str(Upper(v.Str())); }

Result<Value> Trim(const Value& v, const CallArgs& a) {
  Value chars = Arg(a, 0, "chars", kNone);
  std::string s = v.Str();
  std::string cs = chars.IsNone() ? "" : chars.Str();
  return Value::Str(std::string(Strip(s, cs, !chars.IsNone(), true, true)));
}

Result<Value> ReplaceF(const Value& v, const CallArgs& a) {
  if (a.args.size() < 2) return Err(Status::InvalidArgument("replace() needs old and new"));
  Value count = Arg(a, 2, "count", kNone);
  return Value::Str(Replace(v.Str(), a.args[0].Str(), a.args[1].Str(), count.IsIntegral() ? count.AsInt() : -1));
}

// Stable sort by key with Python's < (errors for incomparable keys).
Status SortByKey(List& items, const std::vector<Value>& keys, bool reverse) {
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Status error;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    Result<bool> lt = reverse ? Less(keys[y], keys[x]) : Less(keys[x], keys[y]);
    if (!lt && error.ok()) error = lt.error();
    return lt.value_or(false);
  });
  PP_RETURN_IF_ERROR(error);
  List sorted;
  sorted.reserve(items.size());
  for (size_t i : order) sorted.push_back(items[i]);
  items = std::move(sorted);
  return Status::Ok();
}

Result<Value> DictSort(const Value& v, const CallArgs& a) {
  if (!v.IsMapping()) return Err(Status::InvalidArgument("dictsort needs a mapping"));
  bool case_sensitive = Arg(a, 0, "case_sensitive", kFalse).Truthy();
  std::string by = Arg(a, 1, "by", Value::StrView("key")).Str();
  if (by != "key" && by != "value") return Err(Status::InvalidArgument("You can only sort by either \"key\" or \"value\""));
  bool reverse = Arg(a, 2, "reverse", kFalse).Truthy();
  List items;
  std::vector<Value> keys;
  for (auto& [k, val] : v.Pairs()) {
    const Value& key = by == "key" ? k : val;
    keys.push_back(case_sensitive ? key : IgnoreCase(key));
    items.push_back(Value::MakeList({k, val}, true));
  }
  PP_RETURN_IF_ERROR_R(SortByKey(items, keys, reverse));
  return Value::MakeList(std::move(items));
}

Result<Value> ToJsonF(const Value& v, const CallArgs& a) {
  Value indent = Arg(a, 0, "indent", kNone);
  PP_ASSIGN_OR_RETURN(std::string s, ToJson(v, indent.IsIntegral() ? static_cast<int>(indent.AsInt()) : -1));
  return Value::Str(std::move(s));
}

// Python str.splitlines() for the ASCII line boundaries.
std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e)) {
      out.push_back(s.substr(start, i - start));
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

Result<Value> Indent(const Value& v, const CallArgs& a) {
  Value width = Arg(a, 0, "width", Value::Int(4));
  std::string ind = width.IsString() ? std::string(width.AsStr())
                                     : std::string(static_cast<size_t>(std::max<int64_t>(0, width.AsInt())), ' ');
  bool first = Arg(a, 1, "first", kFalse).Truthy();
  bool blank = Arg(a, 2, "blank", kFalse).Truthy();
  std::string s = v.Str() + "\n";
  std::vector<std::string_view> lines = SplitLines(s);
  std::string rv;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) rv += "\n";
    if (i && (blank || !lines[i].empty())) rv += ind;
    rv += lines[i];
  }
  if (first) rv = ind + rv;
  return Value::Str(std::move(rv));
}

Result<Value> First(const Value& v, const CallArgs&) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  return items.empty() ? Value() : items.front();
}

Result<Value> Last(const Value& v, const CallArgs&) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  return items.empty() ? Value() : items.back();
}

std::vector<Value> Keys(const List& items, const Value& attribute, bool case_sensitive) {
  std::vector<Value> keys;
  keys.reserve(items.size());
  for (const Value& item : items) {
    Value k = GetPath(item, attribute);
    keys.push_back(case_sensitive ? k : IgnoreCase(k));
  }
  return keys;
}

Result<Value> Sort(const Value& v, const CallArgs& a) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  bool reverse = Arg(a, 0, "reverse", kFalse).Truthy();
  bool cs = Arg(a, 1, "case_sensitive", kFalse).Truthy();
  Value attr = Arg(a, 2, "attribute", kNone);
  std::vector<Value> keys;
  if (attr.IsString() && attr.AsStr().find(',') != std::string_view::npos) {
    // make_multi_attrgetter: the key is the list of each attribute's value.
    std::vector<std::vector<Value>> columns;
    for (const std::string& part : Split(attr.AsStr(), ",", true, -1)) {
      columns.push_back(Keys(items, Value::Str(part), cs));
    }
    for (size_t i = 0; i < items.size(); ++i) {
      List key;
      for (const auto& col : columns) key.push_back(col[i]);
      keys.push_back(Value::MakeList(std::move(key)));
    }
  } else {
    keys = Keys(items, attr, cs);
  }
  PP_RETURN_IF_ERROR_R(SortByKey(items, keys, reverse));
  return Value::MakeList(std::move(items));
}

Result<Value> Unique(const Value& v, const CallArgs& a) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  std::vector<Value> keys = Keys(items, Arg(a, 1, "attribute", kNone), Arg(a, 0, "case_sensitive", kFalse).Truthy());
  List out;
  std::vector<Value> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return Equal(s, keys[i]); })) continue;
    seen.push_back(keys[i]);
    out.push_back(items[i]);
  }
  return Value::MakeList(std::move(out));
}

Result<Value> MinMax(const Value& v, const CallArgs& a, bool max) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  if (items.empty()) return Value();
  std::vector<Value> keys = Keys(items, Arg(a, 1, "attribute", kNone), Arg(a, 0, "case_sensitive", kFalse).Truthy());
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    PP_ASSIGN_OR_RETURN(bool better, max ? Less(keys[best], keys[i]) : Less(keys[i], keys[best]));
    if (better) best = i;
  }
  return items[best];
}
Result<Value> Min(const Value& v, const CallArgs& a) { return MinMax(v, a, false); }
Result<Value> Max(const Value& v, const CallArgs& a) { return MinMax(v, a, true); }

Result<Value> ListF(const Value& v, const CallArgs&) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  return Value::MakeList(std::move(items));
}

Result<Value> Abs(const Value& v, const CallArgs&) {
  if (v.kind() == Value::Kind::kFloat) return Value::Float(std::fabs(v.AsDouble()));
  if (v.IsIntegral()) {
    if (v.AsInt() == INT64_MIN) return Err(Status::InvalidArgument("integer overflow"));
    return Value::Int(std::llabs(v.AsInt()));
  }
  return Err(Status::InvalidArgument(std::string("bad operand type for abs(): '") + TypeName(v) + "'"));
}

// item[0].upper() + item[1:].lower() on the first code point.
std::string CapitalizeWord(std::string_view w) {
  if (w.empty()) return "";
  std::vector<std::string_view> chars = Utf8Chars(w);
  return Upper(chars[0]) + Lower(w.substr(chars[0].size()));
}

Result<Value> Capitalize(const Value& v, const CallArgs&) { return Value::Str(CapitalizeWord(v.Str())); }

Result<Value> Title(const Value& v, const CallArgs&) {
  std::string s = v.Str(), out;
  auto is_sep = [](char c) { return std::string_view("-({[< \t\n\r\v\f").find(c) != std::string_view::npos; };
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    bool sep = is_sep(s[i]);
    while (j < s.size() && is_sep(s[j]) == sep) ++j;
    out += sep ? s.substr(i, j - i) : CapitalizeWord(std::string_view(s).substr(i, j - i));
    i = j;
  }
  return Value::Str(std::move(out));
}

Result<Value> Round(const Value& v, const CallArgs& a) {
  int64_t precision = Arg(a, 0, "precision", Value::Int(0)).AsInt();
  std::string method = Arg(a, 1, "method", Value::StrView("common")).Str();
  if (!v.IsNumber()) return Err(Status::InvalidArgument("round() needs a number"));
  if (method == "common") {
    if (v.IsIntegral() && precision >= 0) return Value::Int(v.AsInt());
    if (precision < 0) {
      double scale = std::pow(10.0, static_cast<double>(-precision));
      double r = std::nearbyint(v.AsDouble() / scale) * scale;
      return v.IsIntegral() ? Value::Int(static_cast<int64_t>(r)) : Value::Float(r);
    }
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(std::max<int64_t>(precision, 0)), v.AsDouble());
    return Value::Float(std::strtod(buf, nullptr));
  }
  if (method != "ceil" && method != "floor") return Err(Status::InvalidArgument("method must be common, ceil or floor"));
  double scale = std::pow(10.0, static_cast<double>(precision));
  double x = v.AsDouble() * scale;
  return Value::Float((method == "ceil" ? std::ceil(x) : std::floor(x)) / scale);
}

Result<Value> Sum(const Value& v, const CallArgs& a) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  Value attr = Arg(a, 0, "attribute", kNone);
  Value total = Arg(a, 1, "start", Value::Int(0));
  for (const Value& item : items) {
    PP_ASSIGN_OR_RETURN(total, BinaryOp("+", total, GetPath(item, attr)));
  }
  return total;
}

Result<Value> Items(const Value& v, const CallArgs&) {
  if (v.IsUndefined()) return Value::MakeList({});
  if (!v.IsMapping()) return Err(Status::InvalidArgument("Can only get item pairs from a mapping."));
  List out;
  for (auto& [k, val] : v.Pairs()) out.push_back(Value::MakeList({k, val}, true));
  return Value::MakeList(std::move(out));
}

CallArgs Rest(const CallArgs& a, size_t from) {
  CallArgs r;
  if (from < a.args.size()) r.args.assign(a.args.begin() + static_cast<long>(from), a.args.end());
  r.kwargs = a.kwargs;
  return r;
}

Result<Value> Map(const Value& v, const CallArgs& a) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  List out;
  if (a.args.empty()) {
    Value attr = Arg(a, 99, "attribute", kNone);
    Value def = Arg(a, 99, "default", kUndef);
    for (const Value& item : items) {
      Value x = GetPath(item, attr);
      out.push_back(x.IsUndefined() && !def.IsUndefined() ? def : x);
    }
    return Value::MakeList(std::move(out));
  }
  FilterFn f = FindFilter(a.args[0].Str());
  if (!f) return Err(Status::InvalidArgument("No filter named '" + a.args[0].Str() + "'."));
  CallArgs rest = Rest(a, 1);
  for (const Value& item : items) {
    PP_ASSIGN_OR_RETURN(Value x, f(item, rest));
    out.push_back(std::move(x));
  }
  return Value::MakeList(std::move(out));
}

Result<Value> SelectImpl(const Value& v, const CallArgs& a, bool attr_mode, bool keep) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  size_t first = attr_mode ? 1 : 0;
  Value attr = attr_mode && !a.args.empty() ? a.args[0] : Value::None();
  TestFn test = nullptr;
  if (a.args.size() > first) {
    test = FindTest(a.args[first].Str());
    if (!test) return Err(Status::InvalidArgument("No test named '" + a.args[first].Str() + "'."));
  }
  CallArgs rest = Rest(a, first + 1);
  List out;
  for (const Value& item : items) {
    Value x = GetPath(item, attr);
    bool ok = x.Truthy();
    if (test) {
      PP_ASSIGN_OR_RETURN(ok, test(x, rest));
    }
    if (ok == keep) out.push_back(item);
  }
  return Value::MakeList(std::move(out));
}
Result<Value> Select(const Value& v, const CallArgs& a) { return SelectImpl(v, a, false, true); }
Result<Value> Reject(const Value& v, const CallArgs& a) { return SelectImpl(v, a, false, false); }
Result<Value> SelectAttr(const Value& v, const CallArgs& a) { return SelectImpl(v, a, true, true); }
Result<Value> RejectAttr(const Value& v, const CallArgs& a) { return SelectImpl(v, a, true, false); }

Result<Value> Reverse(const Value& v, const CallArgs&) {
  if (v.IsString()) {
    std::vector<std::string_view> chars = Utf8Chars(v.AsStr());
    std::string out;
    for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += *it;
    return Value::Str(std::move(out));
  }
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  std::reverse(items.begin(), items.end());
  return Value::MakeList(std::move(items));
}

Result<Value> Center(const Value& v, const CallArgs& a) {
  std::string s = v.Str();
  int64_t width = Arg(a, 0, "width", Value::Int(80)).AsInt();
  int64_t len = Utf8Length(s);
  if (width <= len) return Value::Str(s);
  int64_t pad = width - len;
  int64_t left = pad / 2 + (pad & width & 1);
  return Value::Str(std::string(static_cast<size_t>(left), ' ') + s + std::string(static_cast<size_t>(pad - left), ' '));
}

Result<Value> WordCount(const Value& v, const CallArgs&) {
  std::string s = v.Str();
  int64_t n = 0;
  bool in_word = false;
  for (char c : s) {
    bool w = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (static_cast<unsigned char>(c) >= 0x80);
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Value::Int(n);
}

Result<Value> Escape(const Value& v, const CallArgs&) {
  std::string out;
  for (char c : v.Str()) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return Value::Str(std::move(out));
}

Result<Value> Safe(const Value& v, const CallArgs&) { return v.IsString() ? v : Value::Str(v.Str()); }

Result<Value> Format(const Value& v, const CallArgs& a) {
  if (!a.kwargs.empty()) return Err(Status::InvalidArgument("format filter: keyword arguments are not supported"));
  return PercentFormat(v.Str(), a.args.size() == 1 && a.args[0].IsMapping() ? a.args[0] : Value::MakeList(a.args, true));
}

Result<Value> Batch(const Value& v, const CallArgs& a) {
  PP_ASSIGN_OR_RETURN(List items, v.Items());
  int64_t n = Arg(a, 0, "linecount", Value::Int(1)).AsInt();
  Value fill = Arg(a, 1, "fill_with", kNone);
  if (n <= 0) return Err(Status::InvalidArgument("batch size must be positive"));
  List out, cur;
  for (const Value& item : items) {
    cur.push_back(item);
    if (static_cast<int64_t>(cur.size()) == n) out.push_back(Value::MakeList(std::move(cur))), cur.clear();
  }
  if (!cur.empty()) {
    while (!fill.IsNone() && static_cast<int64_t>(cur.size()) < n) cur.push_back(fill);
    out.push_back(Value::MakeList(std::move(cur)));
  }
  return Value::MakeList(std::move(out));
}

}  // namespace

FilterFn FindFilter(std::string_view name) {
  static const std::unordered_map<std::string_view, FilterFn> kFilters = {
      {"default", Default}, {"d", Default}, {"join", Join}, {"string", String}, {"int", Int},
      {"float", Float}, {"length", Length}, {"count", Length}, {"lower", LowerF}, {"upper", UpperF},
      {"trim", Trim}, {"replace", ReplaceF}, {"dictsort", DictSort}, {"tojson", ToJsonF}, {"indent", Indent},
      {"first", First}, {"last", Last}, {"sort", Sort}, {"unique", Unique}, {"list", ListF}, {"abs", Abs},
      {"capitalize", Capitalize}, {"title", Title}, {"round", Round}, {"min", Min}, {"max", Max}, {"sum", Sum},
      {"items", Items}, {"map", Map}, {"select", Select}, {"reject", Reject}, {"selectattr", SelectAttr},
      {"rejectattr", RejectAttr}, {"reverse", Reverse}, {"center", Center}, {"wordcount", WordCount},
      {"escape", Escape}, {"e", Escape}, {"forceescape", Escape}, {"safe", Safe}, {"format", Format},
      {"batch", Batch}, {"shell_quote", ShellQuoteFilter},
  };
  auto it = kFilters.find(name);
  return it == kFilters.end() ? nullptr : it->second;
}

}  // namespace paiplan::tmpl
