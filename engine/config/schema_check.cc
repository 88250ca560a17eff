#include "engine/config/schema_check.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <map>
#include <memory>
#include <regex>
#include <set>

#include "engine/base/check.h"
#include "engine/config/embedded_schemas.h"

namespace paiplan::config {
namespace {

struct CompiledSchema {
  nlohmann::json doc;
  valijson::Schema schema;
};

const CompiledSchema& GetSchema(const std::string& name) {
  static std::map<std::string, std::unique_ptr<CompiledSchema>> cache;
  auto& slot = cache[name];
  if (!slot) {
    const auto& all = EmbeddedSchemas();
    auto it = all.find(name);
    PP_CHECK(it != all.end());
    slot = std::make_unique<CompiledSchema>();
    slot->doc = nlohmann::json::parse(it->second);
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(slot->doc);
    parser.populateSchema(adapter, slot->schema);
  }
  return *slot;
}

std::string TypeName(const ojson& v) {
  switch (v.type()) {
    case ojson::value_t::null: return "null";
    case ojson::value_t::boolean: return "boolean";
    case ojson::value_t::number_integer:
    case ojson::value_t::number_unsigned: return "integer";
    case ojson::value_t::number_float: return "number";
    case ojson::value_t::string: return "string";
    case ojson::value_t::array: return "list";
    case ojson::value_t::object: return "map";
    default: return "value";
  }
}

std::string Snippet(const ojson& v) {
  if (v.is_object()) return "a map";
  if (v.is_array()) return "a list";
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return TypeName(v) + " " + s;
}

// The subschema that applies at `tokens` (follows properties, items,
// additionalProperties and local $ref); null if unknown.
const nlohmann::json* SchemaAt(const nlohmann::json& root, const std::vector<std::string>& tokens) {
  const nlohmann::json* cur = &root;
  auto deref = [&](const nlohmann::json* s) {
    for (int i = 0; i < 8 && s && s->is_object() && s->contains("$ref"); ++i) {
      std::string ref = (*s)["$ref"].get<std::string>();
      if (ref.rfind("#/", 0) != 0) return s;
      s = &root.at(nlohmann::json::json_pointer(ref.substr(1)));
    }
    return s;
  };
  cur = deref(cur);
  for (const auto& t : tokens) {
    if (!cur || !cur->is_object()) return nullptr;
    const nlohmann::json* next = nullptr;
    if (cur->contains("properties") && (*cur)["properties"].contains(t)) next = &(*cur)["properties"][t];
    else if (cur->contains("items") && (*cur)["items"].is_object()) next = &(*cur)["items"];
    else if (cur->contains("additionalProperties") && (*cur)["additionalProperties"].is_object())
      next = &(*cur)["additionalProperties"];
    cur = deref(next);
  }
  return cur;
}

std::string Expected(const nlohmann::json* sub) {
  if (!sub || !sub->is_object()) return "";
  if (sub->contains("enum")) {
    std::string s;
    for (const auto& e : (*sub)["enum"]) s += (s.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
    return "one of: " + s;
  }
  if (!sub->contains("type")) return "";
  const auto& t = (*sub)["type"];
  auto name = [](const std::string& n) {
    return n == "object" ? "a map" : n == "array" ? "a list" : n == "integer" ? "an integer" : "a " + n;
  };
  if (t.is_string()) return name(t.get<std::string>());
  std::string s;
  for (const auto& e : t) s += (s.empty() ? "" : " or ") + name(e.get<std::string>());
  return s;
}

std::string ExtractQuoted(const std::string& s) {
  auto e = s.rfind('\'');
  if (e == std::string::npos || e == 0) return "";
  auto b = s.rfind('\'', e - 1);
  if (b == std::string::npos) return "";
  return s.substr(b + 1, e - b - 1);
}

std::string AllowedKeys(const nlohmann::json* sub) {
  if (!sub || !sub->contains("properties")) return "";
  std::string s;
  for (auto it = (*sub)["properties"].begin(); it != (*sub)["properties"].end(); ++it)
    s += (s.empty() ? "" : ", ") + it.key();
  return s;
}

std::string Num(const nlohmann::json& v) {
  if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>())))
    return std::to_string(static_cast<int64_t>(v.get<double>()));
  return v.dump();
}

