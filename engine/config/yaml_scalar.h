// How a plain (unquoted, untagged) YAML scalar becomes a JSON value, exactly
// as PyYAML's SafeLoader (OpenPAI's loader, YAML 1.1) resolves it, so a
// template sees the same types paictl gave it: `0755` is 493, `1:30` is 90,
// `1_000` is 1000, `yes`/`off` are booleans, but `0o17`, `08`, `1e3` and `y`
// stay strings. Timestamps stay strings (JSON has no date type).
//
// Thread-safety: pure function.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace paiplan::config {

// null, bool, integer, float or (otherwise) the string itself.
nlohmann::ordered_json ResolvePlainScalar(const std::string& s);

}  // namespace paiplan::config
