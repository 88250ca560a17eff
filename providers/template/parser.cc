#include "providers/template/parser.h"

#include <initializer_list>

namespace paiplan::tmpl {
namespace {

Stmt MakeStmt(StmtKind kind, int line, int col) {
  Stmt s;
  s.kind = kind;
  s.line = line;
  s.col = col;
  return s;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& name) : toks_(std::move(tokens)), name_(name) {}

  Result<Body> Run() {
    Body body;
    PP_RETURN_IF_ERROR_R(Subparse(body, {}, nullptr));
    PP_RETURN_IF_ERROR_R(CheckFilters(body, false));
    return body;
  }

 private:
  // ---- token helpers ----
  const Token& Cur() const { return toks_[pos_]; }
  const Token& Peek() const { return toks_[pos_ + 1 < toks_.size() ? pos_ + 1 : pos_]; }
  void Next() {
    if (pos_ + 1 < toks_.size()) ++pos_;
  }
  bool IsOp(std::string_view op) const { return Cur().kind == TokKind::kOp && Cur().text == op; }
  bool IsName(std::string_view n) const { return Cur().kind == TokKind::kName && Cur().text == n; }
  bool SkipOp(std::string_view op) {
    if (!IsOp(op)) return false;
    Next();
    return true;
  }
  bool SkipName(std::string_view n) {
    if (!IsName(n)) return false;
    Next();
    return true;
  }

  Status FailAt(const Token& t, const std::string& msg) const {
    return Status::InvalidArgument(name_ + ":" + std::to_string(t.line) + ":" + std::to_string(t.col) + ": " + msg);
  }
  Status Unexpected(const std::string& expected) const {
    return FailAt(Cur(), "expected " + expected + ", got " + DescribeToken(Cur()));
  }
  Status ExpectOp(std::string_view op) {
    if (!SkipOp(op)) return Unexpected("'" + std::string(op) + "'");
    return Status::Ok();
  }
  Status ExpectKind(TokKind kind, const char* what) {
    if (Cur().kind != kind) return Unexpected(what);
    Next();
    return Status::Ok();
  }
  Result<std::string> ExpectName() {
    if (Cur().kind != TokKind::kName) return Err(Unexpected("name"));
    std::string n = Cur().text;
    Next();
    return n;
  }

  ExprPtr Node(ExprKind kind, const Token& at) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = at.line;
    e->col = at.col;
    return e;
  }

  // ---- statements ----
  struct Opener {
    const char* tag;
    int line;
  };

  // Parses until one of `ends` (a block tag name); leaves Cur() on that name.
  Status Subparse(Body& body, std::initializer_list<std::string_view> ends, const Opener* opener) {
    while (true) {
      const Token& t = Cur();
      if (t.kind == TokKind::kEof) {
        if (!opener) return Status::Ok();
        std::string want;
        for (std::string_view e : ends) want += (want.empty() ? "'" : " or '") + std::string(e) + "'";
        return FailAt(t, std::string("unexpected end of template: '") + opener->tag + "' block opened at line " +
                             std::to_string(opener->line) + " is not closed (expected " + want + ")");
      }
      if (t.kind == TokKind::kData) {
        Stmt s = MakeStmt(StmtKind::kText, t.line, t.col);
        s.text = t.text;
        body.push_back(std::move(s));
        Next();
      } else if (t.kind == TokKind::kVarBegin) {
        Next();
        Stmt s = MakeStmt(StmtKind::kOutput, t.line, t.col);
        PP_ASSIGN_OR_RETURN(s.expr, ParseTuple(true, {}, false));
        PP_RETURN_IF_ERROR_R(ExpectKind(TokKind::kVarEnd, "end of print statement"));
        body.push_back(std::move(s));
      } else if (t.kind == TokKind::kBlockBegin) {
        Next();
        for (std::string_view e : ends) {
          if (IsName(e)) return Status::Ok();
        }
        PP_RETURN_IF_ERROR_R(Statement(body));
        PP_RETURN_IF_ERROR_R(ExpectKind(TokKind::kBlockEnd, "end of statement block"));
      } else {
        return FailAt(t, "unexpected " + DescribeToken(t));
      }
    }
  }

  Status Statement(Body& body) {
    const Token& t = Cur();
    if (t.kind != TokKind::kName) return FailAt(t, "tag name expected");
    if (t.text == "if") return If(body);
    if (t.text == "for") return For(body);
    if (t.text == "set") return Set(body);
    return FailAt(t, "Encountered unknown tag '" + t.text + "'.");
  }

