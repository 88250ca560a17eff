// paiplan.yaml → Settings (defaults for every missing key).
#pragma once

#include <string>

#include "engine/config/workspace.h"

namespace paiplan::config {

// REQUIRES: `doc` passed schemas/paiplan.schema.json. Relative paths are
// resolved against `root`; `builtin_dir` is the last default service path.
Settings ParseSettings(const ojson& doc, const std::string& root, const std::string& builtin_dir);

}  // namespace paiplan::config
