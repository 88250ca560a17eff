#include "engine/config/schema_check.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <map>
#include <memory>
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

}  // namespace

bool CheckSchema(const YamlFile& file, const std::string& schema_name, LocationFinder* finder,
                 Diagnostics* diags) {
  const CompiledSchema& cs = GetSchema(schema_name);
  nlohmann::json plain = file.value;  // valijson's adapter takes nlohmann::json
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(plain);
  if (validator.validate(cs.schema, target, &results)) return true;

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
    const nlohmann::json* sub = SchemaAt(cs.doc, tokens);
    std::string where = ptr.empty() ? "" : PointerToDotted(ptr) + ": ";
    std::string msg, hint;
    bool key_loc = false;
    std::string child_ptr = ptr;
    if (d.find("could not be validated using 'properties' or 'additionalProperties'") != std::string::npos ||
        d.find("additionalProperties") != std::string::npos) {
      std::string key = ExtractQuoted(d);
      child_ptr = ptr + "/" + key;
      msg = where + "unknown key '" + key + "'";
      std::string allowed = AllowedKeys(sub);
      hint = allowed.empty() ? "remove it" : "allowed keys here: " + allowed + "; check the spelling";
      key_loc = true;
    } else if (d.find("Missing required property") != std::string::npos) {
      msg = where + "missing required key '" + ExtractQuoted(d) + "'";
      hint = "add '" + ExtractQuoted(d) + ":' to this entry";
    } else if (d.find("'type' constraint") != std::string::npos || d.find("enum") != std::string::npos) {
      std::string exp = Expected(sub);
      msg = where + "expected " + (exp.empty() ? "another type" : exp) + ", found " + Snippet(*here);
      hint = "change this value";
    } else {
      msg = where + d + " (found " + Snippet(*here) + ")";
    }
    if (!seen.insert(child_ptr + "|" + msg).second) continue;
    SourceLoc loc = finder->Find(file.path, file.display, child_ptr, key_loc);
    diags->Error(loc, msg, hint);
  }
  return false;
}

}  // namespace paiplan::config
