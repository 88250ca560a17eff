#include "engine/config/yaml_doc.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "engine/base/fs.h"

namespace paiplan::config {
namespace {

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
size_t FindInvalidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return i;
    }
    i += len;
  }
  return std::string::npos;
}

SourceLoc OffsetToLoc(const std::string& text, size_t off, const std::string& display) {
  SourceLoc loc{display, 1, 1};
  for (size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  std::string t = s;
  int base = 10;
  size_t start = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (t.size() > start + 2 && t[start] == '0' && (t[start + 1] == 'x' || t[start + 1] == 'o')) {
    base = t[start + 1] == 'x' ? 16 : 8;
    t.erase(start, 2);
  }
  for (size_t i = start; i < t.size(); ++i) {
    char c = t[i];
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) : (c >= '0' && c <= '9');
    if (!ok || (base == 8 && c > '7')) return false;
  }
  if (t.size() == start) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, base);
  if (errno == ERANGE || *end != '\0') return false;
  *out = v;
  return true;
}

bool ParseFloat(const std::string& s, double* out) {
  static const std::map<std::string, double> kSpecial = {
      {".inf", INFINITY}, {".Inf", INFINITY}, {".INF", INFINITY}, {"+.inf", INFINITY},
      {"-.inf", -INFINITY}, {"-.Inf", -INFINITY}, {".nan", NAN}, {".NaN", NAN}, {".NAN", NAN}};
  auto it = kSpecial.find(s);
  if (it != kSpecial.end()) {
    *out = it->second;
    return true;
  }
  bool digit = false, dot_or_exp = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') digit = true;
    else if (c == '.' || c == 'e' || c == 'E') dot_or_exp = true;
    else if (c != '-' && c != '+') return false;
  }
  if (!digit || !dot_or_exp) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (*end != '\0') return false;
  *out = v;
  return true;
}

ojson PlainScalar(const std::string& s) {
  static const std::set<std::string> kNull = {"", "~", "null", "Null", "NULL"};
  static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  if (kNull.count(s)) return nullptr;
  if (kTrue.count(s)) return true;
  if (kFalse.count(s)) return false;
  int64_t i;
  if (ParseInt(s, &i)) return i;
  double d;
  if (ParseFloat(s, &d)) return d;
  return s;
}

SourceLoc MarkLoc(const YAML::Mark& m, const std::string& display) {
  if (m.line < 0) return {display, 0, 0};
  return {display, m.line + 1, m.column + 1};
}

// Converts a yaml-cpp node; reports duplicate keys and non-scalar keys.
ojson Convert(const YAML::Node& node, const std::string& display, const std::string& ptr,
              Diagnostics* diags) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return node.Tag() == "!" ? ojson(node.Scalar()) : PlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      ojson arr = ojson::array();
      size_t i = 0;
      for (const auto& item : node) {
        arr.push_back(Convert(item, display, ptr + "/" + std::to_string(i++), diags));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      ojson obj = ojson::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          diags->Error(MarkLoc(kv.first.Mark(), display), "map keys must be plain strings",
                       "quote the key or restructure this entry");
          continue;
        }
        const std::string& key = kv.first.Scalar();
        if (obj.contains(key)) {
          diags->Error(MarkLoc(kv.first.Mark(), display),
                       "duplicate key '" + key + "'" + (ptr.empty() ? "" : " in " + PointerToDotted(ptr)),
                       "each key may appear once in a map; remove or rename one of them");
          continue;
        }
        obj[key] = Convert(kv.second, display, ptr + "/" + key, diags);
      }
      return obj;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<YamlFile> ParseYamlText(const std::string& text, const std::string& display,
                                      Diagnostics* diags) {
  size_t bad = FindInvalidUtf8(text);
  if (bad != std::string::npos) {
    diags->Error(OffsetToLoc(text, bad, display), "file is not valid UTF-8",
                 "save the file as UTF-8");
    return std::nullopt;
  }
  YamlFile out;
  out.display = display;
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1) {
      diags->Error({display, 0, 0}, "file holds " + std::to_string(docs.size()) +
                                        " YAML documents; exactly one is expected",
                   "remove the extra '---' separators");
      return std::nullopt;
    }
    size_t before = diags->ErrorCount();
    out.value = docs.empty() ? ojson(nullptr) : Convert(docs[0], display, "", diags);
    if (diags->ErrorCount() != before) return std::nullopt;
  } catch (const YAML::Exception& e) {
    diags->Error(MarkLoc(e.mark, display), "invalid YAML: " + e.msg,
                 "fix the syntax at this position (indentation, quotes, ':' after keys)");
    return std::nullopt;
  }
  return out;
}

