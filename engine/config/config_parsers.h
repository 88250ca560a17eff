// OpenPAI v0.14 service config parsers: a service whose config/ folder holds
// <service_with_underscores>.py (a class named after the service, CamelCase,
// with validation_pre(), run() and validation_post(model)) gets its
// cluster_cfg entry from that parser's run(), as paictl computed it, instead
// of paiplan's merge of defaults and services-configuration.yaml.
//
// How: one python3 process per plan runs paiplan's adapter
// (paictl_parsers.py, compiled into the binary; docs/openpai-trees.md) over
// every parser of every service defined on the service paths, in paictl's
// order: each validation_pre, then each run, then each validation_post over
// the whole model. Its input is what paiplan loaded (layout.yaml, each
// service's defaults and overrides, the merged model); its output replaces
// the parsers' services' entries. The result is cached in
// .paiplan/cache/config-parsers.json under a hash of the adapter, the input
// and every file of the parsers' config/ folders, so a no-op plan does not
// start python3 (the cache is written only when .paiplan/ exists).
//
// Thread-safety: call from one thread; the workspace is being built.
#pragma once

#include <map>
#include <string>

#include "engine/base/diagnostics.h"
#include "engine/config/workspace.h"

namespace paiplan::config {

// The adapter's Python source (generated from paictl_parsers.py at build time).
const char* ParserAdapterSource();

// The parser file of `name` under its service root, if it exists, else "".
std::string ParserPath(const std::string& name, const std::string& root);

// Runs the parsers of the services in `defined` (name → root) and replaces
// their entries of ws->cluster_cfg. `defaults` holds the config defaults of
// every defined service. Returns false after reporting an error to `diags`
// (nothing changed): python3 missing, a parser that raises or returns False
// (its file, phase, message and traceback), a run() result JSON cannot carry,
// a parser that does not finish within config-parsers.timeout seconds (the
// one that was running is named), or output that is not the adapter's.
// Secrets (machine passwords, sensitive config values) are masked in errors.
bool ApplyConfigParsers(Workspace* ws, const std::map<std::string, std::string>& defined,
                        const std::map<std::string, ojson>& defaults, Diagnostics* diags);

}  // namespace paiplan::config
