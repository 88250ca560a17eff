// layout.yaml → machines, and the checks that need the whole machine list.
#pragma once

#include <vector>

#include "engine/config/load_context.h"
#include "engine/config/workspace.h"

namespace paiplan::config {

// REQUIRES: `layout` passed schemas/layout.schema.json.
// Fills ws->machines and ws->machine_index; reports duplicate hostnames,
// hostips and nodenames, unknown machine-types, a missing master.
void LoadMachines(const YamlFile& layout, LoadContext* ctx, Workspace* ws);

// Keys of a machine entry that are attributes, not labels.
bool IsMachineAttributeKey(const std::string& key);

}  // namespace paiplan::config
