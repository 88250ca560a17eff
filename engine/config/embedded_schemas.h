// The JSON Schemas of schemas/*.json, compiled into the binary by CMake
// (see CMakeLists.txt) so validation never depends on where paiplan is installed.
#pragma once

#include <map>
#include <string>

namespace paiplan::config {

// File name (e.g. "layout.schema.json") → schema text.
const std::map<std::string, std::string>& EmbeddedSchemas();

}  // namespace paiplan::config
