#include "providers/template/render.h"

#include <algorithm>

#include "providers/template/budget.h"
#include "providers/template/ops.h"

namespace paiplan::tmpl {

constexpr std::string_view kBlockPlaceholder = "\x01block";

namespace {

// Source-like text of a name/attribute/subscript chain, for error messages:
// the expression as written, never a value it evaluates to (a value may be a
// secret; docs/security.md).
std::string Describe(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kName: return e.name;
    case ExprKind::kLiteral: return e.literal.Repr();
    case ExprKind::kAttr: return Describe(*e.args[0]) + "." + e.name;
    case ExprKind::kItem: return Describe(*e.args[0]) + "[" + Describe(*e.args[1]) + "]";
    case ExprKind::kCall: return Describe(*e.args[0]) + "(...)";
    case ExprKind::kFilter: return Describe(*e.args[0]) + "|" + e.name;
    default: return "(expression)";
  }
}

// Where an attribute/subscript/filter chain starts: the column a reader looks at.
const Expr& Leftmost(const Expr& e) {
  const Expr* p = &e;
  while ((p->kind == ExprKind::kAttr || p->kind == ExprKind::kItem || p->kind == ExprKind::kFilter) &&
         !p->args.empty() && p->args[0])
    p = p->args[0].get();
  return *p;
}

std::string UndefinedUse(const Expr& object, const std::string& what) {
  return Describe(object) + " is undefined, cannot " + what;
}

}  // namespace

Renderer::Renderer(const std::string& name, const Json& context) : name_(name), context_(context) {
  scopes_.reserve(16);
  scopes_.emplace_back();
}

Status Renderer::CheckString(const Value& v, const Expr& e) const {
  if (!v.IsString() || v.AsStr().size() <= kMaxStringBytes) return Status::Ok();
  return Fail(e, Describe(e) + " builds a string of more than " + std::to_string(kMaxStringBytes >> 20) +
                     " MiB (the limit)");
}

Status Renderer::Fail(int line, int col, const std::string& msg) const {
  return Status::InvalidArgument(name_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + msg);
}

Value Renderer::Lookup(std::string_view name) const {
  for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s) {
    for (auto v = s->vars.rbegin(); v != s->vars.rend(); ++v) {
      if (v->first == name) return v->second;
    }
  }
  if (const Json* v = FindMember(context_, name)) return Value::FromJson(*v);
  if (name == kBlockPlaceholder) return block_value_;
  return Value();
}

void Renderer::Bind(std::string_view name, Value v) {
  auto& vars = scopes_.back().vars;
  for (auto& kv : vars) {
    if (kv.first == name) {
      kv.second = std::move(v);
      return;
    }
  }
  vars.emplace_back(name, std::move(v));
}

Status Renderer::Step(int line, int col) {
  if (++steps_ <= kMaxRenderSteps) return Status::Ok();
  return Fail(line, col, "render stopped after " + std::to_string(kMaxRenderSteps) +
                             " steps (statements and loop iterations; the limit): a loop runs too long");
}

Status Renderer::CheckOutput(const std::string& out, int line, int col) const {
  if (out.size() <= kMaxOutputBytes) return Status::Ok();
  return Fail(line, col, "rendered output exceeds " + std::to_string(kMaxOutputBytes >> 20) +
                             " MiB (the limit for one template)");
}

Status Renderer::Render(const Body& body, std::string& out) {
  for (const Stmt& s : body) {
    PP_RETURN_IF_ERROR(Step(s.line, s.col));
    switch (s.kind) {
      case StmtKind::kText:
        out += s.text;
        PP_RETURN_IF_ERROR(CheckOutput(out, s.line, s.col));
        break;
      case StmtKind::kOutput: {
        PP_ASSIGN_OR_RETURN(Value v, Eval(*s.expr));
        if (undefined_ && v.IsUndefined()) {
          const Expr& at = Leftmost(*s.expr);
          undefined_->push_back({at.line, at.col, Describe(*s.expr)});
        }
        v.AppendStr(out);
        PP_RETURN_IF_ERROR(CheckOutput(out, s.line, s.col));
        break;
      }
      case StmtKind::kIf: {
        const Body* chosen = &s.body;
        for (const auto& [cond, branch] : s.branches) {
          PP_ASSIGN_OR_RETURN(Value c, Eval(*cond));
          if (c.Truthy()) {
            chosen = &branch;
            break;
          }
        }
        PP_RETURN_IF_ERROR(Render(*chosen, out));
        break;
      }
      case StmtKind::kFor:
        PP_RETURN_IF_ERROR(RenderFor(s, out));
        break;
      case StmtKind::kSet:
      case StmtKind::kSetBlock:
        PP_RETURN_IF_ERROR(RenderSet(s, out));
        break;
      case StmtKind::kWith:
      case StmtKind::kFilterBlock:
        PP_RETURN_IF_ERROR(RenderScoped(s, out));
        break;
    }
  }
  return Status::Ok();
}