// "between 1 and 65535", "at least 1", "greater than 0" from a number schema.
std::string Range(const nlohmann::json* sub) {
  if (!sub || !sub->is_object()) return "";
  std::string lo, hi;
  if (sub->contains("minimum")) lo = Num((*sub)["minimum"]);
  if (sub->contains("maximum")) hi = Num((*sub)["maximum"]);
  if (!lo.empty() && !hi.empty()) return "between " + lo + " and " + hi;
  if (!lo.empty()) return "at least " + lo;
  if (!hi.empty()) return "at most " + hi;
  if (sub->contains("exclusiveMinimum")) return "greater than " + Num((*sub)["exclusiveMinimum"]);
  return "";
}

int64_t IntField(const nlohmann::json* sub, const char* key) {
  return sub && sub->is_object() && sub->contains(key) ? (*sub)[key].get<int64_t>() : -1;
}

struct Message {
  std::string text;
  std::string hint;
  bool key_loc = false;
  std::string child_ptr;
};

// Turns one valijson error into a sentence and a hint. The schema's
// "description" of the value, when present, is the hint: it says what is allowed.
Message Describe(const std::string& d, const std::string& ptr, const ojson& here, const nlohmann::json* sub) {
  Message m;
  m.child_ptr = ptr;
  std::string where = ptr.empty() ? "" : PointerToDotted(ptr) + ": ";
  bool described = sub && sub->is_object() && sub->contains("description");
  if (d.find("could not be validated using 'properties' or 'additionalProperties'") != std::string::npos ||
      d.find("additionalProperties") != std::string::npos) {
    std::string key = ExtractQuoted(d);
    m.child_ptr = ptr + "/" + key;
    m.text = where + "unknown key '" + key + "'";
    std::string allowed = AllowedKeys(sub);
    m.hint = allowed.empty() ? "remove it" : "allowed keys here: " + allowed + "; check the spelling";
    m.key_loc = true;
    return m;
  }
  if (d.find("Missing required property") != std::string::npos) {
    m.text = where + "missing required key '" + ExtractQuoted(d) + "'";
    m.hint = "add '" + ExtractQuoted(d) + ":' to this entry";
    return m;
  }
  if (d.find("'type' constraint") != std::string::npos || d.find("enum") != std::string::npos) {
    std::string exp = Expected(sub);
    m.key_loc = !ptr.empty() && (here.is_object() || here.is_array());  // a block value starts a line below
    m.text = where + "expected " + (exp.empty() ? "another type" : exp) + ", found " + Snippet(here);
    m.hint = exp.empty() ? "change this value" : "change this value to " + exp;
    if (exp.find("a string") != std::string::npos && (here.is_number() || here.is_boolean())) {
      m.hint = std::string("put the value in quotes to make it a string (YAML reads it as ") +
               (here.is_boolean() ? "a boolean" : here.is_number_float() ? "a number" : "an integer") + ")";
    }
    if (described) m.hint += "; " + (*sub)["description"].get<std::string>();
    return m;
  } else if (d.rfind("Expected number", 0) == 0) {
    std::string range = Range(sub);
    m.text = where + Snippet(here) + " is out of range" + (range.empty() ? "" : ": it must be " + range);
    m.hint = range.empty() ? "change this value" : "use a value " + range;
  } else if (d.rfind("String should be no fewer", 0) == 0) {
    int64_t n = IntField(sub, "minLength");
    m.text = where + (here.is_string() && here.get<std::string>().empty()
                          ? std::string("must not be empty")
                          : "is too short (at least " + std::to_string(n) + " characters)");
    m.hint = "give it a value, or remove the key if it is optional";
  } else if (d.rfind("String should be no more", 0) == 0) {
    size_t len = here.is_string() ? here.get<std::string>().size() : 0;
    m.text = where + "value is " + std::to_string(len) + " characters long; at most " +
             std::to_string(IntField(sub, "maxLength")) + " are allowed";
    m.hint = "shorten it (a long text belongs in a service's config, not here)";
  } else if (d.find("regex") != std::string::npos) {
    m.text = where + Snippet(here) + " is not allowed here";
    m.hint = sub && sub->contains("pattern") ? "it must match " + (*sub)["pattern"].get<std::string>()
                                             : "change this value";
  } else if (d.rfind("Array should contain no fewer", 0) == 0) {
    m.text = where + "needs at least " + std::to_string(IntField(sub, "minItems")) + " item(s), found " +
             std::to_string(here.is_array() ? here.size() : 0);
    m.hint = "add the missing entries";
  } else if (d.rfind("Object should have", 0) == 0) {
    m.text = where + "has " + std::to_string(here.is_object() ? here.size() : 0) + " key(s); expected " +
             (IntField(sub, "minProperties") == IntField(sub, "maxProperties")
                  ? "exactly " + std::to_string(IntField(sub, "minProperties"))
                  : "at least " + std::to_string(std::max<int64_t>(IntField(sub, "minProperties"), 0)));
    m.hint = "change this entry";
  } else {
    m.text = where + d + " (found " + Snippet(here) + ")";
    m.hint = "change this value";
  }
  if (described) m.hint = (*sub)["description"].get<std::string>();
  return m;
}

