// Value: the run-time value of the Jinja2 renderer, modelled on the Python
// objects Jinja2 manipulates (str, int, float, bool, None, list, tuple, dict,
// Undefined), so that printing, comparison and arithmetic follow Python.
//
// Why not nlohmann::json: the context must not be deep-copied per render, so
// a Value can also be a *view* of a JSON array/object (kJson) or a JSON string
// (a string_view into the context). Lists and dicts built by the template are
// shared and mutable (Python reference semantics: `l.append(x)` is seen by
// every name bound to `l`).
//
// Lifetime: views point into the parsed Template and the render context;
// Values never outlive a Render call.
// Thread-safety: Values are confined to one render (one thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace paiplan::tmpl {

using Json = nlohmann::ordered_json;

class Value;
using List = std::vector<Value>;
struct Dict;
struct LoopState;

class Value {
 public:
  enum class Kind : uint8_t {
    kUndefined, kNone, kBool, kInt, kFloat, kString,
    kList, kTuple, kDict, kJson, kLoop,
  };

  Value() = default;  // Undefined
  static Value None() { Value v; v.kind_ = Kind::kNone; return v; }
  static Value Bool(bool b) { Value v; v.kind_ = Kind::kBool; v.i_ = b; return v; }
  static Value Int(int64_t i) { Value v; v.kind_ = Kind::kInt; v.i_ = i; return v; }
  static Value Float(double f) { Value v; v.kind_ = Kind::kFloat; v.f_ = f; return v; }
  // A string owned by the value.
  static Value Str(std::string s);
  // A view of a string that outlives the render (template text, context).
  static Value StrView(std::string_view s) { Value v; v.kind_ = Kind::kString; v.sv_ = s; return v; }
  static Value MakeList(List items, bool tuple = false);
  static Value MakeDict(std::shared_ptr<Dict> d);
  static Value Loop(const LoopState* loop) { Value v; v.kind_ = Kind::kLoop; v.loop_ = loop; return v; }
  // Converts a JSON node: scalars become scalars (strings are views),
  // arrays and objects become kJson views. REQUIRES: j outlives the value.
  static Value FromJson(const Json& j);

  Kind kind() const { return kind_; }
  bool IsUndefined() const { return kind_ == Kind::kUndefined; }
  bool IsNone() const { return kind_ == Kind::kNone; }
  bool IsString() const { return kind_ == Kind::kString; }
  // bool/int/float (Python's numbers.Number includes bool).
  bool IsNumber() const { return kind_ == Kind::kBool || kind_ == Kind::kInt || kind_ == Kind::kFloat; }
  bool IsIntegral() const { return kind_ == Kind::kBool || kind_ == Kind::kInt; }
  bool IsMapping() const;
  bool IsSequence() const;  // list, tuple, JSON array (not str)

  bool AsBool() const { return i_ != 0; }
  int64_t AsInt() const { return i_; }  // REQUIRES: IsIntegral()
  double AsDouble() const { return kind_ == Kind::kFloat ? f_ : static_cast<double>(i_); }
  std::string_view AsStr() const { return sv_; }  // REQUIRES: IsString()
  const Json* AsJson() const { return json_; }
  const LoopState* AsLoop() const { return loop_; }
  // Shared mutable list for kList/kTuple, nullptr otherwise.
  List* MutableList() const;
  Dict* MutableDict() const;

  // Python truthiness.
  bool Truthy() const;
  // Python str() / repr().
  std::string Str() const;
  std::string Repr() const;
  void AppendStr(std::string& out) const;
  void AppendRepr(std::string& out) const;

  // The elements iteration yields (dict: keys; str: characters). Fails for
  // non-iterables (int, None, ...). Undefined yields nothing.
  Result<List> Items() const;
  // len(); fails for values without a length.
  Result<int64_t> Length() const;
  // Dict-like access: key lookup in dicts/JSON objects. Returns Undefined
  // when absent or not a mapping.
  Value GetKey(const Value& key) const;
  // obj[key] per Jinja2's environment.getitem (falls back to attributes).
  Value GetItem(const Value& key) const;
  // obj.name per Jinja2's environment.getattr.
  Value GetAttr(std::string_view name) const;
  // (key, value) pairs of a mapping in insertion order.
  std::vector<std::pair<Value, Value>> Pairs() const;

 private:
  Kind kind_ = Kind::kUndefined;
  union {
    int64_t i_ = 0;
    double f_;
    const Json* json_;
    const LoopState* loop_;
  };
  std::string_view sv_;
  std::shared_ptr<void> owner_;  // std::string, List or Dict
};

// An insertion-ordered Python dict. Keys compare with Python ==.
struct Dict {
  std::vector<std::pair<Value, Value>> items;
  bool is_namespace = false;  // created by namespace(): prints differently
  Value* Find(const Value& key);
  void Set(const Value& key, Value value);
};

// Lists and dicts can reference themselves (`l.append(l)`), which reference
// counting never frees. While a ContainerArena is installed on a thread,
// every list/dict created there is recorded, and the arena's destructor
// empties the ones still alive, breaking such cycles. Template::Render
// installs one per render; nothing built during a render outlives it.
class ContainerArena {
 public:
  ContainerArena();
  ~ContainerArena();
  ContainerArena(const ContainerArena&) = delete;
  ContainerArena& operator=(const ContainerArena&) = delete;
  void Track(const std::shared_ptr<List>& l) { lists_.push_back(l); }
  void Track(const std::shared_ptr<Dict>& d) { dicts_.push_back(d); }
  static ContainerArena* Current();

 private:
  ContainerArena* previous_;
  std::vector<std::weak_ptr<List>> lists_;
  std::vector<std::weak_ptr<Dict>> dicts_;
};

// State of one `{% for %}` loop, exposed as `loop`.
struct LoopState {
  int64_t index0 = 0;
  int64_t length = 0;
  const List* items = nullptr;
  int64_t depth = 1;
};

// Member of a JSON object by key without allocating (nullptr when absent or
// not an object).
const Json* FindMember(const Json& object, std::string_view key);
// Python == (1 == 1.0 == True, lists element-wise, Undefined == Undefined).
bool Equal(const Value& a, const Value& b);
// Python < for numbers, strings and sequences; fails for other mixes.
Result<bool> Less(const Value& a, const Value& b);
// Python repr of a float (shortest round-trip, "1e+16", "60.0").
std::string FloatRepr(double f);
// Python str.__repr__ quoting.
void AppendStrRepr(std::string_view s, std::string& out);
// Number of code points in UTF-8 text.
int64_t Utf8Length(std::string_view s);
// Splits UTF-8 text into code points.
std::vector<std::string_view> Utf8Chars(std::string_view s);
// Python type name for error messages ("int", "str", "dict", ...).
const char* TypeName(const Value& v);

}  // namespace paiplan::tmpl
