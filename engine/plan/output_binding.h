// Binds the script outputs a template reads (outputs["ADDR"]["KEY"]) into
// its render context, at plan time (from the recorded outputs; a producer
// changed in this plan gives kKnownAfterApply) and at apply time (from the
// OutputRegistry, after the producers ran).
//
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"
#include "engine/plan/env.h"
#include "engine/plan/outputs.h"

namespace paiplan::plan {

enum class OutputState { kValue, kUnknown, kMissing };
struct OutputLookupResult {
  OutputState state = OutputState::kMissing;
  std::string value;
  std::string published;  // kMissing: the keys the producer did publish, ", "-joined
};
using OutputLookup = std::function<OutputLookupResult(const std::string& address, const std::string& key)>;

struct OutputBinding {
  nlohmann::ordered_json context = nlohmann::ordered_json::object();  // {address: {key: value}}
  ojson used = ojson::object();  // "ADDR[KEY]" → sha256 of the value, or kKnownAfterApply
  std::vector<std::string> producers;  // sorted, unique
  bool deferred = false;               // some value is kKnownAfterApply
};

// Fails (InvalidArgument) when a producer published, but not that key.
Result<OutputBinding> BindOutputs(const std::vector<std::pair<std::string, std::string>>& refs,
                                  const OutputLookup& lookup);

// The plan-time lookup: a producer not recorded as successful, or whose
// desired hash (`desired_hash`, "" when unknown) differs from the recorded
// one, is kUnknown.
OutputLookup PlanTimeLookup(const RecordedOutputs& recorded,
                            const std::function<std::string(const std::string&)>& desired_hash);

// The apply-time lookup over the registry (nothing is unknown any more).
OutputLookup ApplyTimeLookup(const OutputRegistry& registry);

// Whether an `outputs_used` attribute still holds kKnownAfterApply values.
bool HasDeferredOutputs(const ojson& attributes);

// "node.m1[ca_cert_hash], ..." for the entries of outputs_used that differ
// between `before` and `after` attributes; "" when none.
std::string ChangedOutputs(const ojson& before, const ojson& after);

}  // namespace paiplan::plan
