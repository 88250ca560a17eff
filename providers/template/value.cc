#include "providers/template/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace paiplan::tmpl {
namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes decode as
// themselves (we never produce invalid UTF-8 from valid input).
uint32_t DecodeUtf8(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 0;
  uint32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1f) : extra == 2 ? (c & 0x0f) : (c & 0x07);
  ++i;
  for (int k = 0; k < extra && i < s.size(); ++k, ++i) cp = (cp << 6) | (s[i] & 0x3f);
  return cp;
}

// Python's str.isprintable() for non-ASCII code points (the common cases).
bool IsPrintableNonAscii(uint32_t cp) {
  if (cp < 0xa1 || cp == 0xad) return false;
  if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f)) return false;
  if ((cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff) return false;
  if ((cp >= 0xd800 && cp <= 0xf8ff) || (cp >= 0xfff9 && cp <= 0xfffb)) return false;
  if (cp >= 0x600 && cp <= 0x605) return false;
  return true;
}

void AppendEscape(uint32_t cp, std::string& out) {
  char buf[16];
  if (cp < 0x100) {
    std::snprintf(buf, sizeof buf, "\\x%02x", cp);
  } else if (cp < 0x10000) {
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
  } else {
    std::snprintf(buf, sizeof buf, "\\U%08x", cp);
  }
  out += buf;
}

void AppendJsonRepr(const Json& j, std::string& out);

void AppendSeqRepr(const List& items, bool tuple, std::string& out) {
  out += tuple ? '(' : '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    items[i].AppendRepr(out);
  }
  if (tuple && items.size() == 1) out += ',';
  out += tuple ? ')' : ']';
}

void AppendJsonRepr(const Json& j, std::string& out) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : j.items()) {
        if (!first) out += ", ";
        first = false;
        AppendStrRepr(k, out);
        out += ": ";
        AppendJsonRepr(v, out);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      for (size_t i = 0; i < j.size(); ++i) {
        if (i) out += ", ";
        AppendJsonRepr(j[i], out);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      AppendStrRepr(j.get_ref<const std::string&>(), out);
      return;
    default:
      Value::FromJson(j).AppendRepr(out);
  }
}

}  // namespace

Value Value::Str(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  auto owned = std::make_shared<std::string>(std::move(s));
  v.sv_ = *owned;
  v.owner_ = std::move(owned);
  return v;
}

namespace {
thread_local ContainerArena* current_arena = nullptr;
}  // namespace

ContainerArena::ContainerArena() : previous_(current_arena) { current_arena = this; }

ContainerArena::~ContainerArena() {
  current_arena = previous_;
  for (auto& w : lists_) {
    if (auto l = w.lock()) List().swap(*l);
  }
  for (auto& w : dicts_) {
    if (auto d = w.lock()) std::vector<std::pair<Value, Value>>().swap(d->items);
  }
}

ContainerArena* ContainerArena::Current() { return current_arena; }

Value Value::MakeList(List items, bool tuple) {
  Value v;
  v.kind_ = tuple ? Kind::kTuple : Kind::kList;
  auto list = std::make_shared<List>(std::move(items));
  if (!tuple && current_arena) current_arena->Track(list);  // tuples are immutable: no cycles
  v.owner_ = std::move(list);
  return v;
}

Value Value::MakeDict(std::shared_ptr<Dict> d) {
  Value v;
  v.kind_ = Kind::kDict;
  if (current_arena) current_arena->Track(d);
  v.owner_ = std::move(d);
  return v;
}

Value Value::FromJson(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return None();
    case Json::value_t::boolean: return Bool(j.get<bool>());
    case Json::value_t::number_integer: return Int(j.get<int64_t>());
    case Json::value_t::number_unsigned: return Int(static_cast<int64_t>(j.get<uint64_t>()));
    case Json::value_t::number_float: return Float(j.get<double>());
    case Json::value_t::string: return StrView(j.get_ref<const std::string&>());
    case Json::value_t::array:
    case Json::value_t::object: {
      Value v;
      v.kind_ = Kind::kJson;
      v.json_ = &j;
      return v;
    }
    default: return Value();
  }
}

