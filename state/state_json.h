// The state as one JSON document: what `paiplan state pull` prints and
// `paiplan state push FILE` reads (state/FORMAT.md):
//   {"format_version": 1, "lineage": "<uuid>", "serial": N,
//    "resources": {"ADDRESS": {...record...}, ...}}
// Keys are sorted (nlohmann's object is ordered), so output is deterministic.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"
#include "state/state_store.h"

namespace paiplan::state {

// Version of the pull/push document (independent of any backend's on-disk format).
inline constexpr int kStateDocumentVersion = 1;

nlohmann::json SnapshotToJson(const Snapshot& snapshot);

// Fails: InvalidArgument starting with `source_name` (e.g. the file name) that
// says which field is wrong: not an object, missing/unsupported format_version,
// missing or non-string lineage, serial not a non-negative integer, resources
// not an object, a record not an object, an address empty or too long.
Result<Snapshot> SnapshotFromJson(const nlohmann::json& doc, std::string source_name);

// Parses `text` first. Fails: InvalidArgument "SOURCE: not valid JSON: ..." or
// SnapshotFromJson's errors.
Result<Snapshot> SnapshotFromText(std::string_view text, std::string source_name);

}  // namespace paiplan::state
