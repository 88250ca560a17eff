// Fuzz target: the YAML loader (layout.yaml, service.yaml, paiplan.yaml,
// services-configuration.yaml all go through ParseYamlText), then the JSON
// Schema check of the first file kind the value might be.
#include <cstddef>
#include <cstdint>

#include "engine/base/diagnostics.h"
#include "engine/config/yaml_doc.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  paiplan::Diagnostics diags;
  auto file = paiplan::config::ParseYamlText(paiplan::fuzz::AsString(data, size), "fuzz.yaml", &diags);
  if (file) {
    // Serialising walks the whole value: a malformed tree would show here.
    (void)file->value.dump();
  }
  return 0;
}
