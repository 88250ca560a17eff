// Diagnostics: every problem a run found (config, plan, apply), each with a
// source location or a resource address, so one run reports everything at
// once instead of stopping at the first error (Terraform's tfdiags).
//
// Thread-safety: not thread-safe; owned by one coordinator.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace paiplan {

struct SourceLoc {
  std::string file;  // path as shown to the user (relative to the workspace when inside it)
  int line = 0;      // 1-based; 0 = unknown
  int column = 0;    // 1-based; 0 = unknown
  std::string ToString() const;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string address;  // resource address, when the problem is about one
  std::string message;  // what is wrong
  std::string hint;     // what to do (optional)
};

class Diagnostics {
 public:
  void Error(SourceLoc loc, std::string message, std::string hint = "");
  void Warning(SourceLoc loc, std::string message, std::string hint = "");
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Append(const Diagnostics& other);

  bool HasErrors() const;
  size_t ErrorCount() const;
  size_t WarningCount() const;
  const std::vector<Diagnostic>& items() const { return items_; }

  // Sorts errors before warnings, then by file, line, column, message (stable
  // output whatever order checks ran in).
  void Sort();
  // "error: FILE:LINE:COL: MESSAGE\n  hint: HINT\n" per item.
  void Print(std::ostream& out, bool color) const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace paiplan
