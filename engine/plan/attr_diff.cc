#include "engine/plan/attr_diff.h"

#include <algorithm>
#include <functional>
#include <cctype>
#include <cstdio>
#include <map>
#include <sstream>

#include "engine/base/base64.h"
#include "engine/config/workspace.h"

namespace paiplan::plan {

void Flatten(const nlohmann::json& v, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>* out) {
  if (v.is_object() && !v.empty()) {
    for (auto it = v.begin(); it != v.end(); ++it) Flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (v.is_array() && !v.empty() && !std::all_of(v.begin(), v.end(), [](const auto& x) { return x.is_primitive(); })) {
    for (size_t i = 0; i < v.size(); ++i) Flatten(v[i], prefix + "[" + std::to_string(i) + "]", out);
  } else {
    out->emplace_back(prefix, v.dump());
  }
}

namespace {
bool PathSensitive(const std::string& path) {
  std::string seg;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '.' || path[i] == '[') {
      if (!seg.empty() && config::IsSensitiveKey(seg)) return true;
      seg.clear();
    } else {
      seg += path[i];
    }
  }
  return false;
}
}  // namespace

std::vector<AttrChange> DiffAttributes(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<std::pair<std::string, std::string>> b, a;
  if (!before.is_null()) Flatten(before, "", &b);
  if (!after.is_null()) Flatten(after, "", &a);
  std::map<std::string, std::pair<std::string, std::string>> m;
  for (auto& [k, v] : b) m[k].first = v;
  for (auto& [k, v] : a) m[k].second = v;
  std::vector<AttrChange> out;
  for (auto& [k, v] : m) {
    if (v.first == v.second) continue;
    out.push_back({k, v.first, v.second, PathSensitive(k)});
  }
  return out;
}

namespace {
std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}
}  // namespace

std::string UnifiedDiff(const std::string& before, const std::string& after, const std::string& name) {
  auto x = Lines(before), y = Lines(after);
  size_t n = x.size(), m = y.size();
  if (n * m > 4'000'000) {
    return "(" + name + ": " + std::to_string(n) + " → " + std::to_string(m) + " lines; too large to diff)\n";
  }
  // LCS table, then walk it to produce edit operations.
  std::vector<std::vector<uint32_t>> L(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;) L[i][j] = x[i] == y[j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
  struct Op { char c; std::string line; size_t i, j; };
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] == y[j]) { ops.push_back({' ', x[i], i, j}); ++i; ++j; }
    else if (i < n && (j == m || L[i + 1][j] >= L[i][j + 1])) { ops.push_back({'-', x[i], i, j}); ++i; }
    else { ops.push_back({'+', y[j], i, j}); ++j; }
  }
  std::ostringstream o;
  o << "--- a/" << name << "\n+++ b/" << name << "\n";
  const size_t kCtx = 3;
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].c == ' ') { ++k; continue; }
    size_t start = k >= kCtx ? k - kCtx : 0, end = k;
    while (end < ops.size()) {
      if (ops[end].c != ' ') { ++end; continue; }
      size_t run = end;
      while (run < ops.size() && ops[run].c == ' ') ++run;
      if (run == ops.size() || run - end > 2 * kCtx) { end = std::min(end + kCtx, ops.size()); break; }
      end = run;
    }
    size_t bl = 0, al = 0;
    for (size_t q = start; q < end; ++q) { bl += ops[q].c != '+'; al += ops[q].c != '-'; }
    o << "@@ -" << ops[start].i + (bl ? 1 : 0) << "," << bl << " +" << ops[start].j + (al ? 1 : 0) << "," << al << " @@\n";
    for (size_t q = start; q < end; ++q) o << ops[q].c << ops[q].line << "\n";
    k = end;
  }
  return o.str();
}

namespace {

// Decodes the UTF-8 sequence at s[i]; advances i past it. An invalid byte
// is taken as it is (one code point per byte).
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
  if (i + size_t(len) > s.size()) len = 1;
  uint32_t cp = len == 1 ? b : b & (0x7F >> len);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + size_t(k)]) & 0x3F);
  i += size_t(len);
  return cp;
}

void AppendU(uint32_t u, std::string& out) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", u);
  out += buf;
}

// A string as JSON encodes it, without the quotes. `ascii`: non-ASCII as
// \uXXXX (Python's json.dumps default); `html`: < > & ' as \u003c ... too
// (Jinja2's |tojson).
std::string JsonEscape(std::string_view s, bool ascii, bool html) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    uint32_t cp = NextCodePoint(s, i);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp < 0x20 || (html && (cp == '<' || cp == '>' || cp == '&' || cp == '\''))) {
      AppendU(cp, out);
    } else if (ascii && cp >= 0x80) {
      if (cp >= 0x10000) {
        AppendU(0xD800 + ((cp - 0x10000) >> 10), out);
        AppendU(0xDC00 + ((cp - 0x10000) & 0x3FF), out);
      } else {
        AppendU(cp, out);
      }
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

// True when no encoding below changes `s`: printable ASCII without quotes,
// backslashes or HTML metacharacters.
bool IsPlain(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && std::string_view("\"\\<>&'").find(c) == std::string_view::npos;
  });
}

