#include "engine/config/yaml_doc.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

#include "engine/base/fs.h"
#include "engine/config/yaml_budget.h"
#include "engine/config/yaml_paths.h"
#include "engine/config/yaml_scalar.h"

namespace paiplan::config {
namespace {

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
// Strict as RFC 3629 (what nlohmann::json's serialiser enforces): no
// overlong forms, no surrogates, nothing above U+10FFFF. A laxer check let
// such bytes into values that later made every JSON dump throw (found by
// tests/fuzz/yaml_fuzz).
size_t FindInvalidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3 : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
    if (len == 0 || i + len > s.size()) return i;
    auto b1 = static_cast<unsigned char>(s[i + 1]);
    // The second byte's range depends on the first (RFC 3629, section 4).
    unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    if (b1 < lo || b1 > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return i;
    }
    i += len;
  }
  return std::string::npos;
}

// The first byte YAML does not allow in a stream (the C0 controls but tab,
// LF and CR, and DEL), or npos. PyYAML refuses them too; yaml-cpp instead
// guesses an encoding from leading NULs (UTF-16/32) and yields garbage.
size_t FindControlChar(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return i;
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

SourceLoc MarkLoc(const YAML::Mark& m, const std::string& display) {
  if (m.line < 0) return {display, 0, 0};
  return {display, m.line + 1, m.column + 1};
}

// yaml-cpp accepts a quoted scalar left open at the end of the stream (PyYAML
// rejects it) and silently folds the rest of the file into it. Returns true
// when the quoted scalar starting at `pos` of `text` has its closing quote.
bool QuoteClosed(const std::string& text, size_t pos) { return QuotedScalarEnd(text, pos).has_value(); }

// Where the second document of a multi-document stream begins: its '---'
// line when there is one, else its first node.
SourceLoc SecondDocLoc(const std::string& text, const YAML::Mark& m, const std::string& display) {
  if (m.pos < 0) return {display, 0, 0};
  size_t p = std::min(static_cast<size_t>(m.pos), text.size());
  for (size_t at = text.rfind("---", p); at != std::string::npos; at = text.rfind("---", at - 1)) {
    if (at == 0 || text[at - 1] == '\n') return OffsetToLoc(text, at, display);
  }
  return MarkLoc(m, display);
}

// First line (1-based) before `limit_line` where a value opens a quote that
// the line does not close: the usual cause of a confusing error further down
// (a double-quoted value may span lines, so the parser only fails later).
int UnclosedQuoteLine(const std::string& text, int limit_line) {
  int line = 1;
  size_t start = 0;
  while (start < text.size() && line < limit_line) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(start, end - start);
    size_t v = l.find_first_not_of(' ');
    if (v != std::string::npos && l.compare(v, 2, "- ") == 0) v = l.find_first_not_of(' ', v + 2);
    size_t colon = l.find(": ", v == std::string::npos ? 0 : v);
    if (v != std::string::npos && l[v] != '"' && l[v] != '\'' && colon != std::string::npos)
      v = l.find_first_not_of(' ', colon + 2);
    if (v != std::string::npos && v < l.size() && (l[v] == '"' || l[v] == '\'') && !QuoteClosed(l, v)) return line;
    start = end + 1;
    ++line;
  }
  return 0;
}

// Whether line `line` (1-based) is indented with a tab: yaml-cpp then often
// reports something unrelated ("illegal map value").
bool IndentedWithTab(const std::string& text, int line) {
  size_t start = 0;
  for (int l = 1; l < line && start != std::string::npos; ++l) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos) return false;
  size_t first = text.find_first_not_of(' ', start);
  return first != std::string::npos && text[first] == '\t';
}

// Builds the ojson value of one document straight from yaml-cpp's parser
// events. YAML::Load would first build yaml-cpp's own node graph (shared
// pointers per node): for a 50,000-machine layout that doubled the parse
// time and dominated peak memory.
class JsonBuilder : public YAML::EventHandler {
 public:
  JsonBuilder(const std::string& text, const std::string& display, Diagnostics* diags)
      : text_(text), display_(display), diags_(diags) {}

  ojson Take() { return std::move(root_); }

  // Where the last document handled began.
  const YAML::Mark& doc_mark() const { return doc_mark_; }

