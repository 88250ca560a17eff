// One function per command; each returns the process exit code.
#pragma once

#include <string>
#include <vector>

#include "engine/cli/common.h"

namespace paiplan::cli {

int CmdValidate(const GlobalOptions& g);
int CmdGraph(const GlobalOptions& g, const std::string& plan_file);

}  // namespace paiplan::cli
