// The `paiplan drift` report: one entry per recorded resource, built from
// the observations of a refresh-only plan and the expected-drift rules of
// paiplan.yaml, and written as text, JSON (engine/plan/DRIFT_FORMAT.md) or
// JUnit XML.
//
// Ignore rules match differences, not resources: a rule's `address` glob
// selects resources, its optional `attribute` glob selects differences by
// their attribute (plan::Difference). A resource whose every difference is
// ignored is "ignored"; one with any difference left is "drifted", and its
// detail names only what is left.
//
// Thread-safety: values and pure functions.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/config/workspace.h"
#include "engine/plan/planner.h"
#include "state/state_store.h"

namespace paiplan::cli {

struct DriftItem {
  std::string attribute, message;
  std::string ignore_reason;  // non-empty: an ignore rule matched it
};

struct DriftEntry {
  std::string address, kind;
  std::string status = "ok";  // ok | drifted | ignored | unobservable
  std::string detail;          // drifted: what counts; ignored: everything; unobservable: why
  std::string ignored_detail;  // drifted: the part ignore rules matched ("" when none)
  std::string ignore_reason;   // the matching rules' reasons, "; "-joined
  std::string last_applied;
  std::vector<DriftItem> differences;
};

struct DriftReport {
  std::string lineage;
  uint64_t serial = 0;
  std::vector<DriftEntry> entries;  // sorted by address
  int Count(const std::string& status) const;
};

// One entry per recorded resource of `snapshot`, with `secrets` masked.
DriftReport MakeDriftReport(const state::Snapshot& snapshot, const plan::Handlers& handlers,
                            const std::map<std::string, plan::Observation>& observed,
                            const std::vector<config::DriftIgnoreRule>& rules,
                            const std::vector<std::string>& secrets);

nlohmann::ordered_json DriftToJson(const DriftReport& report);
void PrintDriftText(const DriftReport& report, std::ostream& out);
// Fails like fs::WriteFileAtomic (IOError naming the path).
Status WriteDriftJunit(const DriftReport& report, const std::string& path);

}  // namespace paiplan::cli
