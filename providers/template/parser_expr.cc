// Expression parsing (Jinja2 precedence: condexpr < or < and < not < compare < +- < ~ < */ //% < ** < unary,
// then postfix, filters and tests).
#include "providers/template/budget.h"
#include "providers/template/parser_impl.h"

namespace paiplan::tmpl::internal {

bool Parser::IsTupleEnd(std::initializer_list<std::string_view> extra) const {
  TokKind k = Cur().kind;
  if (k == TokKind::kVarEnd || k == TokKind::kBlockEnd || IsOp(")")) return true;
  for (std::string_view e : extra) {
    if (IsName(e)) return true;
  }
  return false;
}

Result<ExprPtr> Parser::ParseTuple(bool with_condexpr, std::initializer_list<std::string_view> extra, bool explicit_parens) {
  const Token& start = Cur();
  std::vector<ExprPtr> items;
  bool is_tuple = false;
  while (true) {
    if (!items.empty()) PP_RETURN_IF_ERROR_R(ExpectOp(","));
    if (IsTupleEnd(extra)) break;
    PP_ASSIGN_OR_RETURN(ExprPtr e, ParseExpression(with_condexpr));
    items.push_back(std::move(e));
    if (IsOp(",")) {
      is_tuple = true;
    } else {
      break;
    }
  }
  if (!is_tuple) {
    if (!items.empty()) return std::move(items[0]);
    if (!explicit_parens) return Err(FailAt(Cur(), "Expected an expression, got " + DescribeToken(Cur())));
  }
  ExprPtr t = Node(ExprKind::kTuple, start);
  t->args = std::move(items);
  return t;
}

Result<ExprPtr> Parser::ParseExpression(bool with_condexpr) {
  const Token& start = Cur();
  PP_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpressionTree(with_condexpr));
  PP_RETURN_IF_ERROR_R(CheckExprDepth(*expr, start));
  return expr;
}

// Without recursion: the tree may be deeper than the stack would allow.
Status Parser::CheckExprDepth(const Expr& root, const Token& start) const {
  std::vector<std::pair<const Expr*, int>> todo = {{&root, 1}};
  while (!todo.empty()) {
    auto [e, depth] = todo.back();
    todo.pop_back();
    if (depth > kMaxExprDepth) {
      return FailAt(start, "expression nested too deeply (more than " + std::to_string(kMaxExprDepth) +
                               " levels, e.g. a chain of that many operators); the limit is " +
                               std::to_string(kMaxExprDepth) + ": split it with {% set %}");
    }
    for (const auto& a : e->args) if (a) todo.emplace_back(a.get(), depth + 1);
    for (const auto& [k, a] : e->kwargs) if (a) todo.emplace_back(a.get(), depth + 1);
  }
  return Status::Ok();
}

Result<ExprPtr> Parser::ParseExpressionTree(bool with_condexpr) {
  if (!with_condexpr) return ParseOr();
  PP_ASSIGN_OR_RETURN(ExprPtr expr, ParseOr());
  while (IsName("if")) {
    ExprPtr cond = Node(ExprKind::kCond, Cur());
    Next();
    PP_ASSIGN_OR_RETURN(ExprPtr test, ParseOr());
    ExprPtr other;
    if (SkipName("else")) {
      PP_ASSIGN_OR_RETURN(other, ParseExpression(true));
    }
    cond->args.push_back(std::move(expr));
    cond->args.push_back(std::move(test));
    cond->args.push_back(std::move(other));
    expr = std::move(cond);
  }
  return expr;
}

Result<ExprPtr> Parser::ParseOr() {
  PP_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  while (IsName("or")) {
    ExprPtr n = Node(ExprKind::kOr, Cur());
    Next();
    PP_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    n->args.push_back(std::move(left));
    n->args.push_back(std::move(right));
    left = std::move(n);
  }
  return left;
}

Result<ExprPtr> Parser::ParseAnd() {
  PP_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  while (IsName("and")) {
    ExprPtr n = Node(ExprKind::kAnd, Cur());
    Next();
    PP_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    n->args.push_back(std::move(left));
    n->args.push_back(std::move(right));
    left = std::move(n);
  }
  return left;
}

