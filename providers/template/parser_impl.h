// Internal to providers/template: the Parser class shared by parser.cc
// (statements, unknown-filter check) and parser_expr.cc (expressions).
// A Parser is used for one template, by one thread.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "providers/template/ast.h"
#include "providers/template/lexer.h"

namespace paiplan::tmpl::internal {

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
  Status Subparse(Body& body, std::initializer_list<std::string_view> ends, const Opener* opener);
  Status Statement(Body& body);

  // After the tag name at the end of a block: `%}`, then the body.
  Status Block(Body& body, std::initializer_list<std::string_view> ends, const Opener& opener);
  Status If(Body& body);
  Status For(Body& body);
  Status Set(Body& body);
  Status With(Body& body);
  Status FilterBlock(Body& body);
  Status AssignTarget(Target& target, bool with_namespace);

  // ---- expressions ----
  bool IsTupleEnd(std::initializer_list<std::string_view> extra) const;
  Result<ExprPtr> ParseTuple(bool with_condexpr, std::initializer_list<std::string_view> extra, bool explicit_parens);
  // Parses one expression and refuses a tree deeper than kMaxExprDepth.
  Result<ExprPtr> ParseExpression(bool with_condexpr);
  Result<ExprPtr> ParseExpressionTree(bool with_condexpr);
  Status CheckExprDepth(const Expr& root, const Token& start) const;
  Result<ExprPtr> ParseOr();
  Result<ExprPtr> ParseAnd();
  Result<ExprPtr> ParseNot();
  Result<ExprPtr> ParseCompare();

  using Level = Result<ExprPtr> (Parser::*)();
  Result<ExprPtr> Binary(Level next, std::initializer_list<std::string_view> ops);
  Result<ExprPtr> ParseMath1() { return Binary(&Parser::ParseConcat, {"+", "-"}); }
  Result<ExprPtr> ParseConcat() { return Binary(&Parser::ParseMath2, {"~"}); }
  Result<ExprPtr> ParseMath2() { return Binary(&Parser::ParsePow, {"*", "/", "//", "%"}); }
  Result<ExprPtr> ParsePow() { return Binary(&Parser::ParseUnaryFiltered, {"**"}); }
  Result<ExprPtr> ParseUnaryFiltered() { return ParseUnary(true); }

  Result<ExprPtr> ParseUnary(bool with_filter);
  Result<ExprPtr> ParsePrimary();
  Result<ExprPtr> ParseSequence(ExprKind kind);
  Result<ExprPtr> ParsePostfix(ExprPtr node);
  Result<ExprPtr> ParseSubscript(ExprPtr node);
  Result<ExprPtr> ParseSubscribed();
  Status ParseCallArgs(Expr& call);
  // `|f(args)|g...`, tests and calls after a value; `inline_first` parses
  // the first filter without its `|` (as after `{% filter`).
  Result<ExprPtr> ParseFilters(ExprPtr node, bool inline_first = false);
  Result<ExprPtr> ParseTest(ExprPtr node);
  // Unknown filters/tests are errors outside "soft" contexts (if, x if c else y).
  Status CheckFilters(const Body& body, bool soft);
  Status CheckExpr(const Expr* e, bool soft);

  // Bounds recursion so hostile input ("((((...", 10,000 nested ifs) fails
  // with an error instead of overflowing the stack.
  static constexpr int kMaxDepth = 100;  // ~50 nested parentheses or 100 nested blocks
  struct DepthGuard {
    explicit DepthGuard(int& d) : depth(++d) {}
    ~DepthGuard() { --depth; }
    bool too_deep() const { return depth > kMaxDepth; }
    int& depth;
  };
  Status TooDeep() const { return FailAt(Cur(), "template nested too deeply"); }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  const std::string& name_;
};

}  // namespace paiplan::tmpl::internal
