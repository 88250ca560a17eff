// Limits of one template parse and render (docs/security.md): a template
// from an untrusted workspace must fail with an error naming file:line and
// the limit, never exhaust memory, loop for hours or overflow the stack.
// Each limit is far above what a real OpenPAI or CLIC template needs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace paiplan::tmpl {

// Rendered output of one template.
inline constexpr size_t kMaxOutputBytes = size_t{64} << 20;  // 64 MiB
// One string value built while rendering (`s ~ s` doubling, |join, |replace).
inline constexpr size_t kMaxStringBytes = size_t{64} << 20;  // 64 MiB
// Statements run plus loop iterations in one render.
inline constexpr uint64_t kMaxRenderSteps = 20'000'000;
// Nesting of one expression's tree (`1 + 1 + ... ` is a chain this deep):
// evaluating it recurses once per level.
inline constexpr int kMaxExprDepth = 256;

}  // namespace paiplan::tmpl
