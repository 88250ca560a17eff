#include "engine/apply/reporter.h"

#include <cstdio>

namespace paiplan::apply {
namespace {

const char* Ing(plan::ActionType t) {
  switch (t) {
    case plan::ActionType::kCreate: return "Creating...";
    case plan::ActionType::kUpdate: return "Modifying...";
    case plan::ActionType::kReplace: return "Replacing...";
    case plan::ActionType::kDelete: return "Destroying...";
    default: return "...";
  }
}

const char* Done(plan::ActionType t) {
  switch (t) {
    case plan::ActionType::kCreate: return "Creation";
    case plan::ActionType::kUpdate: return "Modifications";
    case plan::ActionType::kReplace: return "Replacement";
    case plan::ActionType::kDelete: return "Destruction";
    default: return "Action";
  }
}

std::string Secs(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

void TextReporter::ClearStatus() {
  if (tty_ && status_shown_) {
    out_ << "\r\033[K";
    status_shown_ = false;
  }
}

void TextReporter::Started(const plan::Action& a) {
  ClearStatus();
  out_ << a.address << ": " << Ing(a.type) << "\n";
}

void TextReporter::Finished(const plan::Action& a, bool ok, double seconds, const std::string& error) {
  ClearStatus();
  if (ok) {
    out_ << a.address << ": " << Done(a.type) << " complete after " << Secs(seconds) << "\n";
  } else {
    out_ << (color_ ? "\033[1;31m" : "") << a.address << ": " << Done(a.type) << " FAILED after "
         << Secs(seconds) << (color_ ? "\033[0m" : "") << ": " << FirstLine(error) << "\n";
  }
}

void TextReporter::Skipped(const plan::Action& a, const std::string& because_of) {
  ClearStatus();
  out_ << a.address << ": skipped (upstream " << because_of << " failed)\n";
}

void TextReporter::Retrying(const plan::Action& a, int attempt, const std::string& error) {
  ClearStatus();
  out_ << a.address << ": attempt " << attempt << " failed (" << FirstLine(error) << "); retrying\n";
}

void TextReporter::Progress(int done, int failed, int skipped, int running, int total) {
  if (!tty_) return;
  ClearStatus();
  out_ << "[" << done + failed + skipped << "/" << total << "] " << done << " done, " << running
       << " running, " << failed << " failed, " << skipped << " skipped" << std::flush;
  status_shown_ = true;
}

void TextReporter::Stopping(int running, double longest_s, bool now) {
  ClearStatus();
  std::string n = std::to_string(running) + (running == 1 ? " action" : " actions");
  if (now) {
    out_ << "stopping now: " << n << " sent SIGTERM (SIGKILL if still running shortly); they are recorded as "
         << "interrupted\n" << std::flush;
    return;
  }
  out_ << "stopping: " << n << " still running, the longest for " << long(longest_s)
       << " s; Ctrl-C again to stop them now\n" << std::flush;
}

void TextReporter::Note(const std::string& line) {
  ClearStatus();
  out_ << line << "\n" << std::flush;
}

}  // namespace paiplan::apply
