// Limits of one YAML input file (docs/security.md): a hostile workspace must
// get a clear error with file:line and the limit, never exhaust memory
// ("billion laughs": a few aliases expanding to billions of nodes) or
// overflow the stack (deep nesting).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/base/diagnostics.h"

namespace paiplan::config {

inline constexpr size_t kMaxYamlBytes = size_t{64} << 20;  // one file: 64 MiB
// Nodes once every alias is expanded (a 10,000-machine layout is ~300,000).
inline constexpr uint64_t kMaxYamlNodes = 10'000'000;
// Nesting of maps and lists (the libyaml reader's own limit).
inline constexpr size_t kMaxYamlDepth = 200;

// Size check only (cheap): false, with an error at file:1, when `text` is
// larger than kMaxYamlBytes.
bool CheckYamlSize(const std::string& text, const std::string& display, Diagnostics* diags);

// Scans `text`'s events (no value is built): false, with an error at the
// line and column where a limit is crossed, when alias expansion exceeds
// kMaxYamlNodes or nesting exceeds kMaxYamlDepth. A syntax error ends the
// scan with true: the readers report it.
bool CheckYamlBudget(const std::string& text, const std::string& display, Diagnostics* diags);

}  // namespace paiplan::config
