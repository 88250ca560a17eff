// Python methods on str/list/dict values, global functions, and tojson.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "providers/template/ops.h"

namespace paiplan::tmpl {
namespace {

const Value kNoneArg = Value::None();
const Value kMissing{};

Status ArgError(std::string_view method) {
  return Status::InvalidArgument(std::string(method) + "() got unexpected arguments");
}

Result<std::string_view> StrArg(const Value& v, std::string_view method) {
  if (!v.IsString()) {
    return Err(Status::InvalidArgument(std::string(method) + "() argument must be str, not " + TypeName(v)));
  }
  return v.AsStr();
}

Value StrList(const std::vector<std::string>& parts) {
  List out;
  out.reserve(parts.size());
  for (const auto& p : parts) out.push_back(Value::Str(p));
  return Value::MakeList(std::move(out));
}

Result<bool> AffixMatch(std::string_view s, const Value& affix, bool prefix) {
  if (affix.kind() == Value::Kind::kTuple) {
    List options = *affix.Items();
    for (const Value& v : options) {
      PP_ASSIGN_OR_RETURN(bool m, AffixMatch(s, v, prefix));
      if (m) return true;
    }
    return false;
  }
  PP_ASSIGN_OR_RETURN(std::string_view a, StrArg(affix, prefix ? "startswith" : "endswith"));
  return prefix ? s.starts_with(a) : s.ends_with(a);
}

Result<Value> StrSplit(std::string_view s, const CallArgs& args) {
  Value sep = Arg(args, 0, "sep", kNoneArg);
  Value max = Arg(args, 1, "maxsplit", kMissing);
  int64_t maxsplit = max.IsIntegral() ? max.AsInt() : -1;
  if (sep.IsNone()) return StrList(Split(s, "", false, maxsplit));
  PP_ASSIGN_OR_RETURN(std::string_view sv, StrArg(sep, "split"));
  if (sv.empty()) return Err(Status::InvalidArgument("empty separator"));
  return StrList(Split(s, sv, true, maxsplit));
}

Result<Value> StrMethod(std::string_view s, std::string_view name, const CallArgs& args, bool* found) {
  if (name == "split" || (name == "rsplit" && Arg(args, 1, "maxsplit", kMissing).IsUndefined())) {
    return StrSplit(s, args);
  }
  if (name == "startswith" || name == "endswith") {
    if (args.args.size() != 1) return Err(ArgError(name));
    PP_ASSIGN_OR_RETURN(bool m, AffixMatch(s, args.args[0], name == "startswith"));
    return Value::Bool(m);
  }
  if (name == "lower") return Value::Str(Lower(s));
  if (name == "upper") return Value::Str(Upper(s));
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    Value chars = Arg(args, 0, "chars", kNoneArg);
    bool has = !chars.IsNone();
    std::string_view cs;
    if (has) {
      PP_ASSIGN_OR_RETURN(cs, StrArg(chars, name));
    }
    return Value::Str(std::string(Strip(s, cs, has, name != "rstrip", name != "lstrip")));
  }
  if (name == "replace") {
    if (args.args.size() < 2) return Err(ArgError(name));
    PP_ASSIGN_OR_RETURN(std::string_view from, StrArg(args.args[0], name));
    PP_ASSIGN_OR_RETURN(std::string_view to, StrArg(args.args[1], name));
    Value count = Arg(args, 2, "count", kMissing);
    return Value::Str(Replace(s, from, to, count.IsIntegral() ? count.AsInt() : -1));
  }
  if (name == "format") return StrFormat(s, args);
  if (name == "join") {
    if (args.args.size() != 1) return Err(ArgError(name));
    PP_ASSIGN_OR_RETURN(List items, args.args[0].Items());
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].IsString()) {
        return Err(Status::InvalidArgument("sequence item " + std::to_string(i) + ": expected str instance"));
      }
      if (i) out += s;
      out += items[i].AsStr();
    }
    return Value::Str(std::move(out));
  }
  if (name == "find" || name == "count") {
    if (args.args.size() != 1) return Err(ArgError(name));
    PP_ASSIGN_OR_RETURN(std::string_view sub, StrArg(args.args[0], name));
    if (name == "count") {
      if (sub.empty()) return Value::Int(Utf8Length(s) + 1);
      int64_t n = 0;
      for (size_t p = s.find(sub); p != std::string_view::npos; p = s.find(sub, p + sub.size())) ++n;
      return Value::Int(n);
    }
    size_t p = s.find(sub);
    return Value::Int(p == std::string_view::npos ? -1 : Utf8Length(s.substr(0, p)));
  }
  if (name == "isdigit") {
    return Value::Bool(!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }));
  }
  if (name == "splitlines") {
    std::vector<std::string> lines = Split(s, "\n", true, -1);
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    return StrList(lines);
  }
  *found = false;
  return Value();
}

