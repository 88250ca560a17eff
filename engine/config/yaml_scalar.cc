// Hand-written equivalents of PyYAML's implicit resolver regular expressions
// (resolver.py) and of its int/float constructors (constructor.py); std::regex
// would cost seconds on a 50,000-machine layout.
#include "engine/config/yaml_scalar.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>
#include <vector>

namespace paiplan::config {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whether every character of s[from, to) is in `chars` (and the range is not empty).
bool AllOf(const std::string& s, size_t from, size_t to, const char* chars) {
  if (from >= to) return false;
  for (size_t i = from; i < to; ++i) {
    if (std::string_view(chars).find(s[i]) == std::string_view::npos) return false;
  }
  return true;
}

std::string WithoutUnderscores(const std::string& s) {
  std::string out;
  for (char c : s) if (c != '_') out += c;
  return out;
}

// `(:[0-5]?[0-9])+` from `i` to the end (or to `end`); fills the parts.
bool SexagesimalTail(const std::string& s, size_t i, size_t end, std::vector<int>* parts) {
  if (i >= end || s[i] != ':') return false;
  while (i < end) {
    if (s[i] != ':') return false;
    size_t j = i + 1;
    while (j < end && IsDigit(s[j])) ++j;
    size_t n = j - i - 1;
    if (n == 0 || n > 2 || (n == 2 && s[i + 1] > '5')) return false;
    parts->push_back(std::atoi(s.substr(i + 1, n).c_str()));
    i = j;
  }
  return true;
}

// int: [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
//      | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
bool ResolveInt(const std::string& s, nlohmann::ordered_json* out) {
  size_t b = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  bool neg = b && s[0] == '-';
  size_t n = s.size();
  if (b >= n) return false;
  int base = 10;
  std::string digits;
  std::vector<int> sexa;
  if (s.compare(b, 2, "0b") == 0 && AllOf(s, b + 2, n, "01_")) {
    base = 2, digits = WithoutUnderscores(s.substr(b + 2));
  } else if (s.compare(b, 2, "0x") == 0 && AllOf(s, b + 2, n, "0123456789abcdefABCDEF_")) {
    base = 16, digits = WithoutUnderscores(s.substr(b + 2));
  } else if (s[b] == '0' && AllOf(s, b + 1, n, "01234567_")) {
    base = 8, digits = WithoutUnderscores(s.substr(b + 1));
  } else if (s[b] == '0' && n == b + 1) {
    digits = "0";
  } else if (s[b] >= '1' && s[b] <= '9') {
    size_t colon = s.find(':', b);
    size_t end = colon == std::string::npos ? n : colon;
    if (!AllOf(s, b, end, "0123456789_")) return false;
    if (colon != std::string::npos && !SexagesimalTail(s, colon, n, &sexa)) return false;
    digits = WithoutUnderscores(s.substr(b, end - b));
  } else {
    return false;
  }
  if (digits.empty()) digits = "0";  // "0_" and "0b_" as PyYAML builds them
  errno = 0;
  long long v = std::strtoll(digits.c_str(), nullptr, base);
  if (errno == ERANGE) return false;
  for (int part : sexa) {  // out of range like strtoll's ERANGE (found by tests/fuzz/yaml_fuzz)
    if (__builtin_mul_overflow(v, 60, &v) || __builtin_add_overflow(v, part, &v)) return false;
  }
  *out = neg ? -v : v;
  return true;
}

// float: [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9][0-9_]*([eE][-+][0-9]+)?
//        | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
bool ResolveFloat(const std::string& s, nlohmann::ordered_json* out) {
  static const std::set<std::string> kInf = {".inf", ".Inf", ".INF"}, kNan = {".nan", ".NaN", ".NAN"};
  size_t b = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  bool neg = b && s[0] == '-';
  if (kNan.count(s)) return *out = NAN, true;
  if (kInf.count(s.substr(b))) return *out = neg ? -INFINITY : INFINITY, true;
  size_t n = s.size(), dot = s.find('.', b);
  if (dot == std::string::npos) return false;
  size_t e = s.find_first_of("eE", dot);
  size_t frac_end = e == std::string::npos ? n : e;
  if (e != std::string::npos &&
      !(e + 2 < n && (s[e + 1] == '-' || s[e + 1] == '+') && AllOf(s, e + 2, n, "0123456789")))
    return false;
  if (dot + 1 < frac_end && !AllOf(s, dot + 1, frac_end, "0123456789_")) return false;
  std::vector<int> sexa;
  size_t colon = s.find(':', b);
  if (dot == b) {  // ".5": digits required after the dot, no sign
    if (b || !(dot + 1 < frac_end && IsDigit(s[dot + 1]))) return false;
  } else if (colon != std::string::npos && colon < dot) {
    if (e != std::string::npos || !IsDigit(s[b]) || !AllOf(s, b, colon, "0123456789_") ||
        !SexagesimalTail(s, colon, dot, &sexa))
      return false;
  } else if (!IsDigit(s[b]) || !AllOf(s, b, dot, "0123456789_")) {
    return false;
  }
  if (!sexa.empty()) {
    // PyYAML: digits = [float(part) for part in value.split(':')], then base-60 sum.
    double v = 0;
    size_t start = 0;
    std::string clean = WithoutUnderscores(s.substr(b));
    while (true) {
      size_t c = clean.find(':', start);
      v = v * 60 + std::strtod(clean.substr(start, c == std::string::npos ? std::string::npos : c - start).c_str(), nullptr);
      if (c == std::string::npos) break;
      start = c + 1;
    }
    *out = neg ? -v : v;
    return true;
  }
  *out = std::strtod(WithoutUnderscores(s).c_str(), nullptr);
  return true;
}

}  // namespace

nlohmann::ordered_json ResolvePlainScalar(const std::string& s) {
  static const std::set<std::string> kNull = {"", "~", "null", "Null", "NULL"};
  static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  if (kNull.count(s)) return nullptr;
  if (kTrue.count(s)) return true;
  if (kFalse.count(s)) return false;
  nlohmann::ordered_json v;
  if (!s.empty() && (IsDigit(s[0]) || s[0] == '-' || s[0] == '+' || s[0] == '.')) {
    if (ResolveInt(s, &v) || ResolveFloat(s, &v)) return v;
  }
  return s;
}

}  // namespace paiplan::config