Result<ExprPtr> Parser::ParseNot() {
  DepthGuard guard(depth_);
  if (guard.too_deep()) return Err(TooDeep());
  if (IsName("not")) {
    ExprPtr n = Node(ExprKind::kNot, Cur());
    Next();
    PP_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
    n->args.push_back(std::move(operand));
    return n;
  }
  return ParseCompare();
}

Result<ExprPtr> Parser::ParseCompare() {
  const Token& start = Cur();
  PP_ASSIGN_OR_RETURN(ExprPtr first, ParseMath1());
  ExprPtr cmp;
  while (true) {
    std::string op;
    if (Cur().kind == TokKind::kOp &&
        (Cur().text == "==" || Cur().text == "!=" || Cur().text == "<" || Cur().text == ">" ||
         Cur().text == "<=" || Cur().text == ">=")) {
      op = Cur().text;
      Next();
    } else if (SkipName("in")) {
      op = "in";
    } else if (IsName("not") && Peek().kind == TokKind::kName && Peek().text == "in") {
      Next();
      Next();
      op = "notin";
    } else {
      break;
    }
    if (!cmp) {
      cmp = Node(ExprKind::kCompare, start);
      cmp->args.push_back(std::move(first));
    }
    PP_ASSIGN_OR_RETURN(ExprPtr rhs, ParseMath1());
    cmp->ops.push_back(op);
    cmp->args.push_back(std::move(rhs));
  }
  return cmp ? std::move(cmp) : std::move(first);
}

Result<ExprPtr> Parser::Binary(Level next, std::initializer_list<std::string_view> ops) {
  PP_ASSIGN_OR_RETURN(ExprPtr left, (this->*next)());
  while (true) {
    std::string op;
    for (std::string_view o : ops) {
      if (IsOp(o)) op = o;
    }
    if (op.empty()) return left;
    ExprPtr n = Node(ExprKind::kBinary, Cur());
    n->name = op;
    Next();
    PP_ASSIGN_OR_RETURN(ExprPtr right, (this->*next)());
    n->args.push_back(std::move(left));
    n->args.push_back(std::move(right));
    left = std::move(n);
  }
}

Result<ExprPtr> Parser::ParseUnary(bool with_filter) {
  DepthGuard guard(depth_);
  if (guard.too_deep()) return Err(TooDeep());
  ExprPtr node;
  if (IsOp("-") || IsOp("+")) {
    node = Node(IsOp("-") ? ExprKind::kNeg : ExprKind::kPos, Cur());
    Next();
    PP_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary(false));
    node->args.push_back(std::move(operand));
  } else {
    PP_ASSIGN_OR_RETURN(node, ParsePrimary());
  }
  PP_ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
  if (with_filter) return ParseFilters(std::move(node));
  return node;
}


Result<ExprPtr> Parser::ParsePrimary() {
  const Token& t = Cur();
  ExprPtr node;
  switch (t.kind) {
    case TokKind::kName: {
      node = Node(ExprKind::kLiteral, t);
      if (t.text == "true" || t.text == "True") node->literal = Value::Bool(true);
      else if (t.text == "false" || t.text == "False") node->literal = Value::Bool(false);
      else if (t.text == "none" || t.text == "None") node->literal = Value::None();
      else node->kind = ExprKind::kName, node->name = t.text;
      Next();
      return node;
    }
    case TokKind::kString: {
      std::string s;
      while (Cur().kind == TokKind::kString) {
        s += Cur().text;
        Next();
      }
      node = Node(ExprKind::kLiteral, t);
      node->literal = Value::Str(std::move(s));
      return node;
    }
    case TokKind::kInt:
      node = Node(ExprKind::kLiteral, t);
      node->literal = Value::Int(t.int_value);
      Next();
      return node;
    case TokKind::kFloat:
      node = Node(ExprKind::kLiteral, t);
      node->literal = Value::Float(t.float_value);
      Next();
      return node;
    default:
      break;
  }
  if (SkipOp("(")) {
    PP_ASSIGN_OR_RETURN(node, ParseTuple(true, {}, true));
    PP_RETURN_IF_ERROR_R(ExpectOp(")"));
    return node;
  }
  if (IsOp("[")) return ParseSequence(ExprKind::kList);
  if (IsOp("{")) return ParseSequence(ExprKind::kDict);
  return Err(FailAt(t, "unexpected " + DescribeToken(t)));
}

