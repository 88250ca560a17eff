// Fuzz target: the `state push` reader (a whole state document, typed or
// edited by hand). Accepted snapshots are written back to JSON and read
// again: the round trip must succeed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "state/state_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto snap = paiplan::state::SnapshotFromText(text, "fuzz.json");
  if (!snap) return 0;
  auto again = paiplan::state::SnapshotFromJson(paiplan::state::SnapshotToJson(*snap), "round-trip");
  if (!again) abort();  // what we wrote, we must be able to read
  return 0;
}
