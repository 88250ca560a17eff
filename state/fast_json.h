// FastParseJson: a quick parser for the compact JSON that paiplan itself
// writes for records (nlohmann's dump: sorted keys, no whitespace), about
// twice as fast as nlohmann's general parser because it builds values in
// place and copies each string once. It declines (returns false) on anything
// outside its fast path — escapes or non-ASCII bytes in strings (UTF-8
// validation is left to nlohmann), unsorted or duplicate keys, floats,
// numbers that do not fit — and on invalid input; the caller then uses
// nlohmann::json::parse, which stays the reference for validity and results.
// When it returns true, `out` equals nlohmann::json::parse(text).
//
// Thread-safety: stateless; safe from any thread.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace paiplan::state {

bool FastParseJson(std::string_view text, nlohmann::json* out);

}  // namespace paiplan::state
