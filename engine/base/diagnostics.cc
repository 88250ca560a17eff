#include "engine/base/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace paiplan {

std::string SourceLoc::ToString() const {
  if (file.empty()) return "";
  std::string s = file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

void Diagnostics::Error(SourceLoc loc, std::string message, std::string hint) {
  items_.push_back({Severity::kError, std::move(loc), "", std::move(message), std::move(hint)});
}

void Diagnostics::Warning(SourceLoc loc, std::string message, std::string hint) {
  items_.push_back({Severity::kWarning, std::move(loc), "", std::move(message), std::move(hint)});
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasErrors() const { return ErrorCount() > 0; }

size_t Diagnostics::ErrorCount() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

size_t Diagnostics::WarningCount() const { return items_.size() - ErrorCount(); }

void Diagnostics::Sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.severity, a.loc.file, a.loc.line, a.loc.column, a.address, a.message) <
           std::tie(b.severity, b.loc.file, b.loc.line, b.loc.column, b.address, b.message);
  });
}

void Diagnostics::Print(std::ostream& out, bool color) const {
  for (const auto& d : items_) {
    bool err = d.severity == Severity::kError;
    if (color) out << (err ? "\033[1;31m" : "\033[1;33m");
    out << (err ? "error" : "warning");
    if (color) out << "\033[0m";
    out << ": ";
    std::string where = d.loc.ToString();
    if (!where.empty()) out << where << ": ";
    if (!d.address.empty()) out << d.address << ": ";
    out << d.message << "\n";
    if (!d.hint.empty()) out << "  hint: " << d.hint << "\n";
  }
}

}  // namespace paiplan
