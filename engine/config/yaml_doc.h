// YAML input files → nlohmann::ordered_json (key order kept, as PyYAML-era
// OpenPAI templates iterate maps in file order), plus the way back from a JSON
// pointer to a line and column for error messages.
//
// Locations are resolved lazily (the file is parsed again when a diagnostic
// needs one), so a 50,000-machine layout costs no per-node mark storage.
// This is the only place yaml-cpp and libyaml are used; yaml-cpp's exceptions
// never escape. libyaml reads the text first (it is several times faster);
// yaml-cpp reads it again for anything libyaml's reader gives up on, and is
// the source of every diagnostic (yaml_paths.h).
//
// Scalars follow YAML 1.1 as PyYAML (OpenPAI's loader) resolved them:
// quoted, block and !!str scalars are strings; plain ones go through
// ResolvePlainScalar (yaml_scalar.h).
//
// Thread-safety: free functions; LocationFinder is not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/diagnostics.h"
#include "engine/base/status.h"

namespace paiplan::config {

using ojson = nlohmann::ordered_json;

struct YamlFile {
  std::string path;     // absolute path on disk
  std::string display;  // path shown to the user
  ojson value;          // null for an empty document
};

// Loads one YAML file. Syntax errors, invalid UTF-8, duplicate keys and
// multi-document files are reported into `diags` with line and column, and
// the function returns std::nullopt. A missing file: NotFound diag.
std::optional<YamlFile> LoadYamlFile(const std::string& path, const std::string& display,
                                     Diagnostics* diags);

// Same, for text already in memory (tests, `render --context`).
std::optional<YamlFile> ParseYamlText(const std::string& text, const std::string& display,
                                      Diagnostics* diags);

// Appends `key` → `value` to the object `obj` in O(1). REQUIRES: `obj` is an
// object without `key`. (ordered_json's own insert and operator[] search the
// keys linearly, which makes building a large map quadratic.)
void AppendUnique(ojson* obj, std::string key, ojson value);

// One past the closing quote of the quoted scalar ('...' or "...") that
// starts at text[pos], or nullopt when it is never closed.
std::optional<size_t> QuotedScalarEnd(const std::string& text, size_t pos);

// Splits an RFC 6901 JSON pointer ("/machine-list/3/hostname") into tokens.
std::vector<std::string> PointerTokens(const std::string& pointer);
// "machine-list[3].hostname" — how a path reads in a message.
std::string PointerToDotted(const std::string& pointer);

// Maps JSON pointers of files to source locations, parsing each file at most
// once. `key` selects the location of the map key rather than of its value.
class LocationFinder {
 public:
  LocationFinder();
  ~LocationFinder();
  SourceLoc Find(const std::string& path, const std::string& display, const std::string& pointer,
                 bool key = false);

 private:
  struct Parsed;
  std::map<std::string, std::unique_ptr<Parsed>> cache_;
};

}  // namespace paiplan::config