bool Value::IsMapping() const {
  return kind_ == Kind::kDict || (kind_ == Kind::kJson && json_->is_object());
}

bool Value::IsSequence() const {
  return kind_ == Kind::kList || kind_ == Kind::kTuple || (kind_ == Kind::kJson && json_->is_array());
}

List* Value::MutableList() const {
  return (kind_ == Kind::kList || kind_ == Kind::kTuple) ? static_cast<List*>(owner_.get()) : nullptr;
}

Dict* Value::MutableDict() const {
  return kind_ == Kind::kDict ? static_cast<Dict*>(owner_.get()) : nullptr;
}

bool Value::Truthy() const {
  switch (kind_) {
    case Kind::kUndefined: case Kind::kNone: return false;
    case Kind::kBool: case Kind::kInt: return i_ != 0;
    case Kind::kFloat: return f_ != 0.0;
    case Kind::kString: return !sv_.empty();
    case Kind::kList: case Kind::kTuple: return !MutableList()->empty();
    case Kind::kDict: return !MutableDict()->items.empty();
    case Kind::kJson: return !json_->empty();
    case Kind::kLoop: return true;
  }
  return false;
}

std::string Value::Str() const {
  if (kind_ == Kind::kString) return std::string(sv_);
  std::string out;
  AppendStr(out);
  return out;
}

std::string Value::Repr() const {
  std::string out;
  AppendRepr(out);
  return out;
}

void Value::AppendStr(std::string& out) const {
  switch (kind_) {
    case Kind::kUndefined: return;
    case Kind::kString: out += sv_; return;
    default: AppendRepr(out);
  }
}

// Containers being printed on this thread: Python prints a list that
// contains itself as [...] (and a dict as {...}) instead of recursing.
thread_local std::vector<const void*> repr_stack;

struct ReprGuard {
  explicit ReprGuard(const void* p) { repr_stack.push_back(p); }
  ~ReprGuard() { repr_stack.pop_back(); }
  static bool Active(const void* p) {
    for (const void* q : repr_stack) {
      if (q == p) return true;
    }
    return false;
  }
};

void Value::AppendRepr(std::string& out) const {
  if ((kind_ == Kind::kList || kind_ == Kind::kDict) && ReprGuard::Active(owner_.get())) {
    out += kind_ == Kind::kList ? "[...]" : "{...}";
    return;
  }
  switch (kind_) {
    case Kind::kUndefined: out += "Undefined"; return;
    case Kind::kNone: out += "None"; return;
    case Kind::kBool: out += i_ ? "True" : "False"; return;
    case Kind::kInt: out += std::to_string(i_); return;
    case Kind::kFloat: out += FloatRepr(f_); return;
    case Kind::kString: AppendStrRepr(sv_, out); return;
    case Kind::kList: case Kind::kTuple: {
      ReprGuard guard(owner_.get());
      AppendSeqRepr(*MutableList(), kind_ == Kind::kTuple, out);
      return;
    }
    case Kind::kDict: {
      ReprGuard guard(owner_.get());
      const Dict& d = *MutableDict();
      if (d.is_namespace) out += "<Namespace ";
      out += '{';
      for (size_t i = 0; i < d.items.size(); ++i) {
        if (i) out += ", ";
        d.items[i].first.AppendRepr(out);
        out += ": ";
        d.items[i].second.AppendRepr(out);
      }
      out += '}';
      if (d.is_namespace) out += '>';
      return;
    }
    case Kind::kJson: AppendJsonRepr(*json_, out); return;
    case Kind::kLoop:
      out += "<LoopContext " + std::to_string(loop_->index0 + 1) + "/" + std::to_string(loop_->length) + ">";
      return;
  }
}

Result<List> Value::Items() const {
  List out;
  switch (kind_) {
    case Kind::kUndefined: return out;
    case Kind::kList: case Kind::kTuple: return *MutableList();
    case Kind::kDict:
      for (const auto& kv : MutableDict()->items) out.push_back(kv.first);
      return out;
    case Kind::kJson:
      out.reserve(json_->size());
      if (json_->is_array()) {
        for (const auto& e : *json_) out.push_back(FromJson(e));
      } else {
        for (const auto& [k, v] : json_->items()) out.push_back(StrView(k));
      }
      return out;
    case Kind::kString:
      for (std::string_view c : Utf8Chars(sv_)) out.push_back(owner_ ? Value::Str(std::string(c)) : StrView(c));
      return out;
    default:
      return Err(Status::InvalidArgument(std::string("'") + TypeName(*this) + "' object is not iterable"));
  }
}