  // After the tag name at the end of a block: `%}`, then the body.
  Status Block(Body& body, std::initializer_list<std::string_view> ends, const Opener& opener) {
    PP_RETURN_IF_ERROR_R(ExpectKind(TokKind::kBlockEnd, "end of statement block"));
    return Subparse(body, ends, &opener);
  }

  Status If(Body& body) {
    Stmt s = MakeStmt(StmtKind::kIf, Cur().line, Cur().col);
    Opener opener{"if", Cur().line};
    Next();
    while (true) {
      PP_ASSIGN_OR_RETURN(ExprPtr cond, ParseTuple(false, {}, false));
      Body branch;
      PP_RETURN_IF_ERROR_R(Block(branch, {"elif", "else", "endif"}, opener));
      s.branches.emplace_back(std::move(cond), std::move(branch));
      if (SkipName("elif")) continue;
      if (SkipName("else")) {
        PP_RETURN_IF_ERROR_R(Block(s.body, {"endif"}, opener));
      }
      Next();  // endif
      break;
    }
    body.push_back(std::move(s));
    return Status::Ok();
  }

  Status For(Body& body) {
    Stmt s = MakeStmt(StmtKind::kFor, Cur().line, Cur().col);
    Opener opener{"for", Cur().line};
    Next();
    PP_RETURN_IF_ERROR_R(AssignTarget(s.target, false));
    if (!SkipName("in")) return Unexpected("'in'");
    PP_ASSIGN_OR_RETURN(s.expr, ParseTuple(false, {"recursive"}, false));
    if (SkipName("if")) {
      PP_ASSIGN_OR_RETURN(s.cond, ParseExpression(true));
    }
    if (IsName("recursive")) return FailAt(Cur(), "recursive loops are not supported");
    PP_RETURN_IF_ERROR_R(Block(s.body, {"endfor", "else"}, opener));
    if (SkipName("else")) {
      PP_RETURN_IF_ERROR_R(Block(s.else_body, {"endfor"}, opener));
    }
    Next();  // endfor
    body.push_back(std::move(s));
    return Status::Ok();
  }

  Status Set(Body& body) {
    Stmt s = MakeStmt(StmtKind::kSet, Cur().line, Cur().col);
    Opener opener{"set", Cur().line};
    Next();
    PP_RETURN_IF_ERROR_R(AssignTarget(s.target, true));
    if (SkipOp("=")) {
      PP_ASSIGN_OR_RETURN(s.expr, ParseTuple(true, {}, false));
      body.push_back(std::move(s));
      return Status::Ok();
    }
    s.kind = StmtKind::kSetBlock;
    if (IsOp("|")) {
      ExprPtr placeholder = Node(ExprKind::kName, Cur());
      placeholder->name = "\x01block";  // the renderer binds the captured text here
      PP_ASSIGN_OR_RETURN(s.block_filter, ParseFilters(std::move(placeholder)));
    }
    PP_RETURN_IF_ERROR_R(Block(s.body, {"endset"}, opener));
    Next();  // endset
    body.push_back(std::move(s));
    return Status::Ok();
  }

  Status AssignTarget(Target& target, bool with_namespace) {
    if (with_namespace && Cur().kind == TokKind::kName && Peek().kind == TokKind::kOp && Peek().text == ".") {
      target.names.push_back(Cur().text);
      Next();
      Next();
      PP_ASSIGN_OR_RETURN(target.attr, ExpectName());
      return Status::Ok();
    }
    bool paren = SkipOp("(");
    while (true) {
      if (Cur().kind != TokKind::kName) return FailAt(Cur(), "can't assign to " + DescribeToken(Cur()));
      target.names.push_back(Cur().text);
      Next();
      if (!SkipOp(",")) break;
      target.unpack = true;
      if (Cur().kind != TokKind::kName) break;
    }
    if (paren) {
      target.unpack = true;
      PP_RETURN_IF_ERROR_R(ExpectOp(")"));
    }
    return Status::Ok();
  }

  // ---- expressions ----
  bool IsTupleEnd(std::initializer_list<std::string_view> extra) const {
    TokKind k = Cur().kind;
    if (k == TokKind::kVarEnd || k == TokKind::kBlockEnd || IsOp(")")) return true;
    for (std::string_view e : extra) {
      if (IsName(e)) return true;
    }
    return false;
  }

