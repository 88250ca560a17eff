// Fuzz target: the saved-plan reader (`apply FILE`, `show FILE`). A plan file
// is JSON; the reader must refuse anything it cannot use with a Status.
// What it accepts is printed back as text and JSON, as `show` would.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/plan/plan_io.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  auto plan = paiplan::plan::PlanFromJson(doc, "fuzz.plan");
  if (plan) {
    std::ostringstream text;
    paiplan::plan::PrintPlanText(*plan, {}, text);
    (void)paiplan::plan::PlanToJson(*plan, /*with_content=*/true, {}).dump();
  }
  return 0;
}