  void OnDocumentStart(const YAML::Mark& mark) override { doc_mark_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Emit(nullptr, mark, nullptr, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    Emit(it == anchors_.end() ? ojson() : it->second, mark, nullptr, 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (FindInvalidUtf8(value) != std::string::npos) {
      // Only an escape can make one (the text itself is checked first):
      // yaml-cpp encodes "\ud800" or "\U0011ffff" as bytes no JSON can hold.
      diags_->Error(MarkLoc(mark, display_),
                    "invalid Unicode escape in this value: a lone surrogate or a code point above U+10FFFF",
                    "use the escape of a real character, or write the character itself");
      const std::string placeholder = "(invalid escape)";
      Emit(ojson(placeholder), mark, &placeholder, anchor);
      return;
    }
    Emit(ScalarValue(mark, tag, value), mark, &value, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Push(ojson::array(), mark, anchor);
  }
  void OnSequenceEnd() override { Pop(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Push(ojson::object(), mark, anchor);
  }
  void OnMapEnd() override { Pop(); }

 private:
  struct Frame {
    ojson value;
    YAML::Mark mark;
    YAML::anchor_t anchor = 0;
    std::string ptr;          // JSON pointer of this collection
    bool want_key = true;     // maps: the next event is a key
    bool skip_value = false;  // maps: the key was rejected, drop its value
    std::string key{};
    yaml_paths::MapKeys keys{};
  };

  ojson ScalarValue(const YAML::Mark& mark, const std::string& tag, const std::string& value) {
    if (tag == "!") {  // quoted or block scalar: always a string
      size_t pos = mark.pos;
      if (pos < text_.size() && (text_[pos] == '\'' || text_[pos] == '"') && !QuoteClosed(text_, pos)) {
        diags_->Error(MarkLoc(mark, display_),
                      std::string("invalid YAML: quoted value opened here is never closed (missing ") +
                          text_[pos] + ")",
                      std::string("add the closing ") + text_[pos] + " at the end of the value");
      }
      return value;
    }
    if (tag == "tag:yaml.org,2002:str") return value;  // !!str
    return ResolvePlainScalar(value);
  }

  std::string ChildPtr() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    return f.value.is_array() ? f.ptr + "/" + std::to_string(f.value.size()) : f.ptr + "/" + f.key;
  }

  void Push(ojson v, const YAML::Mark& mark, YAML::anchor_t anchor) {
    std::string ptr = ChildPtr();
    stack_.push_back(Frame{std::move(v), mark, anchor, std::move(ptr)});
  }

  void Pop() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    Emit(std::move(f.value), f.mark, nullptr, f.anchor);
  }

  // A complete value: the root, an item, a key (`key_text` set for scalars) or a map value.
  void Emit(ojson v, const YAML::Mark& mark, const std::string* key_text, YAML::anchor_t anchor) {
    if (anchor) anchors_[anchor] = v;
    if (stack_.empty()) {
      root_ = std::move(v);
      return;
    }
    Frame& f = stack_.back();
    if (f.value.is_array()) {
      f.value.push_back(std::move(v));
      return;
    }
    if (f.want_key) {
      f.want_key = false;
      if (!key_text) {
        diags_->Error(MarkLoc(mark, display_), "map keys must be plain strings",
                      "quote the key or restructure this entry");
        f.skip_value = true;
      } else if (!f.keys.Add(f.value, *key_text)) {
        diags_->Error(MarkLoc(mark, display_),
                      "duplicate key '" + *key_text + "'" + (f.ptr.empty() ? "" : " in " + PointerToDotted(f.ptr)),
                      "each key may appear once in a map; remove or rename one of them");
        f.skip_value = true;
      } else {
        f.key = *key_text;
      }
      return;
    }
    f.want_key = true;
    if (f.skip_value) {
      f.skip_value = false;
      return;
    }
    AppendUnique(&f.value, std::move(f.key), std::move(v));
  }

  const std::string& text_;
  const std::string& display_;
  Diagnostics* diags_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, ojson> anchors_;
  ojson root_;
  YAML::Mark doc_mark_;
};

// Reports the first invalid UTF-8 byte of `text`; false when there is one.
bool CheckUtf8(const std::string& text, const std::string& display, Diagnostics* diags) {
  size_t bad = FindInvalidUtf8(text);
  if (bad == std::string::npos) return true;
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[bad]));
  diags->Error(OffsetToLoc(text, bad, display), std::string("file is not valid UTF-8 (byte ") + hex + " here)",
               "save the file as UTF-8 (for example: iconv -f latin1 -t utf-8 FILE)");
  return false;
}

// Reports the first control character YAML forbids; false when there is one.
bool CheckControlChars(const std::string& text, const std::string& display, Diagnostics* diags) {
  size_t bad = FindControlChar(text);
  if (bad == std::string::npos) return true;
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[bad]));
  diags->Error(OffsetToLoc(text, bad, display),
               std::string("control character ") + hex + " is not allowed in YAML",
               "remove it: YAML text may hold tab, newline and carriage return but no other control "
               "characters (write it as an escape such as \"\\x01\" inside double quotes)");
  return false;
}

