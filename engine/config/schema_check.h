// JSON Schema (draft-07) validation of input files with valijson, turned into
// diagnostics an operator can act on: file:line:column of the offending key
// or value, the key path, what was expected and what was found.
//
// Thread-safety: CheckSchema may be called from one thread at a time.
#pragma once

#include <string>

#include "engine/base/diagnostics.h"
#include "engine/config/yaml_doc.h"

namespace paiplan::config {

// Validates `file.value` against schemas/<schema_name>. Returns true when valid.
bool CheckSchema(const YamlFile& file, const std::string& schema_name, LocationFinder* finder,
                 Diagnostics* diags);

}  // namespace paiplan::config
