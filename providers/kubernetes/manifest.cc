#include "providers/kubernetes/manifest.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <map>
#include <regex>

#include "engine/base/json_read.h"
#include "engine/base/yaml_syntax.h"

namespace paiplan::kube {
namespace {

using json = nlohmann::json;

json Scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kFloat("^[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$");
  try {
    if (std::regex_match(s, kInt)) return std::stoll(s);
    if (std::regex_match(s, kFloat)) return std::stod(s);
  } catch (const std::exception&) {
  }
  return s;
}

json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : n) o[kv.first.Scalar()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& x : n) a.push_back(ToJson(x));
      return a;
    }
    case YAML::NodeType::Scalar: return Scalar(n);
    default: return nullptr;
  }
}

Status CheckObject(const json& o, const std::string& where) {
  if (!o.is_object()) return Status::InvalidArgument(where + ": not a map (a Kubernetes object is a map)");
  for (const char* k : {"apiVersion", "kind"}) {
    if (!o.contains(k) || !o[k].is_string() || o[k].get<std::string>().empty())
      return Status::InvalidArgument(where + ": `" + k + "` is missing; every Kubernetes object needs one");
  }
  if (!o.contains("metadata") || !o["metadata"].is_object() || !o["metadata"].contains("name") ||
      !o["metadata"]["name"].is_string())
    return Status::InvalidArgument(where + ": `metadata.name` is missing; give the object a name");
  return Status::Ok();
}

}  // namespace

Result<std::vector<json>> ParseManifests(std::string_view yaml_text, const std::string& file) {
  if (auto bad = FindYamlSyntaxError(yaml_text)) {  // yaml-cpp loops on some text libyaml refuses
    return std::unexpected(Status::InvalidArgument(file + ":" + std::to_string(bad->line) + ":" +
                                                   std::to_string(bad->column) + ": " + bad->Describe() +
                                                   "; the rendered manifest must be valid YAML"));
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return std::unexpected(Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                   std::to_string(e.mark.column + 1) + ": " + e.msg +
                                                   "; the rendered manifest must be valid YAML"));
  }
  std::vector<json> out;
  for (size_t i = 0; i < docs.size(); ++i) {
    json doc = ToJson(docs[i]);
    if (doc.is_null()) continue;
    std::string where = file + ": document " + std::to_string(i + 1);
    bool list = json_read::String(doc, "kind") == "List";
    std::vector<json> items = list && doc.contains("items") && doc["items"].is_array()
                                  ? doc["items"].get<std::vector<json>>()
                                  : std::vector<json>{doc};
    for (size_t k = 0; k < items.size(); ++k) {
      std::string w = list ? where + " item " + std::to_string(k + 1) : where;
      if (Status s = CheckObject(items[k], w); !s.ok()) return std::unexpected(s);
      out.push_back(std::move(items[k]));
    }
  }
  return out;
}

KindInfo LookupKind(const std::string& api_version, const std::string& kind) {
  static const std::map<std::string, KindInfo> kKinds = {
      {"Namespace", {"namespaces", false}},
      {"Node", {"nodes", false}},
      {"PersistentVolume", {"persistentvolumes", false}},
      {"ClusterRole", {"clusterroles", false}},
      {"ClusterRoleBinding", {"clusterrolebindings", false}},
      {"CustomResourceDefinition", {"customresourcedefinitions", false}},
      {"StorageClass", {"storageclasses", false}},
      {"PriorityClass", {"priorityclasses", false}},
      {"Ingress", {"ingresses", true}},
      {"NetworkPolicy", {"networkpolicies", true}},
      {"PodDisruptionBudget", {"poddisruptionbudgets", true}},
      {"Endpoints", {"endpoints", true}},
  };
  auto it = kKinds.find(kind);
  if (it != kKinds.end()) return it->second;
  std::string plural;
  for (char c : kind) plural += char(std::tolower(static_cast<unsigned char>(c)));
  return {plural + "s", true};
}

std::string ObjectPath(const std::string& api_version, const std::string& kind, const std::string& ns,
                       const std::string& name) {
  KindInfo k = LookupKind(api_version, kind);
  std::string p = api_version.find('/') == std::string::npos ? "/api/" + api_version : "/apis/" + api_version;
  if (k.namespaced && !ns.empty()) p += "/namespaces/" + ns;
  p += "/" + k.plural;
  if (!name.empty()) p += "/" + name;
  return p;
}

}  // namespace paiplan::kube
