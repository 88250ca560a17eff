#include "providers/template/lexer.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace paiplan::tmpl {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
         (c >= 0x1c && c <= 0x1f);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

class Lexer {
 public:
  Lexer(std::string src, const std::string& name) : src_(std::move(src)), name_(name) {}

  Result<std::vector<Token>> Run() {
    while (pos_ < src_.size()) {
      PP_RETURN_IF_ERROR_R(RootStep());
    }
    Emit(TokKind::kEof, "", pos_);
    return std::move(tokens_);
  }

 private:
  Status Fail(size_t at, const std::string& msg) {
    auto [line, col] = LineCol(at);
    return Status::InvalidArgument(name_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + msg);
  }

  std::pair<int, int> LineCol(size_t at) {
    // Tokens are produced in order, so advance a cursor.
    if (at < cursor_) cursor_ = 0, line_ = 1, line_start_ = 0;
    for (; cursor_ < at && cursor_ < src_.size(); ++cursor_) {
      if (src_[cursor_] == '\n') ++line_, line_start_ = cursor_ + 1;
    }
    return {line_, static_cast<int>(at - line_start_) + 1};
  }

  Token& Emit(TokKind kind, std::string text, size_t at) {
    auto [line, col] = LineCol(at);
    tokens_.push_back(Token{kind, std::move(text), line, col});
    return tokens_.back();
  }

  void EmitData(std::string_view text, size_t at, bool rstrip) {
    if (rstrip) {
      while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
    }
    if (!text.empty()) Emit(TokKind::kData, std::string(text), at);
  }

  size_t SkipSpace(size_t p) const {
    while (p < src_.size() && IsSpace(src_[p])) ++p;
    return p;
  }

  bool StartsAt(size_t p, std::string_view s) const { return src_.compare(p, s.size(), s) == 0; }

