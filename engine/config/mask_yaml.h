// Masking secrets in YAML text that leaves paiplan (the cluster ConfigMap).
//
// Every value under a sensitive key (IsSensitiveKey: machine `password`, config
// keys ending in password/token/secret/key) is replaced by the quoted string
// "(sensitive)". Maps under a sensitive key are walked, not replaced, as
// `state show` does. The text is edited in place, so comments, order and
// quoting of everything else are kept and a file without secrets comes back
// byte for byte. Where a value cannot be replaced in place (block scalars,
// lists, anchors), the whole document is re-emitted from the masked tree
// (comments are then lost); text that does not parse is replaced entirely.
//
// Thread-safety: a pure function.
#pragma once

#include <string>

namespace paiplan::config {

// The placeholder written instead of a secret.
inline constexpr char kSensitivePlaceholder[] = "(sensitive)";

// `text` with every sensitive value masked (see above). Never fails: the
// result never contains a sensitive value of `text`.
std::string MaskSensitiveYaml(const std::string& text);

}  // namespace paiplan::config