Status Renderer::Assign(const Target& target, const Value& value, const Stmt& at) {
  if (!target.attr.empty()) {
    Value ns = Lookup(target.names[0]);
    Dict* d = ns.MutableDict();
    if (!d || !d->is_namespace) return Fail(at.line, at.col, "cannot assign attribute on non-namespace object");
    d->Set(Value::Str(target.attr), value);
    return Status::Ok();
  }
  if (!target.unpack) {
    Bind(target.names[0], value);
    return Status::Ok();
  }
  Result<List> items = value.Items();
  if (!items) return Fail(at.line, at.col, "cannot unpack non-iterable " + std::string(TypeName(value)) + " object");
  if (items->size() != target.names.size()) {
    return Fail(at.line, at.col,
                std::string(items->size() < target.names.size() ? "not enough" : "too many") +
                    " values to unpack (expected " + std::to_string(target.names.size()) + ", got " +
                    std::to_string(items->size()) + ")");
  }
  for (size_t i = 0; i < items->size(); ++i) Bind(target.names[i], (*items)[i]);
  return Status::Ok();
}

Status Renderer::RenderFor(const Stmt& s, std::string& out) {
  PP_ASSIGN_OR_RETURN(Value iterable, Eval(*s.expr));
  Result<List> all = iterable.Items();
  if (!all) return Fail(s.expr->line, s.expr->col, all.error().message());
  List items;
  if (s.cond) {
    scopes_.emplace_back();
    for (Value& item : *all) {
      scopes_.back().vars.clear();
      Status st = Assign(s.target, item, s);
      Result<Value> keep = st.ok() ? Eval(*s.cond) : Result<Value>(Err(st));
      if (!keep) {
        scopes_.pop_back();
        return keep.error();
      }
      if (keep->Truthy()) items.push_back(std::move(item));
    }
    scopes_.pop_back();
  } else {
    items = std::move(*all);
  }
  scopes_.emplace_back();
  if (items.empty()) {
    Status st = Render(s.else_body, out);
    scopes_.pop_back();
    return st;
  }
  LoopState loop;
  loop.length = static_cast<int64_t>(items.size());
  loop.items = &items;
  loop.depth = 1;  // non-recursive loops always report depth 1, as in Jinja2
  Status st;
  for (size_t i = 0; i < items.size() && st.ok(); ++i) {
    loop.index0 = static_cast<int64_t>(i);
    st = Step(s.line, s.col);
    if (!st.ok()) break;
    scopes_.back().vars.clear();
    st = Assign(s.target, items[i], s);
    if (!st.ok()) break;
    Bind("loop", Value::Loop(&loop));
    st = Render(s.body, out);
  }
  scopes_.pop_back();
  return st;
}

Status Renderer::RenderSet(const Stmt& s, std::string& out) {
  if (s.kind == StmtKind::kSet) {
    PP_ASSIGN_OR_RETURN(Value v, Eval(*s.expr));
    return Assign(s.target, v, s);
  }
  std::string captured;
  scopes_.emplace_back();
  Status st = Render(s.body, captured);
  scopes_.pop_back();
  PP_RETURN_IF_ERROR(st);
  Value v = Value::Str(std::move(captured));
  if (s.block_filter) {
    block_value_ = v;
    PP_ASSIGN_OR_RETURN(v, Eval(*s.block_filter));
  }
  return Assign(s.target, v, s);
}

// {% with %} and {% filter %}: the body runs in its own scope.
Status Renderer::RenderScoped(const Stmt& s, std::string& out) {
  std::vector<Value> values;  // with-values see the enclosing scope only
  for (const auto& kv : s.assigns) {
    PP_ASSIGN_OR_RETURN(Value v, Eval(*kv.second));
    values.push_back(std::move(v));
  }
  scopes_.emplace_back();
  for (size_t i = 0; i < values.size(); ++i) Bind(s.assigns[i].first, std::move(values[i]));
  std::string captured;
  Status st = Render(s.body, s.kind == StmtKind::kWith ? out : captured);
  scopes_.pop_back();
  PP_RETURN_IF_ERROR(st);
  if (s.kind == StmtKind::kFilterBlock) {
    block_value_ = Value::Str(std::move(captured));
    PP_ASSIGN_OR_RETURN(Value v, Eval(*s.block_filter));
    v.AppendStr(out);
  }
  return Status::Ok();
}

