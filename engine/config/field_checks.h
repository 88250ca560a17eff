// Checks of configuration fields whose values reach shell scripts and
// Kubernetes names (docs/security.md): a `namespace` is a DNS label, so it
// can be neither shell code nor a path.
#pragma once

#include <optional>
#include <string>

#include "engine/config/load_context.h"
#include "engine/config/workspace.h"

namespace paiplan::config {

// True for an RFC 1123 DNS label: 1-63 of a-z, 0-9 and '-', starting and
// ending with a letter or digit.
bool IsDnsLabel(const std::string& s);

// Reports, with file:line, every `namespace` that is not a DNS label: in
// services-configuration.yaml (`svc_cfg`), in each enabled service's
// config defaults, and kubernetes.namespace of paiplan.yaml (`settings`).
void CheckKnownFields(const Workspace& ws, const std::optional<YamlFile>& svc_cfg,
                      const std::optional<YamlFile>& settings, LoadContext* ctx);

}  // namespace paiplan::config