Result<int64_t> Value::Length() const {
  switch (kind_) {
    case Kind::kUndefined: return 0;
    case Kind::kString: return Utf8Length(sv_);
    case Kind::kList: case Kind::kTuple: return static_cast<int64_t>(MutableList()->size());
    case Kind::kDict: return static_cast<int64_t>(MutableDict()->items.size());
    case Kind::kJson: return static_cast<int64_t>(json_->size());
    case Kind::kLoop: return loop_->length;
    default:
      return Err(Status::InvalidArgument(std::string("object of type '") + TypeName(*this) + "' has no len()"));
  }
}

Value Value::GetKey(const Value& key) const {
  if (kind_ == Kind::kDict) {
    Value* v = MutableDict()->Find(key);
    return v ? *v : Value();
  }
  if (kind_ == Kind::kJson && key.IsString()) {
    const Json* member = FindMember(*json_, key.AsStr());
    return member ? FromJson(*member) : Value();
  }
  return Value();
}

Value Value::GetItem(const Value& key) const {
  if (IsMapping()) {
    Value v = GetKey(key);
    if (!v.IsUndefined() || !key.IsString()) return v;
    return GetAttr(key.AsStr());
  }
  if (key.IsIntegral() && (IsSequence() || IsString())) {
    int64_t n = IsString() ? Utf8Length(sv_) : *Length();
    int64_t i = key.AsInt() < 0 ? key.AsInt() + n : key.AsInt();
    if (i < 0 || i >= n) return Value();
    if (kind_ == Kind::kJson) return FromJson((*json_)[static_cast<size_t>(i)]);
    if (IsString()) {
      std::string_view c = Utf8Chars(sv_)[static_cast<size_t>(i)];
      return owner_ ? Value::Str(std::string(c)) : StrView(c);
    }
    return (*MutableList())[static_cast<size_t>(i)];
  }
  if (key.IsString()) return GetAttr(key.AsStr());
  return Value();
}

Value Value::GetAttr(std::string_view name) const {
  if (IsMapping()) return GetKey(StrView(name));
  if (kind_ == Kind::kLoop) {
    const LoopState& l = *loop_;
    if (name == "index") return Int(l.index0 + 1);
    if (name == "index0") return Int(l.index0);
    if (name == "revindex") return Int(l.length - l.index0);
    if (name == "revindex0") return Int(l.length - l.index0 - 1);
    if (name == "first") return Bool(l.index0 == 0);
    if (name == "last") return Bool(l.index0 == l.length - 1);
    if (name == "length") return Int(l.length);
    if (name == "depth") return Int(l.depth);
    if (name == "depth0") return Int(l.depth - 1);
    if (name == "previtem") return l.index0 > 0 ? (*l.items)[l.index0 - 1] : Value();
    if (name == "nextitem") return l.index0 + 1 < l.length ? (*l.items)[l.index0 + 1] : Value();
  }
  return Value();
}

std::vector<std::pair<Value, Value>> Value::Pairs() const {
  if (kind_ == Kind::kDict) return MutableDict()->items;
  std::vector<std::pair<Value, Value>> out;
  if (kind_ == Kind::kJson && json_->is_object()) {
    out.reserve(json_->size());
    for (const auto& [k, v] : json_->items()) out.emplace_back(StrView(k), FromJson(v));
  }
  return out;
}

