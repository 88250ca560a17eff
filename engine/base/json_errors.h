// nlohmann::json's exceptions in words a user can act on: its what() text
// ("[json.exception.out_of_range.403] key 'operation' not found") names the
// library, not the problem. Adapters that catch them use this.
//
// Thread-safety: stateless; safe from any thread. Never fails.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace paiplan {

// "the field \"operation\" is missing", "a value has the wrong type (it must
// be a string, but is a number)", "not valid JSON at byte 17: ...".
std::string JsonErrorText(const nlohmann::json::exception& e);

}  // namespace paiplan
