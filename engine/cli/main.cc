// paiplan's entry point: the composition root lives in engine/cli.
#include "engine/cli/cli.h"

int main(int argc, char** argv) { return paiplan::cli::RunCli(argc, argv); }