Result<ExprPtr> Parser::ParseSequence(ExprKind kind) {
  ExprPtr node = Node(kind, Cur());
  const char* close = kind == ExprKind::kList ? "]" : "}";
  Next();
  while (!IsOp(close)) {
    if (!node->args.empty()) PP_RETURN_IF_ERROR_R(ExpectOp(","));
    if (IsOp(close)) break;
    PP_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(true));
    node->args.push_back(std::move(item));
    if (kind == ExprKind::kDict) {
      PP_RETURN_IF_ERROR_R(ExpectOp(":"));
      PP_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
      node->args.push_back(std::move(value));
    }
  }
  Next();
  return node;
}

Result<ExprPtr> Parser::ParsePostfix(ExprPtr node) {
  while (true) {
    if (IsOp(".") || IsOp("[")) {
      PP_ASSIGN_OR_RETURN(node, ParseSubscript(std::move(node)));
    } else if (IsOp("(")) {
      ExprPtr call = Node(ExprKind::kCall, Cur());
      call->args.push_back(std::move(node));
      PP_RETURN_IF_ERROR_R(ParseCallArgs(*call));
      node = std::move(call);
    } else {
      return node;
    }
  }
}

Result<ExprPtr> Parser::ParseSubscript(ExprPtr node) {
  const Token& t = Cur();
  if (SkipOp(".")) {
    ExprPtr n = Node(ExprKind::kAttr, Cur());
    if (Cur().kind == TokKind::kName) {
      n->name = Cur().text;
    } else if (Cur().kind == TokKind::kInt) {
      n->kind = ExprKind::kItem;
      ExprPtr key = Node(ExprKind::kLiteral, Cur());
      key->literal = Value::Int(Cur().int_value);
      n->args.push_back(std::move(node));
      n->args.push_back(std::move(key));
      Next();
      return n;
    } else {
      return Err(FailAt(Cur(), "expected name or number"));
    }
    Next();
    n->args.push_back(std::move(node));
    return n;
  }
  Next();  // [
  std::vector<ExprPtr> args;
  while (!IsOp("]")) {
    if (!args.empty()) PP_RETURN_IF_ERROR_R(ExpectOp(","));
    PP_ASSIGN_OR_RETURN(ExprPtr a, ParseSubscribed());
    args.push_back(std::move(a));
  }
  Next();
  if (args.empty()) return Err(FailAt(t, "expected subscript expression"));
  ExprPtr key;
  if (args.size() == 1) {
    key = std::move(args[0]);
  } else {
    // A slice inside a tuple key (x[1:2, 0]) is a Python slice object that
    // no str, list or dict accepts, so Jinja2 yields undefined; an undefined
    // element gives the same. (The slice node had no object to slice: found
    // by tests/fuzz/jinja_fuzz as a null dereference.)
    for (ExprPtr& a : args) {
      if (a->kind != ExprKind::kSlice) continue;
      ExprPtr undef = Node(ExprKind::kLiteral, t);
      undef->literal = Value();
      a = std::move(undef);
    }
    key = Node(ExprKind::kTuple, t);
    key->args = std::move(args);
  }
  if (key->kind == ExprKind::kSlice) {
    key->args[0] = std::move(node);
    return key;
  }
  ExprPtr n = Node(ExprKind::kItem, t);
  n->args.push_back(std::move(node));
  n->args.push_back(std::move(key));
  return n;
}

