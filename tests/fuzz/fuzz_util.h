// Helpers shared by the libFuzzer targets in this directory.
//
// Each target feeds one of paiplan's parsers with bytes it never chose. The
// contract under test is the one every header states: a bad input is an
// error value (Status, Diagnostics), never a crash, a hang, a leak or
// undefined behaviour. The sanitizers (ASan, UBSan) and libFuzzer's own
// limits (-timeout, -rss_limit_mb) turn any breach into a reported crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace paiplan::fuzz {

// Splits the input at the first NUL byte: (before, after). Without a NUL the
// whole input is `before` and `after` is empty. Targets that take two inputs
// (a template and its context) use it; the dictionaries hold "\x00".
inline std::pair<std::string_view, std::string_view> SplitAtNul(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t nul = all.find('\0');
  if (nul == std::string_view::npos) return {all, {}};
  return {all.substr(0, nul), all.substr(nul + 1)};
}

inline std::string AsString(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace paiplan::fuzz