Result<Value> MapMethod(const Value& obj, std::string_view name, const CallArgs& args, bool* found) {
  if (name == "items" || name == "iteritems") {
    List out;
    for (auto& [k, v] : obj.Pairs()) out.push_back(Value::MakeList({k, v}, true));
    return Value::MakeList(std::move(out));
  }
  if (name == "keys" || name == "iterkeys") return Value::MakeList(*obj.Items());
  if (name == "values" || name == "itervalues") {
    List out;
    for (auto& kv : obj.Pairs()) out.push_back(kv.second);
    return Value::MakeList(std::move(out));
  }
  if (name == "get") {
    if (args.args.empty() || args.args.size() > 2) return Err(ArgError(name));
    Value v = obj.GetKey(args.args[0]);
    if (v.IsUndefined()) return args.args.size() > 1 ? args.args[1] : Value::None();
    return v;
  }
  if (name == "update" && obj.MutableDict()) {
    Dict* d = obj.MutableDict();
    if (!args.args.empty()) {
      for (auto& [k, v] : args.args[0].Pairs()) d->Set(k, v);
    }
    for (auto& [k, v] : args.kwargs) d->Set(Value::Str(std::string(k)), v);
    return Value::None();
  }
  *found = false;
  return Value();
}

Result<Value> ListMethod(const Value& obj, std::string_view name, const CallArgs& args, bool* found) {
  List* list = obj.kind() == Value::Kind::kList ? obj.MutableList() : nullptr;
  bool mutating = name == "append" || name == "extend" || name == "pop" || name == "insert";
  if (mutating && !list) {
    return Err(Status::InvalidArgument(std::string("cannot call ") + std::string(name) +
                                       "() on a list from the render context (it is read-only)"));
  }
  if (name == "append") {
    if (args.args.size() != 1) return Err(ArgError(name));
    list->push_back(args.args[0]);
    return Value::None();
  }
  if (name == "extend") {
    if (args.args.size() != 1) return Err(ArgError(name));
    PP_ASSIGN_OR_RETURN(List more, args.args[0].Items());
    list->insert(list->end(), more.begin(), more.end());
    return Value::None();
  }
  if (name == "pop") {
    if (list->empty()) return Err(Status::InvalidArgument("pop from empty list"));
    int64_t n = static_cast<int64_t>(list->size());
    int64_t i = args.args.empty() ? n - 1 : args.args[0].AsInt();
    if (i < 0) i += n;
    if (i < 0 || i >= n) return Err(Status::InvalidArgument("pop index out of range"));
    Value v = (*list)[static_cast<size_t>(i)];
    list->erase(list->begin() + i);
    return v;
  }
  if (name == "insert") {
    if (args.args.size() != 2 || !args.args[0].IsIntegral()) return Err(ArgError(name));
    int64_t n = static_cast<int64_t>(list->size());
    int64_t i = std::clamp<int64_t>(args.args[0].AsInt() < 0 ? args.args[0].AsInt() + n : args.args[0].AsInt(), 0, n);
    list->insert(list->begin() + i, args.args[1]);
    return Value::None();
  }
  if (name == "index" || name == "count") {
    if (args.args.size() != 1) return Err(ArgError(name));
    List items = *obj.Items();
    int64_t count = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!Equal(items[i], args.args[0])) continue;
      if (name == "index") return Value::Int(static_cast<int64_t>(i));
      ++count;
    }
    if (name == "index") return Err(Status::InvalidArgument("value is not in list"));
    return Value::Int(count);
  }
  *found = false;
  return Value();
}

}  // namespace

Result<Value> CallMethod(const Value& obj, std::string_view name, const CallArgs& args, bool* found) {
  *found = true;
  if (obj.IsString()) return StrMethod(obj.AsStr(), name, args, found);
  if (obj.IsMapping()) return MapMethod(obj, name, args, found);
  if (obj.IsSequence()) return ListMethod(obj, name, args, found);
  if (obj.kind() == Value::Kind::kLoop && name == "cycle") {
    if (args.args.empty()) return Err(Status::InvalidArgument("no items for cycling given"));
    return args.args[static_cast<size_t>(obj.AsLoop()->index0) % args.args.size()];
  }
  *found = false;
  return Value();
}