  // Matches `{%[-+]?\s*raw\s*(-%}\s*|%})` at p; returns the end or npos.
  size_t MatchRawBegin(size_t p) const {
    size_t q = p + 2;
    if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) ++q;
    q = SkipSpace(q);
    if (!StartsAt(q, "raw")) return std::string::npos;
    q = SkipSpace(q + 3);
    if (StartsAt(q, "-%}")) return SkipSpace(q + 3);
    if (StartsAt(q, "%}")) return q + 2;
    return std::string::npos;
  }

  Status RootStep() {
    size_t start = pos_;
    size_t p = src_.find('{', pos_);
    while (p != std::string::npos && p + 1 < src_.size() && src_[p + 1] != '{' && src_[p + 1] != '%' &&
           src_[p + 1] != '#') {
      p = src_.find('{', p + 1);
    }
    if (p == std::string::npos || p + 1 >= src_.size()) {
      EmitData(std::string_view(src_).substr(start), start, false);
      pos_ = src_.size();
      return Status::Ok();
    }
    char sign = p + 2 < src_.size() ? src_[p + 2] : '\0';
    EmitData(std::string_view(src_).substr(start, p - start), start, sign == '-');
    char kind = src_[p + 1];
    if (kind == '%') {
      size_t raw_end = MatchRawBegin(p);
      if (raw_end != std::string::npos) return Raw(p, raw_end);
    }
    size_t body = p + 2 + ((sign == '-' || sign == '+') ? 1 : 0);
    if (kind == '#') return Comment(p, body);
    Emit(kind == '{' ? TokKind::kVarBegin : TokKind::kBlockBegin, src_.substr(p, 2), p);
    pos_ = body;
    return Tag(kind == '{');
  }

  Status Comment(size_t begin, size_t body) {
    size_t q = src_.find("#}", body);
    if (q == std::string::npos) return Fail(begin, "Missing end of comment tag");
    pos_ = q + 2;
    if (q > body && src_[q - 1] == '-') pos_ = SkipSpace(pos_);
    return Status::Ok();
  }

  Status Raw(size_t begin, size_t body) {
    for (size_t q = src_.find("{%", body); q != std::string::npos; q = src_.find("{%", q + 1)) {
      size_t r = q + 2;
      char sign = r < src_.size() ? src_[r] : '\0';
      if (sign == '-' || sign == '+') ++r;
      r = SkipSpace(r);
      if (!StartsAt(r, "endraw")) continue;
      r = SkipSpace(r + 6);
      size_t end;
      if (StartsAt(r, "+%}")) end = r + 3;
      else if (StartsAt(r, "-%}")) end = SkipSpace(r + 3);
      else if (StartsAt(r, "%}")) end = r + 2;
      else continue;
      EmitData(std::string_view(src_).substr(body, q - body), body, sign == '-');
      pos_ = end;
      return Status::Ok();
    }
    return Fail(begin, "Missing end of raw directive");
  }

  // Lexes the inside of {{ }} or {% %} up to and including its end.
  Status Tag(bool variable) {
    std::vector<char> balance;
    while (true) {
      if (pos_ >= src_.size()) return Status::Ok();  // the parser reports the unexpected end
      if (balance.empty()) {
        if (variable) {
          if (StartsAt(pos_, "-}}")) return EndTag(TokKind::kVarEnd, SkipSpace(pos_ + 3));
          if (StartsAt(pos_, "}}")) return EndTag(TokKind::kVarEnd, pos_ + 2);
        } else {
          if (StartsAt(pos_, "+%}")) return EndTag(TokKind::kBlockEnd, pos_ + 3);
          if (StartsAt(pos_, "-%}")) return EndTag(TokKind::kBlockEnd, SkipSpace(pos_ + 3));
          if (StartsAt(pos_, "%}")) return EndTag(TokKind::kBlockEnd, pos_ + 2);
        }
      }
      char c = src_[pos_];
      if (IsSpace(c)) {
        ++pos_;
      } else if (IsDigit(c)) {
        PP_RETURN_IF_ERROR(Number());
      } else if (IsNameStart(c)) {
        size_t s = pos_;
        while (pos_ < src_.size() && IsNameChar(src_[pos_])) ++pos_;
        Emit(TokKind::kName, src_.substr(s, pos_ - s), s);
      } else if (c == '\'' || c == '"') {
        PP_RETURN_IF_ERROR(String());
      } else {
        PP_RETURN_IF_ERROR(Operator(balance));
      }
    }
  }

  Status EndTag(TokKind kind, size_t next) {
    Emit(kind, "", pos_);
    pos_ = next;
    return Status::Ok();
  }

  size_t Digits(size_t p) const {  // (\d+_)*\d+
    size_t q = p;
    while (q < src_.size() && (IsDigit(src_[q]) || (src_[q] == '_' && q + 1 < src_.size() && IsDigit(src_[q + 1]) && q > p)))
      ++q;
    return q;
  }

  Status Number() {
    size_t s = pos_;
    size_t q = Digits(s);
    size_t end = q;
    bool is_float = false;
    bool after_dot = s > 0 && src_[s - 1] == '.';
    if (!after_dot) {
      size_t f = q;
      if (f + 1 < src_.size() && src_[f] == '.' && IsDigit(src_[f + 1])) f = Digits(f + 1);
      size_t e = f;
      if (e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
        size_t x = e + 1;
        if (x < src_.size() && (src_[x] == '+' || src_[x] == '-')) ++x;
        if (x < src_.size() && IsDigit(src_[x])) e = Digits(x);
      }
      if (e != q) {
        is_float = true;
        end = e;
      }
    }
    std::string text;
    for (size_t i = s; i < end; ++i) {
      if (src_[i] != '_') text += src_[i];
    }
    pos_ = end;
    if (is_float) {
      Emit(TokKind::kFloat, text, s).float_value = std::strtod(text.c_str(), nullptr);
    } else {
      if (text.size() > 1 && text[0] == '0' && text.find_first_not_of('0') != std::string::npos) {
        return Fail(s, "unexpected char '" + std::string(1, src_[s + 1]) + "'");
      }
      errno = 0;
      long long n = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == ERANGE) return Fail(s, "integer literal out of the 64-bit range");
      Emit(TokKind::kInt, text, s).int_value = n;
    }
    return Status::Ok();
  }

  Status String() {
    size_t s = pos_;
    char quote = src_[pos_++];
    std::string raw;
    while (true) {
      if (pos_ >= src_.size()) return Fail(s, "unexpected char '" + std::string(1, quote) + "'");
      char c = src_[pos_];
      if (c == quote) break;
      if (c == '\\' && pos_ + 1 < src_.size()) {
        raw += c;
        raw += src_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      raw += c;
      ++pos_;
    }
    ++pos_;
    std::string value;
    PP_RETURN_IF_ERROR(Unescape(raw, s, value));
    Emit(TokKind::kString, std::move(value), s);
    return Status::Ok();
  }

  // Python "unicode-escape" decoding of a string literal body.
  Status Unescape(const std::string& raw, size_t at, std::string& out) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\' || i + 1 >= raw.size()) {
        out += raw[i];
        continue;
      }
      char e = raw[++i];
      switch (e) {
        case '\n': break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case 'x': case 'u': case 'U': {
          size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          std::string hex = raw.substr(i + 1, n);
          if (hex.size() != n || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
            return Fail(at, "truncated \\" + std::string(1, e) + " escape");
          }
          AppendUtf8(static_cast<uint32_t>(std::strtoul(hex.c_str(), nullptr, 16)), out);
          i += n;
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = 0;
            size_t k = 0;
            for (; k < 3 && i + k < raw.size() && raw[i + k] >= '0' && raw[i + k] <= '7'; ++k) v = v * 8 + (raw[i + k] - '0');
            i += k - 1;
            AppendUtf8(v, out);
          } else {
            out += '\\';
            out += e;
          }
      }
    }
    return Status::Ok();
  }

  Status Operator(std::vector<char>& balance) {
    static constexpr std::string_view kTwo[] = {"//", "**", "==", "!=", ">=", "<="};
    for (std::string_view op : kTwo) {
      if (StartsAt(pos_, op)) {
        Emit(TokKind::kOp, std::string(op), pos_);
        pos_ += 2;
        return Status::Ok();
      }
    }
    char c = src_[pos_];
    if (std::string_view("+-/*%~[](){}><=.:|,;").find(c) == std::string_view::npos) {
      return Fail(pos_, std::string("unexpected char '") + c + "'");
    }
    if (c == '(' || c == '[' || c == '{') {
      balance.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (balance.empty()) return Fail(pos_, std::string("unexpected '") + c + "'");
      char want = balance.back();
      balance.pop_back();
      if (want != c) return Fail(pos_, std::string("unexpected '") + c + "', expected '" + want + "'");
    }
    Emit(TokKind::kOp, std::string(1, c), pos_);
    ++pos_;
    return Status::Ok();
  }

  std::string src_;
  const std::string& name_;
  size_t pos_ = 0;
  std::vector<Token> tokens_;
  size_t cursor_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

// Newlines normalised to \n; one trailing newline dropped (Jinja2 defaults).
std::string Normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text, const std::string& name) {
  Lexer lexer(Normalize(text), name);
  return lexer.Run();
}

std::string DescribeToken(const Token& t) {
  switch (t.kind) {
    case TokKind::kEof: return "end of template";
    case TokKind::kData: return "template data";
    case TokKind::kVarBegin: return "begin of print statement";
    case TokKind::kVarEnd: return "end of print statement";
    case TokKind::kBlockBegin: return "begin of statement block";
    case TokKind::kBlockEnd: return "end of statement block";
    case TokKind::kString: return "string";
    case TokKind::kInt: return "integer";
    case TokKind::kFloat: return "float";
    default: return "'" + t.text + "'";
  }
}

}  // namespace paiplan::tmpl
