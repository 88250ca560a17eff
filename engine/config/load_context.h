// Shared state of one LoadWorkspace call (internal to engine/config).
#pragma once

#include <set>
#include <string>

#include "engine/base/diagnostics.h"
#include "engine/config/yaml_doc.h"

namespace paiplan::config {

struct LoadContext {
  std::string root;  // workspace, absolute
  Diagnostics* diags = nullptr;
  LocationFinder finder;
  std::set<std::string> enabled_names;  // services asked for, loaded or not

  // Path as shown in messages: relative to the workspace when inside it.
  std::string Display(const std::string& abs) const {
    if (abs.rfind(root + "/", 0) == 0) return abs.substr(root.size() + 1);
    return abs;
  }
  SourceLoc Loc(const YamlFile& f, const std::string& pointer, bool key = false) {
    return finder.Find(f.path, f.display, pointer, key);
  }
};

}  // namespace paiplan::config
