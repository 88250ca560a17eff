// The machine-readable apply stream (`apply --json`, `destroy --json`): one
// JSON object per line, documented in docs/apply-json.md.
//
// Every line is {"format_version": "1.0", "type": T, "timestamp": RFC 3339,
// ...fields}; T is planned | started | progress | completed | errored |
// summary. Each line is written with a single write(2) to a descriptor of
// its own, so nothing else the process or its children print can split a
// line; every string value is masked with the secrets first.
//
// Thread-safety: EventStream::Emit may be called from any thread (a mutex
// orders the lines); JsonReporter, like every Reporter, from the executor's
// coordinator thread.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/apply/reporter.h"

namespace paiplan::apply {

inline constexpr char kEventsFormatVersion[] = "1.0";

class EventStream {
 public:
  // `fd` stays open and owned by the caller.
  EventStream(int fd, std::vector<std::string> secrets, std::function<std::string()> now);
  // Writes one line: the envelope, then `fields` in their order. A write
  // error (closed pipe) is ignored: the apply goes on and is recorded.
  void Emit(const std::string& type, const nlohmann::ordered_json& fields);
  // Secrets known only once the workspace is loaded. REQUIRES: no Emit running.
  void set_secrets(std::vector<std::string> secrets) { secrets_ = std::move(secrets); }

 private:
  int fd_;
  std::vector<std::string> secrets_;
  std::function<std::string()> now_;
  std::mutex mu_;
};

// One `planned` event per action that changes something, in plan order:
// address, action, reason, depends_on.
void EmitPlanned(EventStream& stream, const plan::Plan& plan);

class JsonReporter : public Reporter {
 public:
  explicit JsonReporter(EventStream& stream) : stream_(stream) {}
  void Started(const plan::Action& a) override;
  void Finished(const plan::Action& a, bool ok, double seconds, const std::string& error) override;
  void Skipped(const plan::Action& a, const std::string& because_of) override;
  void Retrying(const plan::Action& a, int attempt, const std::string& error) override;
  // Emitted only when a count changed since the last progress event.
  void Progress(int done, int failed, int skipped, int running, int total) override;

 private:
  EventStream& stream_;
  std::vector<int> last_;
};

}  // namespace paiplan::apply
