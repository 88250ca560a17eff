// Where paiplan's own files are: the built-in service catalogue (services/,
// with the role packages in services/_roles/) and the JSON Schemas.
//
// Order: $PAIPLAN_HOME when set and not empty; else the first of
// <dir of the running binary>/../share/paiplan (installed: PREFIX/bin/paiplan)
// and <dir of the running binary>/share/paiplan (the build tree, where CMake
// links share/paiplan/ to the sources) that holds a services/ directory.
// No source path is compiled in, so an installed binary works after the
// sources are gone.
//
// Thread-safety: reads the environment and /proc/self/exe; safe from any thread.
#pragma once

#include <string>

namespace paiplan::config {

// The paiplan home directory. Never fails: when nothing is found it returns
// the installed location (<binary dir>/../share/paiplan) so the error about a
// missing catalogue names the place it was looked for.
std::string PaiplanHome();

// Where PaiplanHome() came from, for messages: "PAIPLAN_HOME" or "the binary's location".
std::string PaiplanHomeSource();

}  // namespace paiplan::config
