// paictl's exact post-processing of a rendered manifest of a service with
// deploy-rules (paiplan.yaml `deploy-rules-output: paictl`;
// docs/openpai-trees.md), for operators who diff paiplan's files
// against the ones paictl wrote.
//
// paictl, for a template whose output name contains "yaml" and not "delete",
// loaded the rendered text with PyYAML's SafeLoader (YAML 1.1 scalars: 0755
// is an int, yes is a bool, ...); when the document was a map whose `kind`
// was DaemonSet, Deployment, StatefulSet or Pod it set
// spec.template.spec.affinity to one nodeAffinity term holding one
// {key: LABEL, operator: In|NotIn, values: ['true']} per rule (replacing any
// affinity the manifest had) and wrote yaml.dump(doc, default_flow_style=False):
// keys sorted, comments and quoting lost, YAML 1.1 scalars re-written in
// PyYAML's canonical form. Any other file was written as rendered.
//
// This does the same with libyaml's parser and emitter (the C library PyYAML
// itself wraps) and PyYAML's resolver and representer rules. Known
// difference, with no workaround: a double-quoted string (one with control or
// non-ASCII characters) longer than the line is folded by libyaml's emitter,
// not PyYAML's pure-Python one, and so breaks at other places.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "providers/kubernetes/node_affinity.h"

namespace paiplan::kube {

// Whether paictl post-processed a template-list entry with this output name.
bool PaictlPostProcesses(const std::string& file_name);

// The file paictl wrote for `rendered`. Fails InvalidArgument, naming
// `file_name`, where paictl itself failed: several YAML documents, invalid
// YAML, a workload without spec.template.spec (a Pod), a merge key (<<) or
// a timestamp with a time, an int beyond 64 bits, or an unknown tag.
Result<std::string> PaictlDeployRules(std::string_view rendered, const std::vector<DeployRule>& rules,
                                      const std::string& file_name);

}  // namespace paiplan::kube