const Json* FindMember(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  for (const auto& [k, v] : object.get_ref<const Json::object_t&>()) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value* Dict::Find(const Value& key) {
  for (auto& kv : items) {
    if (Equal(kv.first, key)) return &kv.second;
  }
  return nullptr;
}

void Dict::Set(const Value& key, Value value) {
  if (Value* v = Find(key)) {
    *v = std::move(value);
  } else {
    items.emplace_back(key, std::move(value));
  }
}

bool Equal(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.kind() == b.kind() && (a.MutableList() || a.MutableDict()) &&
      (a.MutableList() ? a.MutableList() == b.MutableList() : a.MutableDict() == b.MutableDict())) {
    return true;  // identity, as Python's container comparison checks first
  }
  if (a.IsNumber() && b.IsNumber()) {
    if (a.IsIntegral() && b.IsIntegral()) return a.AsInt() == b.AsInt();
    return a.AsDouble() == b.AsDouble();
  }
  if (a.IsString() && b.IsString()) return a.AsStr() == b.AsStr();
  if (a.IsSequence() && b.IsSequence()) {
    bool at = a.kind() == K::kTuple, bt = b.kind() == K::kTuple;
    if (at != bt) return false;
    List x = *a.Items(), y = *b.Items();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!Equal(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.IsMapping() && b.IsMapping()) {
    auto x = a.Pairs(), y = b.Pairs();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      if (!Equal(b.GetKey(k), v) || b.GetKey(k).IsUndefined()) return false;
    }
    return true;
  }
  if (a.kind() != b.kind()) return false;
  if (a.kind() == K::kNone || a.kind() == K::kUndefined) return true;
  if (a.kind() == K::kLoop) return a.AsLoop() == b.AsLoop();
  return false;
}

Result<bool> Less(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (a.IsIntegral() && b.IsIntegral()) return a.AsInt() < b.AsInt();
    return a.AsDouble() < b.AsDouble();
  }
  if (a.IsString() && b.IsString()) return a.AsStr() < b.AsStr();
  if (a.IsSequence() && b.IsSequence() && (a.kind() == Value::Kind::kTuple) == (b.kind() == Value::Kind::kTuple)) {
    List x = *a.Items(), y = *b.Items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (Equal(x[i], y[i])) continue;
      return Less(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  return Err(Status::InvalidArgument(std::string("'<' not supported between instances of '") + TypeName(a) +
                                     "' and '" + TypeName(b) + "'"));
}

std::string FloatRepr(double f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string out;
  if (sci[0] == '-') {
    out += '-';
    sci.erase(0, 1);
  }
  size_t epos = sci.find('e');
  std::string digits = sci.substr(0, epos);
  int exp = std::stoi(sci.substr(epos + 1));
  if (digits.size() > 1) digits.erase(1, 1);  // drop '.'
  if (exp < -4 || exp >= 16) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    std::snprintf(buf, sizeof buf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return out + buf;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  size_t int_digits = static_cast<size_t>(exp) + 1;
  if (digits.size() <= int_digits) return out + digits + std::string(int_digits - digits.size(), '0') + ".0";
  return out + digits.substr(0, int_digits) + "." + digits.substr(int_digits);
}

void AppendStrRepr(std::string_view s, std::string& out) {
  char quote = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"' : '\'';
  out += quote;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t start = i;
      uint32_t cp = DecodeUtf8(s, i);
      if (IsPrintableNonAscii(cp)) {
        out.append(s.substr(start, i - start));
      } else {
        AppendEscape(cp, out);
      }
      continue;
    }
    ++i;
    if (c == '\\') out += "\\\\";
    else if (c == static_cast<unsigned char>(quote)) (out += '\\') += quote;
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) AppendEscape(c, out);
    else out += static_cast<char>(c);
  }
  out += quote;
}

int64_t Utf8Length(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

std::vector<std::string_view> Utf8Chars(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    DecodeUtf8(s, i);
    out.push_back(s.substr(start, i - start));
  }
  return out;
}

const char* TypeName(const Value& v) {
  using K = Value::Kind;
  switch (v.kind()) {
    case K::kUndefined: return "Undefined";
    case K::kNone: return "NoneType";
    case K::kBool: return "bool";
    case K::kInt: return "int";
    case K::kFloat: return "float";
    case K::kString: return "str";
    case K::kList: return "list";
    case K::kTuple: return "tuple";
    case K::kDict: return "dict";
    case K::kJson: return v.AsJson()->is_array() ? "list" : "dict";
    case K::kLoop: return "LoopContext";
  }
  return "object";
}

}  // namespace paiplan::tmpl