// The secret upper- and lower-cased (|upper, |lower, tr, ${x^^}), when that
// changes it.
std::vector<std::string> CaseForms(const std::string& secret) {
  std::string up = secret, low = secret;
  for (char& c : up) c = char(std::toupper(static_cast<unsigned char>(c)));
  for (char& c : low) c = char(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string> out;
  if (up != secret) out.push_back(up);
  if (low != secret && low != up) out.push_back(low);
  return out;
}

// Percent-encoding as Jinja2's |urlencode writes it (a space as %20) and as
// HTML forms write it (a space as +).
std::string UrlEncode(const std::string& s, bool plus_for_space) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || std::string_view("-._~/").find(c) != std::string_view::npos) out.push_back(c);
    else if (c == ' ' && plus_for_space) out.push_back('+');
    else out += {'%', kHex[u >> 4], kHex[u & 15]};
  }
  return out;
}

// The secret base64-encoded (a Secret's data, `base64`, |b64encode), with and
// without padding, and percent-encoded (|urlencode, a URL's userinfo), when
// that changes it. Secrets under 6 bytes get none: their 4- to 8-character
// base64 would mask unrelated words.
std::vector<std::string> EncodedForms(const std::string& secret) {
  std::vector<std::string> out;
  if (secret.size() >= 6) {
    std::string b64 = Base64Encode(secret);
    out.push_back(b64);
    while (b64.back() == '=') b64.pop_back();
    out.push_back(b64);
  }
  for (bool plus : {false, true})
    if (std::string u = UrlEncode(secret, plus); u != secret) out.push_back(u);
  return out;
}

// The forms a template or a script commonly gives a secret: as is, JSON
// (|tojson, json.dumps, nlohmann), HTML-escaped (|e) and YAML single-quoted.
// Longest first, so a longer form is never left half masked.
std::vector<std::string> SecretForms(const std::string& secret) {
  std::vector<std::string> forms = {secret};
  for (bool ascii : {false, true})
    for (bool html : {false, true}) forms.push_back(JsonEscape(secret, ascii, html));
  static const std::pair<const char*, const char*> kHtml[] = {
      {"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&#34;"}, {"'", "&#39;"}};
  std::string html = secret;
  for (const auto& [from, to] : kHtml) html = Replace(html, from, to);
  forms.push_back(html);
  forms.push_back(Replace(secret, "'", "''"));
  for (const std::string& cased : CaseForms(secret)) forms.push_back(cased);
  for (const std::string& encoded : EncodedForms(secret)) forms.push_back(encoded);
  std::sort(forms.begin(), forms.end(),
            [](const auto& a, const auto& b) { return a.size() != b.size() ? a.size() > b.size() : a < b; });
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  return forms;
}

}  // namespace

std::string MaskSecrets(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.size() < 3) continue;  // too short to mask without mangling the text
    if (IsPlain(s)) {  // every escaping form is the secret itself
      text = Replace(std::move(text), s, "(sensitive)");
      for (const auto& cased : CaseForms(s)) text = Replace(std::move(text), cased, "(sensitive)");
      for (const auto& encoded : EncodedForms(s)) text = Replace(std::move(text), encoded, "(sensitive)");
      continue;
    }
    for (const auto& form : SecretForms(s)) {
      text = Replace(std::move(text), form, "(sensitive)");
    }
  }
  return text;
}

namespace {

// Every string and number anywhere in `v` (a value under a sensitive key).
void CollectLeaves(const nlohmann::ordered_json& v, std::vector<std::string>* out) {
  if (v.is_string()) out->push_back(v.get<std::string>());
  else if (v.is_number()) out->push_back(v.dump());
  else if (v.is_structured()) for (const auto& x : v) CollectLeaves(x, out);
}

template <typename J>
void MaskKeysIn(J& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (config::IsSensitiveKey(it.key()) && !it.value().is_null()) it.value() = "(sensitive)";
      else MaskKeysIn(it.value());
    }
  } else if (v.is_array()) {
    for (auto& x : v) MaskKeysIn(x);
  }
}

}  // namespace

void CollectSecrets(const nlohmann::ordered_json& v, std::vector<std::string>* out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (config::IsSensitiveKey(it.key())) CollectLeaves(it.value(), out);
      else CollectSecrets(it.value(), out);
    }
  } else if (v.is_array()) {
    for (const auto& x : v) CollectSecrets(x, out);
  }
}

void MaskJson(nlohmann::json* v, const std::vector<std::string>& secrets) {
  MaskKeysIn(*v);
  std::function<void(nlohmann::json&)> walk = [&](nlohmann::json& x) {
    if (x.is_string()) x = MaskSecrets(x.get<std::string>(), secrets);
    else if (x.is_structured()) for (auto& y : x) walk(y);
  };
  walk(*v);
}

void MaskSensitiveKeys(nlohmann::json* v) { MaskKeysIn(*v); }
void MaskSensitiveKeys(nlohmann::ordered_json* v) { MaskKeysIn(*v); }

std::string Abbreviate(const std::string& text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t keep = limit / 2;
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;  // whole UTF-8 characters
  return text.substr(0, keep) + "… (" + std::to_string(text.size()) + " bytes; shortened)";
}

}  // namespace paiplan::plan
