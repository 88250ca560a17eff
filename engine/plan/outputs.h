// Script outputs (docs/outputs.md): a role or service script
// publishes `key=value` lines in the file named by $PAIPLAN_OUTPUTS; paiplan
// records them with the action (record["outputs"]), templates of dependent
// resources read them as outputs["<address>"]["<key>"], and scripts get them
// in the environment as PAIPLAN_OUTPUT_<ADDRESS>_<KEY> (OutputEnvName).
//
// Thread-safety: OutputRegistry is safe to use from the executor's workers
// (an internal mutex); the free functions keep no state.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/status.h"
#include "state/state_store.h"

namespace paiplan::plan {

// What a template sees, at plan time, for an output its producer has not
// published yet (it is created or replaced in this plan).
inline constexpr char kKnownAfterApply[] = "(known after apply)";

using OutputValues = std::map<std::string, std::string>;           // key → value
using OutputMap = std::map<std::string, OutputValues>;             // producer address → outputs

// Parses the lines a script wrote. Empty lines and lines starting with '#'
// are skipped; a value runs to the end of the line (no quoting, kept as is).
// Fails (InvalidArgument, naming `source` and the 1-based line) on a line
// without '=' or a key that is not [A-Za-z_][A-Za-z0-9_.-]*.
Result<OutputValues> ParseOutputs(const std::string& text, const std::string& source);

// "PAIPLAN_OUTPUT_" + address and key upper-cased, every character outside
// [A-Z0-9] replaced by '_': outputs["node.master-1"]["ca_cert_hash"] →
// PAIPLAN_OUTPUT_NODE_MASTER_1_CA_CERT_HASH.
std::string OutputEnvName(const std::string& address, const std::string& key);

// The outputs a template text reads, written outputs["ADDR"]["KEY"] (single
// or double quotes, spaces allowed inside the brackets); sorted, unique.
std::vector<std::pair<std::string, std::string>> FindOutputRefs(const std::string& template_text);

// record["outputs"] of a record as a map (empty when none).
OutputValues RecordOutputs(const state::ResourceRecord& record);

// What the planner knows of outputs before it plans: the outputs and hash of
// every record that last succeeded.
struct RecordedOutputs {
  OutputMap values;                             // address → its outputs (maybe empty)
  std::map<std::string, std::string> hashes;    // address → recorded hash
  static RecordedOutputs FromSnapshot(const state::Snapshot& snapshot);
};

// The outputs known during an apply: loaded from the state, then updated by
// each action that publishes some, before its dependents start.
class OutputRegistry {
 public:
  void Load(const state::Snapshot& snapshot);
  void Set(const std::string& address, OutputValues values);
  void Erase(const std::string& address);
  // nullopt: the address published nothing (or is unknown).
  std::optional<OutputValues> Get(const std::string& address) const;

 private:
  mutable std::mutex mu_;
  OutputMap values_;
};

}  // namespace paiplan::plan