  Result<ExprPtr> ParseTuple(bool with_condexpr, std::initializer_list<std::string_view> extra, bool explicit_parens) {
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

  Result<ExprPtr> ParseExpression(bool with_condexpr) {
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

  Result<ExprPtr> ParseOr() {
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

  Result<ExprPtr> ParseAnd() {
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

  Result<ExprPtr> ParseNot() {
    if (IsName("not")) {
      ExprPtr n = Node(ExprKind::kNot, Cur());
      Next();
      PP_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
      n->args.push_back(std::move(operand));
      return n;
    }
    return ParseCompare();
  }

  Result<ExprPtr> ParseCompare() {
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

  using Level = Result<ExprPtr> (Parser::*)();
  Result<ExprPtr> Binary(Level next, std::initializer_list<std::string_view> ops) {
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
  Result<ExprPtr> ParseMath1() { return Binary(&Parser::ParseConcat, {"+", "-"}); }
  Result<ExprPtr> ParseConcat() { return Binary(&Parser::ParseMath2, {"~"}); }
  Result<ExprPtr> ParseMath2() { return Binary(&Parser::ParsePow, {"*", "/", "//", "%"}); }
  Result<ExprPtr> ParsePow() { return Binary(&Parser::ParseUnaryFiltered, {"**"}); }
  Result<ExprPtr> ParseUnaryFiltered() { return ParseUnary(true); }

  Result<ExprPtr> ParseUnary(bool with_filter) {
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

  Result<ExprPtr> ParsePrimary();
  Result<ExprPtr> ParseSequence(ExprKind kind);
  Result<ExprPtr> ParsePostfix(ExprPtr node);
  Result<ExprPtr> ParseSubscript(ExprPtr node);
  Result<ExprPtr> ParseSubscribed();
  Status ParseCallArgs(Expr& call);
  Result<ExprPtr> ParseFilters(ExprPtr node);
  Result<ExprPtr> ParseTest(ExprPtr node);
  Status CheckFilters(const Body& body, bool soft);
  Status CheckExpr(const Expr* e, bool soft);

  std::vector<Token> toks_;
  size_t pos_ = 0;
  const std::string& name_;
};

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

Result<ExprPtr> Parser::ParseFilters(ExprPtr node) {
  while (true) {
    if (IsOp("|")) {
      Next();
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

// Jinja2 reports unknown filters/tests at compile time unless they sit in an
// if statement or a conditional expression ("soft" frames).
Status Parser::CheckFilters(const Body& body, bool soft) {
  for (const Stmt& s : body) {
    switch (s.kind) {
      case StmtKind::kText: break;
      case StmtKind::kOutput: case StmtKind::kSet:
        PP_RETURN_IF_ERROR_R(CheckExpr(s.expr.get(), soft));
        break;
      case StmtKind::kIf:
        for (const auto& [cond, branch] : s.branches) {
          PP_RETURN_IF_ERROR_R(CheckExpr(cond.get(), true));
          PP_RETURN_IF_ERROR_R(CheckFilters(branch, true));
        }
        PP_RETURN_IF_ERROR_R(CheckFilters(s.body, true));
        break;
      case StmtKind::kFor:
        PP_RETURN_IF_ERROR_R(CheckExpr(s.expr.get(), false));
        PP_RETURN_IF_ERROR_R(CheckExpr(s.cond.get(), false));
        PP_RETURN_IF_ERROR_R(CheckFilters(s.body, false));
        PP_RETURN_IF_ERROR_R(CheckFilters(s.else_body, false));
        break;
      case StmtKind::kSetBlock:
        PP_RETURN_IF_ERROR_R(CheckExpr(s.block_filter.get(), soft));
        PP_RETURN_IF_ERROR_R(CheckFilters(s.body, false));
        break;
    }
  }
  return Status::Ok();
}

Status Parser::CheckExpr(const Expr* e, bool soft) {
  if (!e) return Status::Ok();
  if (e->kind == ExprKind::kCond) soft = true;
  if (!soft && e->kind == ExprKind::kFilter && !e->filter) {
    return Status::InvalidArgument(name_ + ":" + std::to_string(e->line) + ":" + std::to_string(e->col) +
                                   ": No filter named '" + e->name + "'.");
  }
  if (!soft && e->kind == ExprKind::kTest && !e->test) {
    return Status::InvalidArgument(name_ + ":" + std::to_string(e->line) + ":" + std::to_string(e->col) +
                                   ": No test named '" + e->name + "'.");
  }
  for (const auto& a : e->args) PP_RETURN_IF_ERROR_R(CheckExpr(a.get(), soft));
  for (const auto& kv : e->kwargs) PP_RETURN_IF_ERROR_R(CheckExpr(kv.second.get(), soft));
  return Status::Ok();
}

}  // namespace

Result<Body> ParseTemplate(std::string_view text, const std::string& name) {
  PP_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text, name));
  Parser parser(std::move(tokens), name);
  return parser.Run();
}

}  // namespace paiplan::tmpl