Result<Value> Renderer::Eval(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.literal.IsString() ? Value::StrView(e.literal.AsStr()) : e.literal;
    case ExprKind::kName:
      return Lookup(e.name);
    case ExprKind::kList:
    case ExprKind::kTuple: {
      List items;
      items.reserve(e.args.size());
      for (const auto& a : e.args) {
        PP_ASSIGN_OR_RETURN(Value v, Eval(*a));
        items.push_back(std::move(v));
      }
      return Value::MakeList(std::move(items), e.kind == ExprKind::kTuple);
    }
    case ExprKind::kDict: {
      auto d = std::make_shared<Dict>();
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        PP_ASSIGN_OR_RETURN(Value k, Eval(*e.args[i]));
        PP_ASSIGN_OR_RETURN(Value v, Eval(*e.args[i + 1]));
        if (k.MutableList() || k.MutableDict() || k.kind() == Value::Kind::kJson) {
          return Err(Fail(e, std::string("unhashable type: '") + TypeName(k) + "'"));
        }
        d->Set(k, std::move(v));
      }
      return Value::MakeDict(std::move(d));
    }
    case ExprKind::kAttr: {
      PP_ASSIGN_OR_RETURN(Value obj, Eval(*e.args[0]));
      if (obj.IsUndefined()) return Err(Fail(e, UndefinedUse(*e.args[0], "read attribute '" + e.name + "'")));
      return obj.GetAttr(e.name);
    }
    case ExprKind::kItem: {
      PP_ASSIGN_OR_RETURN(Value obj, Eval(*e.args[0]));
      PP_ASSIGN_OR_RETURN(Value key, Eval(*e.args[1]));
      if (obj.IsUndefined()) return Err(Fail(e, UndefinedUse(*e.args[0], "subscript it with " + Describe(*e.args[1]))));
      return obj.GetItem(key);
    }
    case ExprKind::kSlice: return EvalSlice(e);
    case ExprKind::kCall: return EvalCall(e);
    case ExprKind::kFilter: return EvalFilter(e);
    case ExprKind::kTest: return EvalTest(e);
    case ExprKind::kNeg:
    case ExprKind::kPos: {
      PP_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0]));
      Result<Value> r = UnaryOp(e.kind == ExprKind::kNeg ? '-' : '+', v);
      if (!r) return Err(Fail(e, r.error().message()));
      return r;
    }
    case ExprKind::kNot: {
      PP_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0]));
      return Value::Bool(!v.Truthy());
    }
    case ExprKind::kBinary: {
      PP_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0]));
      PP_ASSIGN_OR_RETURN(Value b, Eval(*e.args[1]));
      Result<Value> r = BinaryOp(e.name, a, b);
      if (!r) return Err(Fail(e, r.error().message()));
      PP_RETURN_IF_ERROR_R(CheckString(*r, e));
      return r;
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      PP_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0]));
      if (a.Truthy() == (e.kind == ExprKind::kOr)) return a;
      return Eval(*e.args[1]);
    }
    case ExprKind::kCompare: return EvalCompare(e);
    case ExprKind::kCond: {
      PP_ASSIGN_OR_RETURN(Value c, Eval(*e.args[1]));
      if (c.Truthy()) return Eval(*e.args[0]);
      if (!e.args[2]) return Value();
      return Eval(*e.args[2]);
    }
  }
  return Value();
}

Status Renderer::EvalArgs(const Expr& e, size_t first, CallArgs& out) {
  out.args.reserve(e.args.size() - first);
  for (size_t i = first; i < e.args.size(); ++i) {
    PP_ASSIGN_OR_RETURN(Value v, Eval(*e.args[i]));
    out.args.push_back(std::move(v));
  }
  for (const auto& [k, x] : e.kwargs) {
    PP_ASSIGN_OR_RETURN(Value v, Eval(*x));
    out.kwargs.emplace_back(k, std::move(v));
  }
  return Status::Ok();
}

Result<Value> Renderer::EvalCall(const Expr& e) {
  const Expr& callee = *e.args[0];
  CallArgs args;
  if (callee.kind == ExprKind::kAttr) {
    PP_ASSIGN_OR_RETURN(Value obj, Eval(*callee.args[0]));
    if (obj.IsUndefined()) return Err(Fail(callee, UndefinedUse(*callee.args[0], "call ." + callee.name + "()")));
    PP_RETURN_IF_ERROR_R(EvalArgs(e, 1, args));
    bool found = false;
    Result<Value> r = CallMethod(obj, callee.name, args, &found);
    if (!found) return Err(Fail(callee, std::string("'") + TypeName(obj) + "' object has no method '" + callee.name + "'"));
    if (!r) return Err(Fail(e, r.error().message()));
    PP_RETURN_IF_ERROR_R(CheckString(*r, e));
    return r;
  }
  if (callee.kind == ExprKind::kName && Lookup(callee.name).IsUndefined()) {
    PP_RETURN_IF_ERROR_R(EvalArgs(e, 1, args));
    bool found = false;
    Result<Value> r = CallGlobal(callee.name, args, &found);
    if (!found) return Err(Fail(callee, "'" + callee.name + "' is undefined"));
    if (!r) return Err(Fail(e, r.error().message()));
    PP_RETURN_IF_ERROR_R(CheckString(*r, e));
    return r;
  }
  PP_ASSIGN_OR_RETURN(Value f, Eval(callee));
  return Err(Fail(e, std::string("'") + TypeName(f) + "' object is not callable"));
}

