// Turns a service's `deploy-rules` (`- in: LABEL` / `- notin: LABEL`) into a
// required nodeAffinity on its Kubernetes workloads, as paictl's
// deploy-rules did.
//
// Every Deployment, DaemonSet, StatefulSet, ReplicaSet and Job document (and
// CronJob, at spec.jobTemplate.spec.template) of a multi-document YAML text
// gets, under spec.template.spec.affinity.nodeAffinity
// .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, one
// matchExpression per rule: {key: LABEL, operator: In|NotIn, values: ["true"]}.
// The rules are ANDed: with no existing term, one term holds all of them; with
// existing terms (which Kubernetes ORs), the expressions are appended to every
// term. Expressions already present are not added twice, so injection is
// idempotent.
//
// Documents of other kinds keep their exact bytes; workload documents are
// re-emitted (comments in them are lost, values and quoting are preserved:
// a scalar that was quoted stays quoted). Empty rules return the input as is.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace paiplan::kube {

struct DeployRule {
  std::string label;
  bool in = true;  // true: `in` (operator In); false: `notin` (operator NotIn)
};

// Fails InvalidArgument "FILE:LINE: ..." when a document is not valid YAML or
// a workload's spec/template is not a map.
Result<std::string> InjectNodeAffinity(std::string_view yaml_text,
                                       const std::vector<DeployRule>& rules,
                                       std::string file_name);

// Helm values files (`*-values.yaml`) are not manifests, and how a chart
// places its pods is the chart's business; by convention its values carry
// `affinity:` per component (Bitnami's `master.affinity`, ...). Every map or
// empty value under a key named `affinity`, at any depth, gets the same
// nodeAffinity terms as InjectNodeAffinity gives a pod spec. The document is
// re-emitted (comments lost, quoting kept). Fails InvalidArgument when the
// text is not YAML, or when rules are given but there is no `affinity` key
// (the rules would be silently ignored). Empty rules return the input as is.
Result<std::string> InjectValuesAffinity(std::string_view yaml_text, const std::vector<DeployRule>& rules,
                                         std::string file_name);

}  // namespace paiplan::kube
