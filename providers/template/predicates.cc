// Jinja2's built-in tests (`x is defined`, ...), per jinja2/tests.py 3.1.
#include <unordered_map>

#include "providers/template/ops.h"

namespace paiplan::tmpl {
namespace {

using K = Value::Kind;

Result<bool> Defined(const Value& v, const CallArgs&) { return !v.IsUndefined(); }
Result<bool> Undefined(const Value& v, const CallArgs&) { return v.IsUndefined(); }
Result<bool> None(const Value& v, const CallArgs&) { return v.IsNone(); }
Result<bool> Boolean(const Value& v, const CallArgs&) { return v.kind() == K::kBool; }
Result<bool> True(const Value& v, const CallArgs&) { return v.kind() == K::kBool && v.AsBool(); }
Result<bool> False(const Value& v, const CallArgs&) { return v.kind() == K::kBool && !v.AsBool(); }
Result<bool> Integer(const Value& v, const CallArgs&) { return v.kind() == K::kInt; }
Result<bool> FloatT(const Value& v, const CallArgs&) { return v.kind() == K::kFloat; }
Result<bool> String(const Value& v, const CallArgs&) { return v.IsString(); }
Result<bool> Mapping(const Value& v, const CallArgs&) { return v.IsMapping(); }
Result<bool> Number(const Value& v, const CallArgs&) { return v.IsNumber(); }
// len() and __getitem__: str, list, tuple, dict, and Undefined.
Result<bool> Sequence(const Value& v, const CallArgs&) {
  return v.IsString() || v.IsSequence() || v.IsMapping() || v.IsUndefined();
}
Result<bool> Iterable(const Value& v, const CallArgs&) {
  return v.IsString() || v.IsSequence() || v.IsMapping() || v.IsUndefined();
}
Result<bool> Callable(const Value&, const CallArgs&) { return false; }
Result<bool> Escaped(const Value&, const CallArgs&) { return false; }

Result<bool> Lower(const Value& v, const CallArgs&) {
  std::string s = v.Str();
  bool cased = false;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
    cased |= c >= 'a' && c <= 'z';
  }
  return cased;
}
Result<bool> Upper(const Value& v, const CallArgs&) {
  std::string s = v.Str();
  bool cased = false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') return false;
    cased |= c >= 'A' && c <= 'Z';
  }
  return cased;
}

Result<Value> Mod(const Value& v, const Value& n) { return BinaryOp("%", v, n); }

Result<bool> Odd(const Value& v, const CallArgs&) {
  PP_ASSIGN_OR_RETURN(Value m, Mod(v, Value::Int(2)));
  return Equal(m, Value::Int(1));
}
Result<bool> Even(const Value& v, const CallArgs&) {
  PP_ASSIGN_OR_RETURN(Value m, Mod(v, Value::Int(2)));
  return Equal(m, Value::Int(0));
}
Result<bool> DivisibleBy(const Value& v, const CallArgs& a) {
  if (a.args.size() != 1) return Err(Status::InvalidArgument("divisibleby needs one argument"));
  PP_ASSIGN_OR_RETURN(Value m, Mod(v, a.args[0]));
  return Equal(m, Value::Int(0));
}

const Value& Other(const CallArgs& a) {
  static const Value kUndef{};
  return a.args.empty() ? kUndef : a.args[0];
}
Result<bool> Eq(const Value& v, const CallArgs& a) { return Equal(v, Other(a)); }
Result<bool> Ne(const Value& v, const CallArgs& a) { return !Equal(v, Other(a)); }
Result<bool> Lt(const Value& v, const CallArgs& a) { return Less(v, Other(a)); }
Result<bool> Gt(const Value& v, const CallArgs& a) { return Less(Other(a), v); }
Result<bool> Le(const Value& v, const CallArgs& a) {
  PP_ASSIGN_OR_RETURN(bool lt, Less(v, Other(a)));
  return lt || Equal(v, Other(a));
}
Result<bool> Ge(const Value& v, const CallArgs& a) {
  PP_ASSIGN_OR_RETURN(bool gt, Less(Other(a), v));
  return gt || Equal(v, Other(a));
}
Result<bool> In(const Value& v, const CallArgs& a) { return Contains(Other(a), v); }
Result<bool> SameAs(const Value& v, const CallArgs& a) {
  const Value& o = Other(a);
  if (v.IsNone() || o.IsNone() || v.kind() == K::kBool) return v.kind() == o.kind() && Equal(v, o);
  if (v.MutableList() || v.MutableDict()) {
    return v.kind() == o.kind() && (v.MutableList() ? v.MutableList() == o.MutableList() : v.MutableDict() == o.MutableDict());
  }
  return v.kind() == o.kind() && Equal(v, o);
}

}  // namespace

TestFn FindTest(std::string_view name) {
  static const std::unordered_map<std::string_view, TestFn> kTests = {
      {"defined", Defined}, {"undefined", Undefined}, {"none", None}, {"boolean", Boolean}, {"true", True},
      {"false", False}, {"integer", Integer}, {"float", FloatT}, {"string", String}, {"mapping", Mapping},
      {"number", Number}, {"sequence", Sequence}, {"iterable", Iterable}, {"callable", Callable},
      {"escaped", Escaped}, {"lower", Lower}, {"upper", Upper}, {"odd", Odd}, {"even", Even},
      {"divisibleby", DivisibleBy}, {"eq", Eq}, {"equalto", Eq}, {"==", Eq}, {"ne", Ne}, {"!=", Ne},
      {"lt", Lt}, {"lessthan", Lt}, {"<", Lt}, {"gt", Gt}, {"greaterthan", Gt}, {">", Gt}, {"le", Le},
      {"<=", Le}, {"ge", Ge}, {">=", Ge}, {"in", In}, {"sameas", SameAs},
  };
  auto it = kTests.find(name);
  return it == kTests.end() ? nullptr : it->second;
}

}  // namespace paiplan::tmpl
