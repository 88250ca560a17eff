// Reporter: what the operator sees while an apply runs. A line per action
// start and end (with elapsed time), and on a TTY a live status line.
//
// Thread-safety: called from the executor's coordinator thread only.
#pragma once

#include <ostream>
#include <string>

#include "engine/plan/model.h"

namespace paiplan::apply {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Started(const plan::Action& a) = 0;
  virtual void Finished(const plan::Action& a, bool ok, double seconds, const std::string& error) = 0;
  virtual void Skipped(const plan::Action& a, const std::string& because_of) = 0;
  virtual void Retrying(const plan::Action& a, int attempt, const std::string& error) = 0;
  // Live counts; a TTY reporter redraws its status line.
  virtual void Progress(int done, int failed, int skipped, int running, int total) = 0;
  // An interrupt: `now` false for the first (running actions may finish),
  // true for the second (they are being stopped). `longest_s`: how long the
  // longest running action has run. Default: says nothing.
  virtual void Stopping(int running, double longest_s, bool now) {
    (void)running, (void)longest_s, (void)now;
  }
  // A line about the run as a whole (a rolling batch passed, failed, the
  // roll halted). Default: says nothing.
  virtual void Note(const std::string& line) { (void)line; }
};

class TextReporter : public Reporter {
 public:
  TextReporter(std::ostream& out, bool color, bool tty) : out_(out), color_(color), tty_(tty) {}
  void Started(const plan::Action& a) override;
  void Finished(const plan::Action& a, bool ok, double seconds, const std::string& error) override;
  void Skipped(const plan::Action& a, const std::string& because_of) override;
  void Retrying(const plan::Action& a, int attempt, const std::string& error) override;
  void Progress(int done, int failed, int skipped, int running, int total) override;
  // "stopping: N actions still running, the longest for 12 s; Ctrl-C again to stop them now"
  void Stopping(int running, double longest_s, bool now) override;
  void Note(const std::string& line) override;

 private:
  void ClearStatus();
  std::ostream& out_;
  bool color_, tty_;
  bool status_shown_ = false;
};

}  // namespace paiplan::apply