Result<Value> Renderer::EvalFilter(const Expr& e) {
  if (!e.filter) return Err(Fail(e, "No filter named '" + e.name + "'."));
  PP_ASSIGN_OR_RETURN(Value subject, Eval(*e.args[0]));
  CallArgs args;
  PP_RETURN_IF_ERROR_R(EvalArgs(e, 1, args));
  Result<Value> r = e.filter(subject, args);
  if (!r) return Err(Fail(e, r.error().message()));
  PP_RETURN_IF_ERROR_R(CheckString(*r, e));
  return r;
}

Result<Value> Renderer::EvalTest(const Expr& e) {
  if (!e.test) return Err(Fail(e, "No test named '" + e.name + "'."));
  PP_ASSIGN_OR_RETURN(Value subject, Eval(*e.args[0]));
  CallArgs args;
  PP_RETURN_IF_ERROR_R(EvalArgs(e, 1, args));
  Result<bool> r = e.test(subject, args);
  if (!r) return Err(Fail(e, r.error().message()));
  return Value::Bool(*r != e.negate);
}

Result<Value> Renderer::EvalCompare(const Expr& e) {
  PP_ASSIGN_OR_RETURN(Value left, Eval(*e.args[0]));
  for (size_t i = 0; i < e.ops.size(); ++i) {
    PP_ASSIGN_OR_RETURN(Value right, Eval(*e.args[i + 1]));
    const std::string& op = e.ops[i];
    Result<bool> r;
    if (op == "==") r = Equal(left, right);
    else if (op == "!=") r = !Equal(left, right);
    else if (op == "<") r = Less(left, right);
    else if (op == ">") r = Less(right, left);
    else if (op == "<=" || op == ">=") {
      r = op == "<=" ? Less(left, right) : Less(right, left);
      if (r && !*r) r = Equal(left, right);
    } else {
      r = Contains(right, left);
      if (r && op == "notin") r = !*r;
    }
    if (!r) return Err(Fail(e, r.error().message()));
    if (!*r) return Value::Bool(false);
    left = std::move(right);
  }
  return Value::Bool(true);
}

Result<Value> Renderer::EvalSlice(const Expr& e) {
  PP_ASSIGN_OR_RETURN(Value obj, Eval(*e.args[0]));
  if (obj.IsUndefined()) return Err(Fail(e, UndefinedUse(*e.args[0], "slice it")));
  int64_t bounds[3] = {0, 0, 1};
  bool given[3] = {false, false, false};
  for (int k = 0; k < 3; ++k) {
    if (!e.args[k + 1]) continue;
    PP_ASSIGN_OR_RETURN(Value v, Eval(*e.args[k + 1]));
    if (v.IsNone()) continue;
    if (!v.IsIntegral()) return Err(Fail(e, "slice indices must be integers or None"));
    bounds[k] = v.AsInt();
    given[k] = true;
  }
  int64_t step = bounds[2];
  if (step == 0) return Err(Fail(e, "slice step cannot be zero"));
  bool is_str = obj.IsString();
  std::vector<std::string_view> chars;
  List items;
  if (is_str) {
    chars = Utf8Chars(obj.AsStr());
  } else if (obj.IsSequence()) {
    items = *obj.Items();
  } else {
    return Value();  // Jinja2: a failed subscript is undefined
  }
  int64_t n = static_cast<int64_t>(is_str ? chars.size() : items.size());
  auto clamp = [&](int64_t i, bool g, int64_t def) {
    if (!g) return def;
    if (i < 0) i += n;
    if (step > 0) return std::clamp<int64_t>(i, 0, n);
    return std::clamp<int64_t>(i, -1, n - 1);
  };
  int64_t start = clamp(bounds[0], given[0], step > 0 ? 0 : n - 1);
  int64_t stop = clamp(bounds[1], given[1], step > 0 ? n : -1);
  std::string s;
  List out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (is_str) s += chars[static_cast<size_t>(i)];
    else out.push_back(items[static_cast<size_t>(i)]);
  }
  if (is_str) return Value::Str(std::move(s));
  return Value::MakeList(std::move(out), obj.kind() == Value::Kind::kTuple);
}

}  // namespace paiplan::tmpl