// An index or a slice; a slice comes back as kSlice with args[0] reserved
// for the subscripted object.
Result<ExprPtr> Parser::ParseSubscribed() {
  const Token& t = Cur();
  ExprPtr first;
  if (!IsOp(":")) {
    PP_ASSIGN_OR_RETURN(first, ParseExpression(true));
    if (!IsOp(":")) return first;
  }
  Next();  // :
  ExprPtr slice = Node(ExprKind::kSlice, t);
  slice->args.push_back(nullptr);
  slice->args.push_back(std::move(first));
  ExprPtr stop, step;
  if (!IsOp("]") && !IsOp(",") && !IsOp(":")) {
    PP_ASSIGN_OR_RETURN(stop, ParseExpression(true));
  }
  if (SkipOp(":") && !IsOp("]") && !IsOp(",")) {
    PP_ASSIGN_OR_RETURN(step, ParseExpression(true));
  }
  slice->args.push_back(std::move(stop));
  slice->args.push_back(std::move(step));
  return slice;
}

Status Parser::ParseCallArgs(Expr& call) {
  PP_RETURN_IF_ERROR_R(ExpectOp("("));
  bool need_comma = false;
  while (!IsOp(")")) {
    if (need_comma) {
      PP_RETURN_IF_ERROR_R(ExpectOp(","));
      if (IsOp(")")) break;
    }
    if (IsOp("*") || IsOp("**")) return FailAt(Cur(), "*args and **kwargs calls are not supported");
    if (Cur().kind == TokKind::kName && Peek().kind == TokKind::kOp && Peek().text == "=") {
      std::string key = Cur().text;
      Next();
      Next();
      PP_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
      call.kwargs.emplace_back(std::move(key), std::move(value));
    } else {
      if (!call.kwargs.empty()) return FailAt(Cur(), "invalid syntax for function call expression");
      PP_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
      call.args.push_back(std::move(value));
    }
    need_comma = true;
  }
  Next();
  return Status::Ok();
}

Result<ExprPtr> Parser::ParseFilters(ExprPtr node, bool inline_first) {
  while (true) {
    if (IsOp("|") || inline_first) {
      if (!inline_first) Next();
      inline_first = false;
      ExprPtr f = Node(ExprKind::kFilter, Cur());
      PP_ASSIGN_OR_RETURN(f->name, ExpectName());
      while (IsOp(".")) {
        Next();
        PP_ASSIGN_OR_RETURN(std::string part, ExpectName());
        f->name += "." + part;
      }
      f->filter = FindFilter(f->name);
      f->args.push_back(std::move(node));
      if (IsOp("(")) PP_RETURN_IF_ERROR_R(ParseCallArgs(*f));
      node = std::move(f);
    } else if (IsName("is")) {
      PP_ASSIGN_OR_RETURN(node, ParseTest(std::move(node)));
    } else if (IsOp("(")) {
      ExprPtr call = Node(ExprKind::kCall, Cur());
      call->args.push_back(std::move(node));
      PP_RETURN_IF_ERROR_R(ParseCallArgs(*call));
      node = std::move(call);
    } else {
      return node;
    }
  }
}

Result<ExprPtr> Parser::ParseTest(ExprPtr node) {
  Next();  // is
  bool negate = SkipName("not");
  ExprPtr t = Node(ExprKind::kTest, Cur());
  t->negate = negate;
  PP_ASSIGN_OR_RETURN(t->name, ExpectName());
  while (IsOp(".")) {
    Next();
    PP_ASSIGN_OR_RETURN(std::string part, ExpectName());
    t->name += "." + part;
  }
  t->test = FindTest(t->name);
  t->args.push_back(std::move(node));
  TokKind k = Cur().kind;
  if (IsOp("(")) {
    PP_RETURN_IF_ERROR_R(ParseCallArgs(*t));
  } else if ((k == TokKind::kName || k == TokKind::kString || k == TokKind::kInt || k == TokKind::kFloat ||
              IsOp("(") || IsOp("[") || IsOp("{")) &&
             !IsName("else") && !IsName("or") && !IsName("and")) {
    if (IsName("is")) return Err(FailAt(Cur(), "You cannot chain multiple tests with is"));
    PP_ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
    PP_ASSIGN_OR_RETURN(arg, ParsePostfix(std::move(arg)));
    t->args.push_back(std::move(arg));
  }
  return t;
}

}  // namespace paiplan::tmpl::internal
