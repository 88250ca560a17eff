// Fuzz target: the Jinja2 lexer, parser and renderer. The input is
// TEMPLATE \0 CONTEXT-JSON; an invalid or missing context renders the
// template against a small fixed one, so template-only inputs still reach
// the renderer.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "providers/template/jinja.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [tmpl, ctx_text] = paiplan::fuzz::SplitAtNul(data, size);
  nlohmann::ordered_json ctx = nlohmann::ordered_json::parse(ctx_text, nullptr, /*allow_exceptions=*/false);
  if (!ctx.is_object()) {
    ctx = nlohmann::ordered_json{{"cluster_cfg", {{"layout", {{"machine-list", {{"m0", {{"hostip", "10.0.0.1"}}}}}}}}},
                                 {"items", {1, 2, 3}},
                                 {"name", "x"}};
  }
  auto out = paiplan::tmpl::Render(tmpl, ctx, "fuzz.template");
  (void)out;
  return 0;
}
