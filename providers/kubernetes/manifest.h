// Kubernetes manifests as objects: parsing rendered multi-document YAML into
// JSON objects (a `kind: List` expanded into its items), and the REST path of
// an object from its apiVersion and kind.
//
// YAML scalars are typed as Kubernetes reads them: a quoted scalar is a
// string; a plain one is null (`~`, `null`, empty), a boolean (true/false),
// an integer, a float, or else a string.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace paiplan::kube {

// Every object of `yaml_text`, in document order; empty documents are
// skipped. Fails InvalidArgument "FILE:LINE:COL: ..." for YAML that does not
// parse, and "FILE: document N: ..." for a document that is not an object
// with apiVersion, kind and metadata.name.
Result<std::vector<nlohmann::json>> ParseManifests(std::string_view yaml_text, const std::string& file);

struct KindInfo {
  std::string plural;     // "deployments"
  bool namespaced = true;
};

// What the API calls `kind` of `api_version`: from a table of the kinds
// paiplan's catalogue and Kubernetes' built-in groups use; an unknown kind
// is taken as namespaced with plural lower(kind)+"s" (CRDs usually follow it).
KindInfo LookupKind(const std::string& api_version, const std::string& kind);

// "/api/v1/namespaces/NS/configmaps[/NAME]" or
// "/apis/apps/v1/namespaces/NS/deployments[/NAME]"; cluster-scoped kinds
// ignore `ns`. An empty `name` gives the collection.
std::string ObjectPath(const std::string& api_version, const std::string& kind, const std::string& ns,
                       const std::string& name);

}  // namespace paiplan::kube