// The yaml-cpp reader, the reference for values and the source of every
// diagnostic. REQUIRES: `text` is valid UTF-8.
std::optional<YamlFile> ReadWithYamlCpp(const std::string& text, const std::string& display,
                                        Diagnostics* diags) {
  YamlFile out;
  out.display = display;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    size_t before = diags->ErrorCount();
    JsonBuilder builder(text, display, diags);
    if (parser.HandleNextDocument(builder)) {
      Diagnostics ignored;  // later documents are not read, only counted
      JsonBuilder rest(text, display, &ignored);
      int docs = 1;
      YAML::Mark second;
      while (parser.HandleNextDocument(rest)) {
        if (++docs == 2) second = rest.doc_mark();
      }
      if (docs > 1) {
        diags->Error(SecondDocLoc(text, second, display),
                     "file holds " + std::to_string(docs) +
                         " YAML documents; exactly one is expected (the second starts here)",
                     "remove the '---' separator and everything after it, or merge the documents");
        return std::nullopt;
      }
    }
    out.value = builder.Take();
    if (diags->ErrorCount() != before) return std::nullopt;
  } catch (const YAML::Exception& e) {
    SourceLoc loc = MarkLoc(e.mark, display);
    std::string hint = "fix the syntax at this position (indentation, quotes, ':' after keys)";
    if (int q = UnclosedQuoteLine(text, loc.line > 0 ? loc.line : 1 << 30)) {
      hint = "the quote opened at line " + std::to_string(q) +
             " is not closed on that line; close it (the parser only noticed here)";
    } else if (e.msg.find("tab") != std::string::npos || IndentedWithTab(text, loc.line)) {
      hint = "indent with spaces; YAML does not allow tabs for indentation";
    }
    diags->Error(loc, "invalid YAML: " + e.msg, hint);
    return std::nullopt;
  }
  return out;
}

// Reports libyaml's refusal of `text`: where, what and what to do.
void ReportSyntaxError(const std::string& text, const YamlSyntaxError& e, const std::string& display,
                       Diagnostics* diags) {
  std::string hint = e.Hint(text);
  // A value whose quote its line leaves open is the usual cause of an error
  // further down (a quoted value may span lines): name that line.
  int q = UnclosedQuoteLine(text, e.line > 0 ? e.line : 1 << 30);
  if (q > 0 && !(q == e.context_line && e.context.find("quoted scalar") != std::string::npos)) {
    hint = "the quote opened at line " + std::to_string(q) +
           " is not closed on that line; close it (the parser only noticed here)";
  }
  diags->Error(SourceLoc{display, e.line, e.column}, "invalid YAML: " + e.Describe(), hint);
}

}  // namespace

std::optional<YamlFile> ParseYamlText(const std::string& text, const std::string& display,
                                      Diagnostics* diags) {
  if (!CheckUtf8(text, display, diags) || !CheckControlChars(text, display, diags) ||
      !CheckYamlSize(text, display, diags)) return std::nullopt;
  // Budgets (yaml_budget.h) before any reader expands an alias; a text
  // without '*' has no alias, and the libyaml reader bounds its own depth.
  bool scanned = text.find('*') != std::string::npos;
  if (scanned && !CheckYamlBudget(text, display, diags)) return std::nullopt;
  std::optional<YamlSyntaxError> refused;
  if (auto value = yaml_paths::ParseWithLibyaml(text, &refused)) return YamlFile{"", display, std::move(*value)};
  if (refused) {  // never to yaml-cpp: it loops on some text libyaml refuses (yaml_syntax.h)
    ReportSyntaxError(text, *refused, display, diags);
    return std::nullopt;
  }
  if (!scanned && !CheckYamlBudget(text, display, diags)) return std::nullopt;
  return ReadWithYamlCpp(text, display, diags);
}

namespace yaml_paths {

std::optional<YamlFile> ParseWithYamlCpp(const std::string& text, const std::string& display,
                                         Diagnostics* diags) {
  if (!CheckUtf8(text, display, diags) || !CheckControlChars(text, display, diags) ||
      !CheckYamlSize(text, display, diags)) return std::nullopt;
  if (!CheckYamlBudget(text, display, diags)) return std::nullopt;
  if (auto refused = FindYamlSyntaxError(text)) {
    ReportSyntaxError(text, *refused, display, diags);
    return std::nullopt;
  }
  return ReadWithYamlCpp(text, display, diags);
}

bool MapKeys::Add(const ojson& map, const std::string& key) {
  if (map.size() < kIndexFrom) return !map.contains(key);
  if (index_.empty()) {
    for (auto it = map.begin(); it != map.end(); ++it) index_.insert(it.key());
  }
  return index_.insert(key).second;
}

}  // namespace yaml_paths

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

void AppendUnique(ojson* obj, std::string key, ojson value) {
  using Base = std::vector<std::pair<const std::string, ojson>>;
  static_cast<Base&>(obj->get_ref<ojson::object_t&>()).emplace_back(std::move(key), std::move(value));
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
      if (text && !FindYamlSyntaxError(*text)) {  // yaml-cpp only reads what libyaml accepts
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

std::optional<size_t> QuotedScalarEnd(const std::string& text, size_t pos) {
  char q = text[pos];
  for (size_t j = pos + 1; j < text.size(); ++j) {
    if (q == '"' && text[j] == '\\') {
      ++j;
    } else if (text[j] == q) {
      if (q == '\'' && j + 1 < text.size() && text[j + 1] == '\'') {
        ++j;  // '' is an escaped quote
        continue;
      }
      return j + 1;
    }
  }
  return std::nullopt;
}

}  // namespace paiplan::config
