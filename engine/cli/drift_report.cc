#include "engine/cli/drift_report.h"

#include <fnmatch.h>

#include <algorithm>

#include "engine/base/fs.h"
#include "engine/plan/attr_diff.h"
#include "engine/plan/handlers.h"

namespace paiplan::cli {
namespace {

std::string XmlEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

bool Glob(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

// The first rule matching this difference of `address`, or null. A rule
// without an attribute matches every difference; one with an attribute
// never matches an unstructured difference (attribute "").
const config::DriftIgnoreRule* MatchRule(const std::vector<config::DriftIgnoreRule>& rules,
                                         const std::string& address, const plan::Difference& d) {
  for (const auto& r : rules) {
    if (!Glob(r.address, address)) continue;
    if (!r.attribute.empty() && (d.attribute.empty() || !Glob(r.attribute, d.attribute))) continue;
    return &r;
  }
  return nullptr;
}

// A recorded apply error for the drift report: its whole first line and the
// log path, without the output tail between them (never cut mid-word).
std::string ErrorSummary(const std::string& error) {
  std::string first = error.substr(0, error.find('\n'));
  const std::string tail = "; last output:";  // its lines are in the log
  if (first.ends_with(tail)) first.resize(first.size() - tail.size());
  size_t log = error.rfind("\nfull log: ");
  if (log != std::string::npos) {
    std::string path = error.substr(log + 1);
    path = path.substr(0, path.find('\n'));
    first += "; " + path;
  }
  return first;
}

// The resource's differences: a failed last apply, or what the handler sees.
std::vector<plan::Difference> DifferencesOf(const state::ResourceRecord& rec, const plan::Observation* obs,
                                            const plan::ResourceHandler& h) {
  if (rec.value("last_outcome", "success") == "failed") {
    return {{"last_outcome", "last apply failed: " + ErrorSummary(rec.value("error", std::string("?")))}};
  }
  if (obs == nullptr || !obs->observed) return {};
  return h.Differences(rec, *obs);
}

// Splits `diffs` into what counts and what rules ignore, and words both.
void Classify(const state::ResourceRecord& rec, const std::vector<plan::Difference>& diffs,
              const plan::ResourceHandler& h, const std::vector<config::DriftIgnoreRule>& rules,
              DriftEntry* e) {
  std::vector<plan::Difference> counted, ignored;
  std::vector<std::string> reasons;
  for (const auto& d : diffs) {
    const auto* r = MatchRule(rules, e->address, d);
    e->differences.push_back({d.attribute, d.message, r ? r->reason : ""});
    (r ? ignored : counted).push_back(d);
    if (r && std::find(reasons.begin(), reasons.end(), r->reason) == reasons.end()) reasons.push_back(r->reason);
  }
  for (const auto& r : reasons) e->ignore_reason += (e->ignore_reason.empty() ? "" : "; ") + r;
  bool failed = !diffs.empty() && diffs[0].attribute == "last_outcome";
  auto words = [&](const std::vector<plan::Difference>& d) {
    return failed ? plan::JoinMessages(d, "; ") : h.DescribeDifferences(rec, d);
  };
  if (!counted.empty()) {
    e->status = "drifted";
    e->detail = words(counted);
    if (!ignored.empty()) e->ignored_detail = words(ignored);
  } else if (!ignored.empty()) {
    e->status = "ignored";
    e->detail = words(ignored);
  }
}

}  // namespace

int DriftReport::Count(const std::string& status) const {
  int n = 0;
  for (const auto& e : entries) n += e.status == status;
  return n;
}

DriftReport MakeDriftReport(const state::Snapshot& snap, const plan::Handlers& handlers,
                            const std::map<std::string, plan::Observation>& observed,
                            const std::vector<config::DriftIgnoreRule>& rules,
                            const std::vector<std::string>& secrets) {
  DriftReport report;
  report.lineage = snap.lineage;
  report.serial = snap.serial;
  for (const auto& [addr, rec] : snap.resources) {
    auto kind = graph::KindOfAddress(addr);
    if (!kind) continue;
    DriftEntry e;
    e.address = addr;
    e.kind = graph::KindName(*kind);
    e.last_applied = rec.value("updated_at", "");
    auto o = observed.find(addr);
    const plan::Observation* obs = o == observed.end() ? nullptr : &o->second;
    const auto& h = *handlers.at(*kind);
    auto diffs = DifferencesOf(rec, obs, h);
    if (diffs.empty() && obs && !obs->observed && !obs->error.empty()) {
      e.status = "unobservable";
      e.detail = obs->error;
    }
    Classify(rec, diffs, h, rules, &e);
    e.detail = plan::MaskSecrets(e.detail, secrets);
    e.ignored_detail = plan::MaskSecrets(e.ignored_detail, secrets);
    for (auto& d : e.differences) d.message = plan::MaskSecrets(d.message, secrets);
    report.entries.push_back(std::move(e));
  }
  return report;
}

nlohmann::ordered_json DriftToJson(const DriftReport& r) {
  using oj = nlohmann::ordered_json;
  oj j = {{"format_version", 1}, {"lineage", r.lineage}, {"serial", r.serial},
          {"checked", r.entries.size()}, {"drifted", r.Count("drifted")}, {"ignored", r.Count("ignored")},
          {"unobservable", r.Count("unobservable")}, {"resources", oj::array()}};
  for (const auto& e : r.entries) {
    if (e.status == "ok") continue;
    oj x = {{"address", e.address}, {"kind", e.kind}, {"status", e.status},
            {"detail", e.detail}, {"last_applied", e.last_applied}};
    if (!e.ignored_detail.empty()) x["ignored_detail"] = e.ignored_detail;
    if (!e.ignore_reason.empty()) x["ignore_reason"] = e.ignore_reason;
    x["differences"] = oj::array();
    for (const auto& d : e.differences) {
      oj y = {{"attribute", d.attribute}, {"message", d.message}, {"ignored", !d.ignore_reason.empty()}};
      if (!d.ignore_reason.empty()) y["ignore_reason"] = d.ignore_reason;
      x["differences"].push_back(y);
    }
    j["resources"].push_back(x);
  }
  return j;
}

void PrintDriftText(const DriftReport& r, std::ostream& out) {
  for (const auto& e : r.entries) {
    if (e.status == "ok") continue;
    std::string tag = e.status == "drifted" ? "DRIFT  " : e.status == "ignored" ? "ignored" : "UNKNOWN";
    out << tag << "  " << e.address << " (" << e.kind << "): " << e.detail;
    if (e.status == "ignored") out << " — ignored: " << e.ignore_reason;
    if (!e.ignored_detail.empty()) out << " (ignored: " << e.ignored_detail << " — " << e.ignore_reason << ")";
    if (!e.last_applied.empty()) out << "  [last applied " << e.last_applied << "]";
    out << "\n";
  }
  int drifted = r.Count("drifted");
  out << "Drift: " << drifted << " drifted, " << r.Count("ignored") << " ignored, " << r.Count("unobservable")
      << " could not be observed, " << r.entries.size() << " resources checked.\n";
  if (drifted) out << "Run `paiplan plan` to see the repair, or `paiplan apply --refresh-only` to accept what is there now.\n";
}

Status WriteDriftJunit(const DriftReport& r, const std::string& path) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"paiplan drift\" tests=\"" +
                  std::to_string(r.entries.size()) + "\" failures=\"" + std::to_string(r.Count("drifted")) +
                  "\" errors=\"" + std::to_string(r.Count("unobservable")) + "\" skipped=\"" +
                  std::to_string(r.Count("ignored")) + "\">\n";
  for (const auto& e : r.entries) {
    x += "  <testcase classname=\"" + e.kind + "\" name=\"" + XmlEscape(e.address) + "\">";
    if (e.status == "drifted") x += "<failure message=\"" + XmlEscape(e.detail) + "\"/>";
    if (e.status == "unobservable") x += "<error message=\"" + XmlEscape(e.detail) + "\"/>";
    if (e.status == "ignored") {
      x += "<skipped message=\"ignored (" + XmlEscape(e.ignore_reason) + "): " + XmlEscape(e.detail) + "\"/>";
    }
    x += "</testcase>\n";
  }
  x += "</testsuite>\n</testsuites>\n";
  return fs::WriteFileAtomic(path, x, 0644);
}

}  // namespace paiplan::cli
