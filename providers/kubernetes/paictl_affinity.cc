#include "providers/kubernetes/paictl_affinity.h"

#include <yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>

namespace paiplan::kube {
namespace {

// A value as PyYAML's SafeLoader constructs it.
struct PyVal {
  enum Type { kNull, kBool, kInt, kFloat, kStr, kDate, kList, kMap } type = kNull;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;  // kStr, kDate (its text, which PyYAML writes back unchanged)
  std::vector<PyVal> items;
  std::vector<std::pair<PyVal, PyVal>> map;

  // Declared here, defaulted below where PyVal is complete: clang 16 with
  // libstdc++ 12 refuses the implicit ones (std::pair<PyVal, PyVal> of an
  // incomplete PyVal), which broke the sanitizer build (tests/sanitizers.sh).
  PyVal();
  PyVal(const PyVal&);
  PyVal(PyVal&&) noexcept;
  PyVal& operator=(const PyVal&);
  PyVal& operator=(PyVal&&) noexcept;
  ~PyVal();

  static PyVal Str(std::string v);
  PyVal* Get(const std::string& key);
};

PyVal::PyVal() = default;
PyVal::PyVal(const PyVal&) = default;
PyVal::PyVal(PyVal&&) noexcept = default;
PyVal& PyVal::operator=(const PyVal&) = default;
PyVal& PyVal::operator=(PyVal&&) noexcept = default;
PyVal::~PyVal() = default;

PyVal PyVal::Str(std::string v) {
  PyVal x;
  x.type = kStr;
  x.s = std::move(v);
  return x;
}

PyVal* PyVal::Get(const std::string& key) {
  for (auto& [k, v] : map)
    if (k.type == kStr && k.s == key) return &v;
  return nullptr;
}

// PyYAML's implicit resolvers (YAML 1.1), in its order.
enum class Implicit { kNone, kBool, kFloat, kInt, kMerge, kNull, kTimestamp, kValue };

Implicit Resolve(const std::string& v) {
  static const std::regex kBool("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$");
  static const std::regex kFloat(
      "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
  static const std::regex kInt(
      "^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
      "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$");
  static const std::regex kNullRe("^(?:~|null|Null|NULL|)$");
  static const std::regex kDate("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
  static const std::regex kTimestamp(
      "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]*)?"
      "(?:[ \\t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?$");
  if (std::regex_match(v, kBool)) return Implicit::kBool;
  if (std::regex_match(v, kFloat)) return Implicit::kFloat;
  if (std::regex_match(v, kInt)) return Implicit::kInt;
  if (v == "<<") return Implicit::kMerge;
  if (std::regex_match(v, kNullRe)) return Implicit::kNull;
  if (std::regex_match(v, kDate) || std::regex_match(v, kTimestamp)) return Implicit::kTimestamp;
  if (v == "=") return Implicit::kValue;
  return Implicit::kNone;
}

std::string Strip(std::string v, char c) {
  v.erase(std::remove(v.begin(), v.end(), c), v.end());
  return v;
}

// Splits a sign off `v`; returns -1 or 1.
int Sign(std::string* v) {
  if (!v->empty() && (v->front() == '-' || v->front() == '+')) {
    int s = v->front() == '-' ? -1 : 1;
    v->erase(0, 1);
    return s;
  }
  return 1;
}

Result<PyVal> ConstructInt(std::string v) {
  v = Strip(v, '_');
  int sign = Sign(&v);
  PyVal x;
  x.type = PyVal::kInt;
  __int128 n = 0;
  auto add = [&](int base, std::string_view digits) {
    for (char c : digits) {
      int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
      n = n * base + d;
      if (n > (__int128(1) << 64)) return false;
    }
    return true;
  };
  bool ok = true;
  if (v == "0") {
  } else if (v.starts_with("0b")) {
    ok = add(2, std::string_view(v).substr(2));
  } else if (v.starts_with("0x")) {
    ok = add(16, std::string_view(v).substr(2));
  } else if (v.front() == '0') {
    ok = add(8, v);
  } else if (v.find(':') != std::string::npos) {
    __int128 total = 0;
    for (size_t start = 0; ok;) {
      size_t colon = v.find(':', start);
      n = 0;
      ok = add(10, std::string_view(v).substr(start, colon - start));
      total = total * 60 + n;
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    n = total;
  } else {
    ok = add(10, v);
  }
  n *= sign;
  if (!ok || n > INT64_MAX || n < INT64_MIN) return Err(Status::InvalidArgument("integer beyond 64 bits"));
  x.i = int64_t(n);
  return x;
}

PyVal ConstructFloat(std::string v) {
  v = Strip(v, '_');
  for (char& c : v) c = char(std::tolower(static_cast<unsigned char>(c)));
  int sign = Sign(&v);
  PyVal x;
  x.type = PyVal::kFloat;
  if (v == ".inf") x.f = sign * INFINITY;
  else if (v == ".nan") x.f = NAN;
  else if (v.find(':') != std::string::npos) {
    double total = 0;
    size_t start = 0;
    for (;;) {
      size_t colon = v.find(':', start);
      total = total * 60 + std::strtod(v.substr(start, colon - start).c_str(), nullptr);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    x.f = sign * total;
  } else {
    x.f = sign * std::strtod(v.c_str(), nullptr);
  }
  return x;
}

// A plain (untagged) scalar as the SafeLoader constructs it.
Result<PyVal> ConstructPlain(const std::string& v) {
  PyVal x;
  switch (Resolve(v)) {
    case Implicit::kBool: {
      x.type = PyVal::kBool;
      char c = char(std::tolower(static_cast<unsigned char>(v[0])));
      x.b = c == 'y' || c == 't' || (c == 'o' && (v[1] == 'n' || v[1] == 'N'));
      return x;
    }
    case Implicit::kFloat: return ConstructFloat(v);
    case Implicit::kInt: return ConstructInt(v);
    case Implicit::kNull: return x;
    case Implicit::kTimestamp:
      if (v.size() != 10) return Err(Status::InvalidArgument("timestamp '" + v + "' with a time (not supported)"));
      x.type = PyVal::kDate;
      x.s = v;
      return x;
    case Implicit::kMerge: return Err(Status::InvalidArgument("merge key '<<' (not supported)"));
    case Implicit::kValue: return Err(Status::InvalidArgument("'=' scalar (PyYAML's SafeLoader cannot construct it)"));
    case Implicit::kNone: break;
  }
  return PyVal::Str(v);
}

Result<PyVal> ConstructTagged(const std::string& tag, const std::string& v) {
  const std::string p = "tag:yaml.org,2002:";
  if (tag == "!" || tag == p + "str") return PyVal::Str(v);
  if (tag == p + "int" && Resolve(v) == Implicit::kInt) return ConstructInt(v);
  if (tag == p + "float" && (Resolve(v) == Implicit::kFloat || Resolve(v) == Implicit::kInt)) return ConstructFloat(v);
  if ((tag == p + "bool" && Resolve(v) == Implicit::kBool) || (tag == p + "null" && Resolve(v) == Implicit::kNull)) {
    return ConstructPlain(v);
  }
  return Err(Status::InvalidArgument("tag " + tag + " on '" + v + "' (not supported)"));
}

class Loader {
 public:
  explicit Loader(std::string_view text) {
    yaml_parser_initialize(&p_);
    yaml_parser_set_input_string(&p_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Loader() { yaml_parser_delete(&p_); }

  // The single document, nullopt for an empty stream.
  Result<std::optional<PyVal>> Load() {
    PP_ASSIGN_OR_RETURN(auto e, Next());  // stream start
    PP_ASSIGN_OR_RETURN(e, Next());
    if (e.type == YAML_STREAM_END_EVENT) return std::optional<PyVal>();
    PP_ASSIGN_OR_RETURN(PyVal v, Node());
    PP_ASSIGN_OR_RETURN(e, Next());  // document end
    PP_ASSIGN_OR_RETURN(e, Next());
    if (e.type != YAML_STREAM_END_EVENT) {
      return Err(Error("a second YAML document starts here; paictl (yaml.load) failed on several documents", e));
    }
    return std::optional<PyVal>(std::move(v));
  }

 private:
  struct Ev {
    yaml_event_type_t type;
    std::string value, tag;
    bool plain = false;
    size_t line = 0;
  };

  Status Error(const std::string& what, const Ev& e) {
    return Status::InvalidArgument("line " + std::to_string(e.line) + ": " + what);
  }

  Result<Ev> Next() {
    yaml_event_t ev;
    if (!yaml_parser_parse(&p_, &ev)) {
      return Err(Status::InvalidArgument("line " + std::to_string(p_.problem_mark.line + 1) + ": invalid YAML: " +
                                         (p_.problem ? p_.problem : "?")));
    }
    Ev out{ev.type, "", "", false, ev.start_mark.line + 1};
    if (ev.type == YAML_SCALAR_EVENT) {
      out.value.assign(reinterpret_cast<char*>(ev.data.scalar.value), ev.data.scalar.length);
      if (ev.data.scalar.tag) out.tag = reinterpret_cast<char*>(ev.data.scalar.tag);
      out.plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    }
    yaml_event_delete(&ev);
    return out;
  }

  Result<PyVal> Node() {
    PP_ASSIGN_OR_RETURN(Ev e, Next());
    return NodeFrom(e);
  }

  Result<PyVal> NodeFrom(const Ev& e) {
    PyVal x;
    switch (e.type) {
      case YAML_SCALAR_EVENT: {
        auto v = !e.tag.empty() ? ConstructTagged(e.tag, e.value)
                                : e.plain ? ConstructPlain(e.value) : Result<PyVal>(PyVal::Str(e.value));
        if (!v) return Err(Error(v.error().message(), e));
        return v;
      }
      case YAML_SEQUENCE_START_EVENT:
        x.type = PyVal::kList;
        for (;;) {
          PP_ASSIGN_OR_RETURN(Ev c, Next());
          if (c.type == YAML_SEQUENCE_END_EVENT) return x;
          PP_ASSIGN_OR_RETURN(PyVal item, NodeFrom(c));
          x.items.push_back(std::move(item));
        }
      case YAML_MAPPING_START_EVENT:
        x.type = PyVal::kMap;
        for (;;) {
          PP_ASSIGN_OR_RETURN(Ev k, Next());
          if (k.type == YAML_MAPPING_END_EVENT) return x;
          if (k.type != YAML_SCALAR_EVENT) return Err(Error("a key that is not a scalar (not supported)", k));
          PP_ASSIGN_OR_RETURN(PyVal key, NodeFrom(k));
          PP_ASSIGN_OR_RETURN(PyVal val, Node());
          auto same = std::find_if(x.map.begin(), x.map.end(), [&](const auto& kv) {
            return kv.first.type == key.type && kv.first.s == key.s && kv.first.i == key.i && kv.first.b == key.b;
          });
          if (same != x.map.end()) same->second = std::move(val);  // a dict keeps the last value
          else x.map.emplace_back(std::move(key), std::move(val));
        }
      case YAML_ALIAS_EVENT:
        return Err(Error("an alias (*name) (not supported: PyYAML would write &id001 anchors)", e));
      default:
        return Err(Error("unexpected YAML event", e));
    }
  }

  yaml_parser_t p_;
};

// Python's repr(float), then PyYAML's represent_float.
std::string FloatText(double f) {
  if (std::isnan(f)) return ".nan";
  if (std::isinf(f)) return f > 0 ? ".inf" : "-.inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // d[.ddd]e±XX, shortest round-trip digits
  size_t e = sci.find('e');
  int exp = std::atoi(sci.c_str() + e + 1);
  std::string mant = sci.substr(0, e);
  bool neg = mant[0] == '-';
  if (neg) mant.erase(0, 1);
  std::string digits = Strip(mant, '.');
  std::string out;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) {
      out = "0." + std::string(size_t(-exp - 1), '0') + digits;
    } else if (size_t(exp) + 1 >= digits.size()) {
      out = digits + std::string(size_t(exp) + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, size_t(exp) + 1) + "." + digits.substr(size_t(exp) + 1);
    }
  } else {
    std::string m = digits.size() > 1 ? digits.substr(0, 1) + "." + digits.substr(1) : digits + ".0";
    std::string ex = std::to_string(std::abs(exp));
    out = m + "e" + (exp < 0 ? "-" : "+") + (ex.size() < 2 ? "0" + ex : ex);
  }
  return (neg ? "-" : "") + out;
}

bool KeyLess(const PyVal& a, const PyVal& b) {
  if (a.type == PyVal::kStr) return a.s < b.s;  // UTF-8 byte order = code point order
  auto num = [](const PyVal& v) { return v.type == PyVal::kFloat ? v.f : v.type == PyVal::kBool ? double(v.b) : double(v.i); };
  return num(a) < num(b);
}

// PyYAML sorts a dict's items; keys Python 3 cannot compare keep their order.
std::vector<const std::pair<PyVal, PyVal>*> SortedItems(const PyVal& m) {
  std::vector<const std::pair<PyVal, PyVal>*> out;
  for (const auto& kv : m.map) out.push_back(&kv);
  bool all_str = true, all_num = true;
  for (const auto* kv : out) {
    PyVal::Type t = kv->first.type;
    all_str = all_str && t == PyVal::kStr;
    all_num = all_num && (t == PyVal::kInt || t == PyVal::kFloat || t == PyVal::kBool);
  }
  if (all_str || all_num) {
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return KeyLess(a->first, b->first); });
  }
  return out;
}

class Dumper {
 public:
  Dumper() {
    yaml_emitter_initialize(&e_);
    yaml_emitter_set_output(&e_, &Dumper::Write, this);
    yaml_emitter_set_width(&e_, 80);
    yaml_emitter_set_indent(&e_, 2);
    yaml_emitter_set_unicode(&e_, 0);
    yaml_emitter_set_break(&e_, YAML_LN_BREAK);
  }
  ~Dumper() { yaml_emitter_delete(&e_); }

  Result<std::string> Dump(const PyVal& v) {
    yaml_event_t ev;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    if (!Emit(&ev)) return Failed();
    yaml_document_start_event_initialize(&ev, nullptr, nullptr, nullptr, 1);
    if (!Emit(&ev) || !Value(v)) return Failed();
    yaml_document_end_event_initialize(&ev, 1);
    if (!Emit(&ev)) return Failed();
    yaml_stream_end_event_initialize(&ev);
    if (!Emit(&ev)) return Failed();
    return out_;
  }

 private:
  static int Write(void* self, unsigned char* buf, size_t n) {
    static_cast<Dumper*>(self)->out_.append(reinterpret_cast<char*>(buf), n);
    return 1;
  }
  bool Emit(yaml_event_t* ev) { return yaml_emitter_emit(&e_, ev) != 0; }
  std::unexpected<Status> Failed() { return Err(Status::Internal(std::string("YAML emitter: ") + (e_.problem ? e_.problem : "?"))); }

  bool Scalar(const std::string& tag, const std::string& text, bool plain_implicit, bool quoted_implicit) {
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, nullptr, reinterpret_cast<const yaml_char_t*>(tag.c_str()),
                                 reinterpret_cast<const yaml_char_t*>(text.data()), int(text.size()),
                                 plain_implicit, quoted_implicit, YAML_ANY_SCALAR_STYLE);
    return Emit(&ev);
  }

  bool Value(const PyVal& v) {
    const std::string p = "tag:yaml.org,2002:";
    yaml_event_t ev;
    switch (v.type) {
      case PyVal::kNull: return Scalar(p + "null", "null", true, false);
      case PyVal::kBool: return Scalar(p + "bool", v.b ? "true" : "false", true, false);
      case PyVal::kInt: return Scalar(p + "int", std::to_string(v.i), true, false);
      case PyVal::kFloat: return Scalar(p + "float", FloatText(v.f), true, false);
      case PyVal::kDate: return Scalar(p + "timestamp", v.s, true, false);
      case PyVal::kStr: return Scalar(p + "str", v.s, Resolve(v.s) == Implicit::kNone, true);
      case PyVal::kList:
        yaml_sequence_start_event_initialize(&ev, nullptr, nullptr, 1, YAML_BLOCK_SEQUENCE_STYLE);
        if (!Emit(&ev)) return false;
        for (const auto& item : v.items) if (!Value(item)) return false;
        yaml_sequence_end_event_initialize(&ev);
        return Emit(&ev);
      case PyVal::kMap:
        yaml_mapping_start_event_initialize(&ev, nullptr, nullptr, 1, YAML_BLOCK_MAPPING_STYLE);
        if (!Emit(&ev)) return false;
        for (const auto* kv : SortedItems(v)) if (!Value(kv->first) || !Value(kv->second)) return false;
        yaml_mapping_end_event_initialize(&ev);
        return Emit(&ev);
    }
    return false;
  }

  yaml_emitter_t e_;
  std::string out_;
};

PyVal Affinity(const std::vector<DeployRule>& rules) {
  PyVal exprs;
  exprs.type = PyVal::kList;
  for (const auto& r : rules) {
    PyVal m;
    m.type = PyVal::kMap;
    PyVal values;
    values.type = PyVal::kList;
    values.items.push_back(PyVal::Str("true"));
    m.map.emplace_back(PyVal::Str("operator"), PyVal::Str(r.in ? "In" : "NotIn"));
    m.map.emplace_back(PyVal::Str("key"), PyVal::Str(r.label));
    m.map.emplace_back(PyVal::Str("values"), std::move(values));
    exprs.items.push_back(std::move(m));
  }
  auto wrap = [](const std::string& key, PyVal v) {
    PyVal m;
    m.type = PyVal::kMap;
    m.map.emplace_back(PyVal::Str(key), std::move(v));
    return m;
  };
  PyVal terms;
  terms.type = PyVal::kList;
  terms.items.push_back(wrap("matchExpressions", std::move(exprs)));
  return wrap("nodeAffinity", wrap("requiredDuringSchedulingIgnoredDuringExecution",
                                   wrap("nodeSelectorTerms", std::move(terms))));
}

}  // namespace

bool PaictlPostProcesses(const std::string& file_name) {
  return file_name.find("yaml") != std::string::npos && file_name.find("delete") == std::string::npos;
}

Result<std::string> PaictlDeployRules(std::string_view rendered, const std::vector<DeployRule>& rules,
                                      const std::string& file_name) {
  auto fail = [&](const std::string& why) {
    return Err(Status::InvalidArgument(file_name + ": " + why + " (deploy-rules-output: paictl)"));
  };
  auto doc = Loader(rendered).Load();
  if (!doc) return fail(doc.error().message());
  if (!doc->has_value() || (*doc)->type != PyVal::kMap) return std::string(rendered);
  PyVal& root = **doc;
  const PyVal* kind = root.Get("kind");
  static const std::vector<std::string> kWorkloads = {"DaemonSet", "Deployment", "StatefulSet", "Pod"};
  if (!kind || kind->type != PyVal::kStr || std::find(kWorkloads.begin(), kWorkloads.end(), kind->s) == kWorkloads.end()) {
    return std::string(rendered);
  }
  if (!rules.empty()) {
    PyVal* spec = root.Get("spec");
    PyVal* tmpl = spec && spec->type == PyVal::kMap ? spec->Get("template") : nullptr;
    PyVal* pod = tmpl && tmpl->type == PyVal::kMap ? tmpl->Get("spec") : nullptr;
    if (!pod || pod->type != PyVal::kMap) {
      return fail("a " + kind->s + " without a map at spec.template.spec; paictl failed here (KeyError)");
    }
    PyVal* affinity = pod->Get("affinity");
    if (affinity) *affinity = Affinity(rules);
    else pod->map.emplace_back(PyVal::Str("affinity"), Affinity(rules));
  }
  auto out = Dumper().Dump(root);
  if (!out) return fail(out.error().message());
  return out;
}

}  // namespace paiplan::kube
