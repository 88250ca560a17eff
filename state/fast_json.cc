#include "state/fast_json.h"

#include <charconv>
#include <cstring>
#include <string>

namespace paiplan::state {
namespace {

using json = nlohmann::json;
constexpr int kMaxDepth = 256;

class Parser {
 public:
  Parser(const char* p, const char* end) : p_(p), end_(end) {}

  bool Document(json& out) {
    if (!Value(out, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Value(json& out, int depth) {
    SkipSpace();
    if (p_ >= end_ || depth > kMaxDepth) return false;
    switch (*p_) {
      case '{': return Object(out, depth);
      case '[': return Array(out, depth);
      case '"': {
        std::string_view s;
        if (!String(&s)) return false;
        out = s;
        return true;
      }
      case 't': return Literal("true", json(true), out);
      case 'f': return Literal("false", json(false), out);
      case 'n': return Literal("null", json(nullptr), out);
      default: return Number(out);
    }
  }

  bool Literal(const char* word, json value, json& out) {
    size_t n = std::strlen(word);
    if (size_t(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    out = std::move(value);
    return true;
  }

  // A string without escapes or control characters, as a view of the input.
  bool String(std::string_view* s) {
    const char* start = ++p_;  // past the opening quote
    while (p_ < end_ && *p_ != '"') {
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;  // escapes, non-ASCII: nlohmann
      ++p_;
    }
    if (p_ >= end_) return false;
    *s = std::string_view(start, size_t(p_ - start));
    ++p_;
    return true;
  }

  bool Number(json& out) {
    const char* start = p_;
    bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    if (p_ == digits || (*digits == '0' && p_ - digits > 1)) return false;
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;  // leave floats to nlohmann
    if (negative) {
      int64_t v = 0;
      auto r = std::from_chars(start, p_, v);
      if (r.ec != std::errc() || r.ptr != p_) return false;
      out = v;
    } else {
      uint64_t v = 0;
      auto r = std::from_chars(start, p_, v);
      if (r.ec != std::errc() || r.ptr != p_) return false;
      out = v;
    }
    return true;
  }

  bool Object(json& out, int depth) {
    ++p_;
    out = json::object();
    auto& obj = out.get_ref<json::object_t&>();
    SkipSpace();
    if (p_ < end_ && *p_ == '}') return ++p_, true;
    for (;;) {
      SkipSpace();
      std::string_view key;
      if (p_ >= end_ || *p_ != '"' || !String(&key)) return false;
      if (!obj.empty() && !(obj.rbegin()->first < key)) return false;  // unsorted/duplicate
      SkipSpace();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      json& slot = obj.emplace_hint(obj.end(), std::string(key), nullptr)->second;
      if (!Value(slot, depth + 1)) return false;
      SkipSpace();
      if (p_ >= end_) return false;
      if (*p_ == '}') return ++p_, true;
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool Array(json& out, int depth) {
    ++p_;
    out = json::array();
    auto& arr = out.get_ref<json::array_t&>();
    SkipSpace();
    if (p_ < end_ && *p_ == ']') return ++p_, true;
    for (;;) {
      arr.emplace_back();
      if (!Value(arr.back(), depth + 1)) return false;
      SkipSpace();
      if (p_ >= end_) return false;
      if (*p_ == ']') return ++p_, true;
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool FastParseJson(std::string_view text, nlohmann::json* out) {
  Parser parser(text.data(), text.data() + text.size());
  return parser.Document(*out);
}

}  // namespace paiplan::state
