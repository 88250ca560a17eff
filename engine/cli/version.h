// What `paiplan --version` prints; the text is generated at build time
// (engine/cli/version.cmake) into the build directory. Never fails.
#pragma once

namespace paiplan::cli {

// The project version, e.g. "0.1.0".
const char* VersionString();
// `git describe --always --dirty` of the source tree at build time; "" when
// it was not built from a git checkout.
const char* BuildCommit();

}  // namespace paiplan::cli
