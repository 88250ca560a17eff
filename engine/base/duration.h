// Durations as operators write them (Terraform's -lock-timeout style).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

namespace paiplan {

// Parses "0", "90" (seconds), "2.5" (seconds), "500ms", "30s", "5m", "1h",
// "1m30s". nullopt when `text` is not one (empty, negative, unknown unit, more
// than a year).
std::optional<double> ParseDuration(const std::string& text);
// "5m", "1m30s", "45s", "0s": whole seconds, largest units first.
std::string FormatDuration(double seconds);
// Seconds since the epoch of an RFC 3339 UTC time ("2026-01-02T03:04:05Z",
// fractions ignored); nullopt when `text` is not one.
std::optional<double> ParseRfc3339(const std::string& text);

}  // namespace paiplan