// valijson reports a failed propertyNames constraint without any error
// text, so keys are checked against it here (only on the failure path).
void ReportPropertyNames(const ojson& v, const nlohmann::json& root, const std::vector<std::string>& tokens,
                         std::vector<std::pair<std::string, std::string>>* out) {
  const nlohmann::json* sub = SchemaAt(root, tokens);
  if (!sub || !sub->is_object()) return;
  std::string ptr;
  for (const auto& t : tokens) ptr += "/" + t;
  if (v.is_object() && sub->contains("propertyNames") && (*sub)["propertyNames"].contains("pattern")) {
    const auto& pn = (*sub)["propertyNames"];
    std::regex re(pn["pattern"].get<std::string>());
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (std::regex_search(it.key(), re)) continue;
      std::string hint = pn.contains("description") ? pn["description"].get<std::string>()
                                                    : "it must match " + pn["pattern"].get<std::string>();
      out->push_back({ptr + "/" + it.key(), "key '" + it.key() + "' is not allowed here|" + hint});
    }
  }
  if (v.is_object() || v.is_array()) {
    size_t i = 0;
    for (auto it = v.begin(); it != v.end(); ++it, ++i) {
      auto next = tokens;
      next.push_back(v.is_object() ? it.key() : std::to_string(i));
      ReportPropertyNames(it.value(), root, next, out);
    }
  }
}

}  // namespace

bool CheckSchema(const YamlFile& file, const std::string& schema_name, LocationFinder* finder,
                 Diagnostics* diags) {
  const CompiledSchema& cs = GetSchema(schema_name);
  nlohmann::json plain = file.value;  // valijson's adapter takes nlohmann::json
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(plain);
  if (validator.validate(cs.schema, target, &results)) return true;

  size_t before = diags->items().size();
  std::set<std::string> seen;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    const std::string& d = e.description;
    if (d.rfind("Failed to validate", 0) == 0) continue;  // summary of a nested error
    std::string ptr;
    std::vector<std::string> tokens;
    for (size_t i = 1; i < e.context.size(); ++i) {
      std::string tok = e.context[i].substr(1, e.context[i].size() - 2);
      tokens.push_back(tok);
      ptr += "/" + tok;
    }
    const ojson* here = &file.value;
    for (const auto& t : tokens) {
      if (here->is_object() && here->contains(t)) here = &(*here)[t];
      else if (here->is_array()) here = &(*here)[std::stoul(t)];
    }
    Message m = Describe(d, ptr, *here, SchemaAt(cs.doc, tokens));
    if (!seen.insert(m.child_ptr + "|" + m.text).second) continue;
    diags->Error(finder->Find(file.path, file.display, m.child_ptr, m.key_loc), m.text, m.hint);
  }
  if (diags->items().size() == before) {
    std::vector<std::pair<std::string, std::string>> bad;
    ReportPropertyNames(file.value, cs.doc, {}, &bad);
    for (const auto& [ptr, text] : bad) {
      auto bar = text.find('|');
      std::string parent = ptr.substr(0, ptr.rfind('/'));
      diags->Error(finder->Find(file.path, file.display, ptr, true),
                   (parent.empty() ? "" : PointerToDotted(parent) + ": ") + text.substr(0, bar),
                   text.substr(bar + 1));
    }
  }
  if (diags->items().size() == before) {  // never fail without saying why
    diags->Error({file.display, 1, 1}, "the file does not match schemas/" + schema_name,
                 "compare it with schemas/" + schema_name + " and examples/cluster");
  }
  return false;
}

}  // namespace paiplan::config
