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
// non-ASCII), HTML-escaped (|e), YAML single-quoted, upper- and lower-cased
// (|upper, |lower), percent-encoded (|urlencode, with %20 or + for a
// space) and, for secrets of 6 bytes or more, base64-encoded with or without
// padding. Secrets shorter than 3 bytes are left alone. A secret split by the
// template, or encoded as part of a longer base64 text, is not recognised.
std::string MaskSecrets(std::string text, const std::vector<std::string>& secrets);

// Every value under a sensitive key (see config::IsSensitiveKey) in `v`,
// whatever its type: strings, numbers (as JSON writes them), and every
// string and number inside a list or map held by such a key.
void CollectSecrets(const nlohmann::ordered_json& v, std::vector<std::string>* out);

// Replaces the value of every sensitive key in `v` (any type but null) with
// "(sensitive)": masking by key, for JSON outputs.
void MaskSensitiveKeys(nlohmann::json* v);
void MaskSensitiveKeys(nlohmann::ordered_json* v);

// MaskSensitiveKeys, then MaskSecrets on every string value: what JSON
// outputs (plan --json, show --json, state show/pull) print.
void MaskJson(nlohmann::json* v, const std::vector<std::string>& secrets);

// `text` when it is at most `limit` bytes, else its start and its size: huge
// values are never printed whole.
std::string Abbreviate(const std::string& text, size_t limit = 1024);

}  // namespace paiplan::plan
