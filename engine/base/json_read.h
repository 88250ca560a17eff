// Reading JSON that came from outside (API server answers, pods, events):
// a member that is missing or of another type gives an empty value, never an
// exception. nlohmann::json's value() and get() throw type_error on a
// non-object or a member of the wrong type, which on a worker thread would
// end the process (found by tests/fuzz/kube_response_fuzz).
//
// Thread-safety: stateless; safe from any thread. Never fails.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace paiplan::json_read {

// The member `key` of `j`, or null when `j` is not an object or lacks it.
inline const nlohmann::json& Field(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

// The member `key` when it is an object (or array), else an empty one.
inline const nlohmann::json& Object(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json& f = Field(j, key);
  return f.is_object() ? f : kEmpty;
}
inline const nlohmann::json& Array(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const nlohmann::json& f = Field(j, key);
  return f.is_array() ? f : kEmpty;
}

inline std::string String(const nlohmann::json& j, const char* key, const std::string& def = "") {
  const nlohmann::json& f = Field(j, key);
  return f.is_string() ? f.get<std::string>() : def;
}

inline long Int(const nlohmann::json& j, const char* key, long def = 0) {
  const nlohmann::json& f = Field(j, key);
  return f.is_number_integer() ? f.get<long>() : def;
}

inline bool Bool(const nlohmann::json& j, const char* key, bool def = false) {
  const nlohmann::json& f = Field(j, key);
  return f.is_boolean() ? f.get<bool>() : def;
}

// The string members of an object (labels, annotations); others are skipped.
inline std::map<std::string, std::string> StringMap(const nlohmann::json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

}  // namespace paiplan::json_read
