// The two readers behind ParseYamlText (yaml_doc.h), exposed so tests can
// compare them; nothing outside engine/config and its tests includes this.
//
// libyaml scans about 7x faster than yaml-cpp, so ParseYamlText tries it
// first. yaml-cpp stays the reference: it produces every diagnostic (with the
// line, column and hint users see today), and whenever the libyaml reader
// meets an error or anything the yaml-cpp reader would report, its result is
// thrown away and yaml-cpp parses the text again.
//
// Thread-safety: free functions; a MapKeys belongs to one builder.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>

#include "engine/base/yaml_syntax.h"
#include "engine/config/yaml_doc.h"

namespace paiplan::config::yaml_paths {

// The keys of one map under construction, for the duplicate-key check.
// Small maps are scanned; from kIndexFrom keys on, a hash set is kept,
// so building a large map stays linear.
class MapKeys {
 public:
  // Records `key` as the next key of `map` (the object MapKeys tracks).
  // Returns false, recording nothing, when `map` already has `key`.
  bool Add(const ojson& map, const std::string& key);

 private:
  static constexpr size_t kIndexFrom = 16;  // below this, a linear scan is cheaper
  std::unordered_set<std::string> index_;
};

// The value of `text` read with libyaml, with ParseYamlText's value
// semantics. nullopt when libyaml reports an error or the text holds
// anything the yaml-cpp reader would diagnose or read differently: a key
// that is not a string scalar, a duplicate key, more than one document, an
// unknown alias, very deep nesting, or a block scalar keeping trailing blank
// lines (`|+`, `>+`). REQUIRES: `text` is valid UTF-8.
std::optional<ojson> ParseWithLibyaml(const std::string& text);

// The same, and when libyaml refuses the text, its error in `*error` (left
// unset when libyaml accepts the whole stream but the value is left to
// yaml-cpp). With `error` set the whole stream is read even after the
// reader gave up, so that no text libyaml refuses is handed to yaml-cpp.
std::optional<ojson> ParseWithLibyaml(const std::string& text, std::optional<YamlSyntaxError>* error);

// ParseYamlText without the libyaml attempt: the UTF-8 check, then yaml-cpp.
// Fails as ParseYamlText does (diagnostics into `diags`, nullopt).
std::optional<YamlFile> ParseWithYamlCpp(const std::string& text, const std::string& display,
                                         Diagnostics* diags);

}  // namespace paiplan::config::yaml_paths
