#pragma once
// Standard base64 (RFC 4648 §4, with padding), for etcd's JSON API,
// kubeconfig `*-data` fields, Kubernetes Secret data and secret masking.

#include <optional>
#include <string>
#include <string_view>

namespace paiplan {

std::string Base64Encode(std::string_view in);

// Decodes `in`, ignoring ASCII whitespace (PEM-style line breaks) and
// stopping at the first '='. Returns nullopt when another character is not
// in the base64 alphabet; never throws.
std::optional<std::string> Base64Decode(std::string_view in);

}  // namespace paiplan
