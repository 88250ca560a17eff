// Attribute diffs for plan output and reasons: JSON values flattened to
// dotted paths, compared, with sensitive values masked.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace paiplan::plan {

struct AttrChange {
  std::string path;    // "config.grafana.port"
  std::string before;  // rendered value; "" when absent
  std::string after;
  bool sensitive = false;
};

// Changes from `before` to `after` (either may be null), sorted by path.
std::vector<AttrChange> DiffAttributes(const nlohmann::json& before, const nlohmann::json& after);

// "a.b.c" values rendered as JSON scalars; nested containers flattened.
void Flatten(const nlohmann::json& v, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>* out);

// A unified diff (3 lines of context) of two texts, or a one-line summary
// when they are too large to diff cheaply.
std::string UnifiedDiff(const std::string& before, const std::string& after, const std::string& name);

// Replaces every occurrence of each secret in `text` with "(sensitive)": the
// secret as it is and in the forms templates commonly give it — JSON-escaped
// (|tojson, also with its HTML-safe \u003c escapes and Python's \uXXXX for
// non-ASCII), HTML-escaped (|e) and YAML single-quoted. Secrets shorter
// than 3 bytes are left alone. Base64, URL-encoding or a secret split by
// the template are not recognised.
std::string MaskSecrets(std::string text, const std::vector<std::string>& secrets);

// Every string value under a sensitive key (see config::IsSensitiveKey) in `v`.
void CollectSecrets(const nlohmann::ordered_json& v, std::vector<std::string>* out);

}  // namespace paiplan::plan
