#include "engine/apply/json_events.h"

#include <errno.h>
#include <unistd.h>

#include <cmath>

#include "engine/plan/attr_diff.h"

namespace paiplan::apply {
namespace {

void MaskStrings(nlohmann::ordered_json& v, const std::vector<std::string>& secrets) {
  if (v.is_string()) {
    v = plan::MaskSecrets(v.get<std::string>(), secrets);
  } else if (v.is_structured()) {
    for (auto& x : v) MaskStrings(x, secrets);
  }
}

double Rounded(double seconds) { return std::round(seconds * 1000) / 1000; }

nlohmann::ordered_json Subject(const plan::Action& a) {
  return {{"address", a.address}, {"action", plan::ActionName(a.type)}};
}

}  // namespace

EventStream::EventStream(int fd, std::vector<std::string> secrets, std::function<std::string()> now)
    : fd_(fd), secrets_(std::move(secrets)), now_(std::move(now)) {}

void EventStream::Emit(const std::string& type, const nlohmann::ordered_json& fields) {
  nlohmann::ordered_json line = {{"format_version", kEventsFormatVersion}, {"type", type}, {"timestamp", now_()}};
  for (const auto& [k, v] : fields.items()) line[k] = v;
  MaskStrings(line, secrets_);
  // Invalid UTF-8 (a script's output in an error) is replaced, never thrown.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> l(mu_);
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd_, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += size_t(n);
  }
}

void EmitPlanned(EventStream& stream, const plan::Plan& p) {
  for (const auto& a : p.actions) {
    if (a.type == plan::ActionType::kNoOp) continue;
    nlohmann::ordered_json f = Subject(a);
    f["reason"] = a.reason;
    f["depends_on"] = a.depends_on;
    stream.Emit("planned", f);
  }
}

void JsonReporter::Started(const plan::Action& a) { stream_.Emit("started", Subject(a)); }

void JsonReporter::Finished(const plan::Action& a, bool ok, double seconds, const std::string& error) {
  nlohmann::ordered_json f = Subject(a);
  f["elapsed_seconds"] = Rounded(seconds);
  if (ok) {
    stream_.Emit("completed", f);
    return;
  }
  f["outcome"] = "failed";
  f["error"] = error;
  stream_.Emit("errored", f);
}

void JsonReporter::Skipped(const plan::Action& a, const std::string& because_of) {
  nlohmann::ordered_json f = Subject(a);
  f["outcome"] = "skipped";
  f["error"] = "skipped: upstream " + because_of + " failed";
  f["because_of"] = because_of;
  stream_.Emit("errored", f);
}

void JsonReporter::Retrying(const plan::Action& a, int attempt, const std::string& error) {
  nlohmann::ordered_json f = Subject(a);
  f["retry"] = {{"attempt", attempt}, {"error", error}};
  stream_.Emit("progress", f);
}

void JsonReporter::Progress(int done, int failed, int skipped, int running, int total) {
  std::vector<int> now = {done, failed, skipped, running, total};
  if (now == last_) return;
  last_ = now;
  stream_.Emit("progress", {{"done", done}, {"failed", failed}, {"skipped", skipped}, {"running", running}, {"total", total}});
}

}  // namespace paiplan::apply
