// Statement parsing and the unknown-filter check (expressions: parser_expr.cc).
#include "providers/template/parser.h"

#include <initializer_list>

#include "providers/template/parser_impl.h"

namespace paiplan::tmpl {
namespace internal {
namespace {

Stmt MakeStmt(StmtKind kind, int line, int col) {
  Stmt s;
  s.kind = kind;
  s.line = line;
  s.col = col;
  return s;
}

}  // namespace

Status Parser::Subparse(Body& body, std::initializer_list<std::string_view> ends, const Opener* opener) {
  DepthGuard guard(depth_);
  if (guard.too_deep()) return TooDeep();
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

Status Parser::Statement(Body& body) {
  const Token& t = Cur();
  if (t.kind != TokKind::kName) return FailAt(t, "tag name expected");
  if (t.text == "if") return If(body);
  if (t.text == "for") return For(body);
  if (t.text == "set") return Set(body);
  if (t.text == "with") return With(body);
  if (t.text == "filter") return FilterBlock(body);
  return FailAt(t, "Encountered unknown tag '" + t.text + "'.");
}

Status Parser::Block(Body& body, std::initializer_list<std::string_view> ends, const Opener& opener) {
  PP_RETURN_IF_ERROR_R(ExpectKind(TokKind::kBlockEnd, "end of statement block"));
  return Subparse(body, ends, &opener);
}

Status Parser::If(Body& body) {
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

Status Parser::For(Body& body) {
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

Status Parser::Set(Body& body) {
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

Status Parser::With(Body& body) {
  Stmt s = MakeStmt(StmtKind::kWith, Cur().line, Cur().col);
  Opener opener{"with", Cur().line};
  Next();
  while (Cur().kind != TokKind::kBlockEnd) {
    if (!s.assigns.empty()) PP_RETURN_IF_ERROR_R(ExpectOp(","));
    PP_ASSIGN_OR_RETURN(std::string name, ExpectName());
    PP_RETURN_IF_ERROR_R(ExpectOp("="));
    PP_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
    s.assigns.emplace_back(std::move(name), std::move(value));
  }
  PP_RETURN_IF_ERROR_R(Block(s.body, {"endwith"}, opener));
  Next();  // endwith
  body.push_back(std::move(s));
  return Status::Ok();
}

Status Parser::FilterBlock(Body& body) {
  Stmt s = MakeStmt(StmtKind::kFilterBlock, Cur().line, Cur().col);
  Opener opener{"filter", Cur().line};
  Next();
  ExprPtr placeholder = Node(ExprKind::kName, Cur());
  placeholder->name = "\x01block";
  PP_ASSIGN_OR_RETURN(s.block_filter, ParseFilters(std::move(placeholder), true));
  PP_RETURN_IF_ERROR_R(Block(s.body, {"endfilter"}, opener));
  Next();  // endfilter
  body.push_back(std::move(s));
  return Status::Ok();
}

Status Parser::AssignTarget(Target& target, bool with_namespace) {
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
      case StmtKind::kFilterBlock:
        PP_RETURN_IF_ERROR_R(CheckExpr(s.block_filter.get(), soft));
        PP_RETURN_IF_ERROR_R(CheckFilters(s.body, false));
        break;
      case StmtKind::kWith:
        for (const auto& kv : s.assigns) PP_RETURN_IF_ERROR_R(CheckExpr(kv.second.get(), soft));
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

}  // namespace internal

Result<Body> ParseTemplate(std::string_view text, const std::string& name) {
  PP_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text, name));
  internal::Parser parser(std::move(tokens), name);
  return parser.Run();
}

}  // namespace paiplan::tmpl
