// The command line (CLI11): global flags, one subcommand per verb.
#pragma once

namespace paiplan::cli {

// Parses argv and runs the command; returns the exit code.
int RunCli(int argc, char** argv);

}  // namespace paiplan::cli
