#include "engine/base/duration.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace paiplan {

std::optional<double> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  double total = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start || i - start > 12) return std::nullopt;
    double n;
    size_t used = 0;
    try {
      n = std::stod(text.substr(start, i - start), &used);
    } catch (...) {
      return std::nullopt;
    }
    if (used != i - start) return std::nullopt;  // "1.2.3"
    size_t u = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(u, i - u);
    double scale = unit == "ms" ? 0.001 : unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
    if (unit.empty()) {
      if (start != 0 || i != text.size()) return std::nullopt;  // "90" alone: seconds
      scale = 1;
    }
    if (scale < 0) return std::nullopt;
    total += n * scale;
  }
  if (!std::isfinite(total) || total > 365.0 * 24 * 3600) return std::nullopt;
  return total;
}

std::string FormatDuration(double seconds) {
  long s = std::lround(seconds);
  if (s == 0) return "0s";
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h", s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "m", s %= 60;
  if (s > 0) out += std::to_string(s) + "s";
  return out;
}

std::optional<double> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  char zone = 0;
  int frac = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &zone) != 7) {
    return std::nullopt;
  }
  if (zone == '.') {
    size_t z = text.find_first_not_of("0123456789", 20);
    frac = z != std::string::npos && text[z] == 'Z' && z + 1 == text.size();
    if (!frac) return std::nullopt;
  } else if (zone != 'Z' || text.size() != 20) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return double(timegm(&tm));
}

}  // namespace paiplan