Result<Value> CallGlobal(std::string_view name, const CallArgs& args, bool* found) {
  *found = true;
  if (name == "range") {
    int64_t start = 0, stop = 0, step = 1;
    for (const Value& a : args.args) {
      if (!a.IsIntegral()) return Err(Status::InvalidArgument("range() arguments must be integers"));
    }
    if (args.args.size() == 1) {
      stop = args.args[0].AsInt();
    } else if (args.args.size() == 2 || args.args.size() == 3) {
      start = args.args[0].AsInt();
      stop = args.args[1].AsInt();
      if (args.args.size() == 3) step = args.args[2].AsInt();
    } else {
      return Err(Status::InvalidArgument("range expected 1 to 3 arguments"));
    }
    if (step == 0) return Err(Status::InvalidArgument("range() arg 3 must not be zero"));
    double count = (static_cast<double>(stop) - static_cast<double>(start)) / static_cast<double>(step);
    // The list is built eagerly (Python's range is lazy): bounded so nested
    // loops cannot hold gigabytes (docs/security.md).
    if (count > 1e6) return Err(Status::InvalidArgument("range() too large (more than 1,000,000 items, the limit)"));
    List out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(Value::Int(i));
    return Value::MakeList(std::move(out));
  }
  if (name == "dict" || name == "namespace") {
    auto d = std::make_shared<Dict>();
    d->is_namespace = name == "namespace";
    for (const Value& a : args.args) {
      for (auto& [k, v] : a.Pairs()) d->Set(k, v);
    }
    for (const auto& [k, v] : args.kwargs) d->Set(Value::Str(std::string(k)), v);
    return Value::MakeDict(std::move(d));
  }
  *found = false;
  return Value();
}

namespace {

void JsonString(std::string_view s, std::string& out) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char buf[16];
    if (c >= 0x80) {
      // Decode UTF-8 and escape as \uXXXX (surrogate pairs above the BMP).
      int extra = (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : 3;
      uint32_t cp = c & (extra == 1 ? 0x1f : extra == 2 ? 0x0f : 0x07);
      for (int k = 1; k <= extra && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3f);
      i += extra + 1;
      if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      }
      out += buf;
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      case '\'': out += "\\u0027"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

Result<std::string> JsonKey(const Value& k) {
  if (k.IsString()) return std::string(k.AsStr());
  if (k.kind() == Value::Kind::kBool) return std::string(k.AsBool() ? "true" : "false");
  if (k.IsNone()) return std::string("null");
  if (k.IsNumber()) return k.Str();
  return Err(Status::InvalidArgument(std::string("keys must be str, int, float, bool or None, not ") + TypeName(k)));
}

Status JsonDump(const Value& v, int indent, int depth, std::string& out) {
  using K = Value::Kind;
  if (depth > 500) return Status::InvalidArgument("Circular reference detected");
  std::string nl = indent >= 0 ? "\n" + std::string(static_cast<size_t>(indent * (depth + 1)), ' ') : "";
  std::string close = indent >= 0 ? "\n" + std::string(static_cast<size_t>(indent * depth), ' ') : "";
  const char* sep = indent >= 0 ? "," : ", ";
  switch (v.kind()) {
    case K::kNone: out += "null"; return Status::Ok();
    case K::kBool: out += v.AsBool() ? "true" : "false"; return Status::Ok();
    case K::kInt: out += std::to_string(v.AsInt()); return Status::Ok();
    case K::kFloat: {
      double f = v.AsDouble();
      out += std::isnan(f) ? "NaN" : std::isinf(f) ? (f < 0 ? "-Infinity" : "Infinity") : FloatRepr(f);
      return Status::Ok();
    }
    case K::kString: JsonString(v.AsStr(), out); return Status::Ok();
    default: break;
  }
  if (v.IsSequence()) {
    List items = *v.Items();
    if (items.empty()) return out += "[]", Status::Ok();
    out += '[';
    for (size_t i = 0; i < items.size(); ++i) {
      out += i ? sep + nl : nl;
      PP_RETURN_IF_ERROR(JsonDump(items[i], indent, depth + 1, out));
    }
    out += close + "]";
    return Status::Ok();
  }
  if (v.IsMapping()) {
    auto pairs = v.Pairs();
    if (pairs.empty()) return out += "{}", Status::Ok();
    Status sort_error;
    std::stable_sort(pairs.begin(), pairs.end(), [&](const auto& a, const auto& b) {
      Result<bool> lt = Less(a.first, b.first);
      if (!lt) sort_error = lt.error();
      return lt.value_or(false);
    });
    PP_RETURN_IF_ERROR(sort_error);
    out += '{';
    for (size_t i = 0; i < pairs.size(); ++i) {
      out += i ? sep + nl : nl;
      PP_ASSIGN_OR_RETURN(std::string key, JsonKey(pairs[i].first));
      JsonString(key, out);
      out += ": ";
      PP_RETURN_IF_ERROR(JsonDump(pairs[i].second, indent, depth + 1, out));
    }
    out += close + "}";
    return Status::Ok();
  }
  return Status::InvalidArgument(std::string("Object of type ") + TypeName(v) + " is not JSON serializable");
}

}  // namespace

Result<std::string> ToJson(const Value& v, int indent) {
  std::string out;
  PP_RETURN_IF_ERROR_R(JsonDump(v, indent, 0, out));
  return out;
}

}  // namespace paiplan::tmpl