std::optional<YamlFile> LoadYamlFile(const std::string& path, const std::string& display,
                                     Diagnostics* diags) {
  auto text = fs::ReadFile(path);
  if (!text) {
    diags->Error({display, 0, 0}, text.error().message());
    return std::nullopt;
  }
  auto out = ParseYamlText(*text, display, diags);
  if (out) out->path = path;
  return out;
}

std::vector<std::string> PointerTokens(const std::string& pointer) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < pointer.size()) {
    if (pointer[i] != '/') break;
    size_t j = pointer.find('/', i + 1);
    std::string tok = pointer.substr(i + 1, j == std::string::npos ? std::string::npos : j - i - 1);
    std::string un;
    for (size_t k = 0; k < tok.size(); ++k) {
      if (tok[k] == '~' && k + 1 < tok.size()) {
        un += tok[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        un += tok[k];
      }
    }
    out.push_back(un);
    if (j == std::string::npos) break;
    i = j;
  }
  return out;
}

std::string PointerToDotted(const std::string& pointer) {
  std::string out;
  for (const auto& tok : PointerTokens(pointer)) {
    bool index = !tok.empty() && tok.find_first_not_of("0123456789") == std::string::npos;
    if (index) out += "[" + tok + "]";
    else out += (out.empty() ? "" : ".") + tok;
  }
  return out.empty() ? "(top level)" : out;
}

struct LocationFinder::Parsed {
  YAML::Node root;
  bool ok = false;
};

LocationFinder::LocationFinder() = default;
LocationFinder::~LocationFinder() = default;

SourceLoc LocationFinder::Find(const std::string& path, const std::string& display,
                               const std::string& pointer, bool key) {
  auto& slot = cache_[path];
  if (!slot) {
    slot = std::make_unique<Parsed>();
    try {
      auto text = fs::ReadFile(path);
      if (text) {
        slot->root = YAML::Load(*text);
        slot->ok = true;
      }
    } catch (const YAML::Exception&) {
    }
  }
  if (!slot->ok) return {display, 0, 0};
  YAML::Node cur;
  cur.reset(slot->root);
  SourceLoc best = MarkLoc(cur.Mark(), display);
  for (const auto& tok : PointerTokens(pointer)) {
    YAML::Node next;
    YAML::Mark key_mark;
    bool found = false;
    if (cur.IsMap()) {
      for (const auto& kv : cur) {
        if (kv.first.IsScalar() && kv.first.Scalar() == tok) {
          next = kv.second;
          key_mark = kv.first.Mark();
          found = true;
          break;
        }
      }
    } else if (cur.IsSequence()) {
      char* end = nullptr;
      long idx = std::strtol(tok.c_str(), &end, 10);
      if (*end == '\0' && idx >= 0 && static_cast<size_t>(idx) < cur.size()) {
        next = cur[static_cast<size_t>(idx)];
        key_mark = next.Mark();
        found = true;
      }
    }
    if (!found) return best;
    cur.reset(next);  // rebind; plain assignment would overwrite the node's value
    best = MarkLoc(key ? key_mark : cur.Mark(), display);
    if (best.line == 0) best = MarkLoc(key_mark, display);
  }
  return best;
}

}  // namespace paiplan::config
