#include "engine/base/json_errors.h"

namespace paiplan {
namespace {

// The library's message without its "[json.exception.KIND.ID] " prefix.
std::string Bare(const char* what) {
  std::string s = what;
  if (s.starts_with("[json.exception.")) {
    size_t end = s.find("] ");
    if (end != std::string::npos) s = s.substr(end + 2);
  }
  return s;
}

}  // namespace

std::string JsonErrorText(const nlohmann::json::exception& e) {
  std::string m = Bare(e.what());
  switch (e.id) {
    case 403: {  // key 'X' not found
      size_t a = m.find('\''), b = m.rfind('\'');
      if (a != std::string::npos && b > a) return "the field \"" + m.substr(a + 1, b - a - 1) + "\" is missing";
      return "a required field is missing";
    }
    case 302:  // type must be string, but is number
      if (m.starts_with("type must be ")) return "a value has the wrong type (it must be " + m.substr(13) + ")";
      return "a value has the wrong type (" + m + ")";
    case 101:  // parse error at line 1, column 5: syntax error while parsing ...
      return "not valid JSON: " + (m.starts_with("parse error ") ? m.substr(12) : m);
    default:
      return m;
  }
}

}  // namespace paiplan
