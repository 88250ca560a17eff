#include "providers/kubernetes/node_affinity.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "engine/base/yaml_syntax.h"

namespace paiplan::kube {
namespace {

// One `---`-separated document: its separator line (empty for an implicit
// first document), its text, and the 1-based line where the text starts.
struct Document {
  std::string separator;
  std::string text;
  int first_line = 1;
};

bool IsSeparator(std::string_view line) {
  if (line.substr(0, 3) != "---") return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' || line[3] == '\n';
}

std::vector<Document> SplitDocuments(std::string_view text) {
  std::vector<Document> docs(1);
  int line_no = 1;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    size_t next = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(pos, next - pos);
    if (IsSeparator(line)) {
      docs.push_back({std::string(line), "", line_no + 1});
    } else {
      docs.back().text += line;
    }
    pos = next;
    ++line_no;
  }
  return docs;
}

// Emits a node keeping each scalar's style class: a scalar that was quoted
// (or a block scalar) in the source stays non-plain, so "8080" or "true"
// keep being strings.
void Emit(YAML::Emitter& out, const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (!tag.empty() && tag != "?" && tag != "!") {
    const std::string kCore = "tag:yaml.org,2002:";
    if (tag.rfind(kCore, 0) == 0) {
      out << YAML::SecondaryTag(tag.substr(kCore.size()));
    } else {
      out << YAML::VerbatimTag(tag);
    }
  }
  switch (node.Type()) {
    case YAML::NodeType::Map:
      out << YAML::BeginMap;
      for (const auto& kv : node) {
        out << YAML::Key;
        Emit(out, kv.first);
        out << YAML::Value;
        Emit(out, kv.second);
      }
      out << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      out << YAML::BeginSeq;
      for (const auto& item : node) Emit(out, item);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar:
      if (tag == "!") out << YAML::DoubleQuoted;
      out << node.Scalar();
      break;
    default:  // Null, Undefined
      out << YAML::Null;
      break;
  }
}

YAML::Node QuotedString(const std::string& s) {
  YAML::Node n(s);
  n.SetTag("!");
  return n;
}

YAML::Node Expression(const DeployRule& rule) {
  YAML::Node expr(YAML::NodeType::Map);
  expr["key"] = rule.label;
  expr["operator"] = rule.in ? "In" : "NotIn";
  YAML::Node values(YAML::NodeType::Sequence);
  values.push_back(QuotedString("true"));
  expr["values"] = values;
  return expr;
}

bool SameExpression(const YAML::Node& a, const DeployRule& rule) {
  try {
    if (!a.IsMap() || !a["key"] || !a["operator"] || !a["values"]) return false;
    const YAML::Node values = a["values"];
    return a["key"].as<std::string>() == rule.label &&
           a["operator"].as<std::string>() == (rule.in ? "In" : "NotIn") &&
           values.IsSequence() && values.size() == 1 && values[0].as<std::string>() == "true";
  } catch (const YAML::Exception&) {
    return false;
  }
}

void AddToTerm(YAML::Node term, const std::vector<DeployRule>& rules) {
  // yaml-cpp: assigning to a Node variable re-points the tree node it refers
  // to, so each Node variable here is bound exactly once.
  if (!term["matchExpressions"].IsSequence()) {
    term["matchExpressions"] = YAML::Node(YAML::NodeType::Sequence);
  }
  YAML::Node exprs = term["matchExpressions"];
  for (const auto& rule : rules) {
    bool present = false;
    for (const auto& e : exprs) present = present || SameExpression(e, rule);
    if (!present) exprs.push_back(Expression(rule));
  }
}

// Returns the pod template spec map of a workload (created if absent).
Result<YAML::Node> PodSpec(YAML::Node doc, const std::string& kind, const std::string& where) {
  YAML::Node spec = kind == "CronJob" ? doc["spec"]["jobTemplate"]["spec"] : doc["spec"];
  YAML::Node tmpl = spec["template"];
  if (!(tmpl.IsMap() || tmpl.IsNull())) {
    return Err(Status::InvalidArgument(where + ": " + kind + " spec.template is not a map"));
  }
  YAML::Node pod = tmpl["spec"];
  if (!(pod.IsMap() || pod.IsNull())) {
    return Err(Status::InvalidArgument(where + ": " + kind + " spec.template.spec is not a map"));
  }
  return pod;
}

// Adds the rules to affinity.nodeAffinity's required terms (created if absent).
void AddNodeAffinity(YAML::Node affinity, const std::vector<DeployRule>& rules) {
  YAML::Node node_affinity = affinity["nodeAffinity"];
  YAML::Node required = node_affinity["requiredDuringSchedulingIgnoredDuringExecution"];
  YAML::Node terms = required["nodeSelectorTerms"];
  if (terms.IsSequence() && terms.size() > 0) {
    for (size_t i = 0; i < terms.size(); ++i) AddToTerm(terms[i], rules);
    return;
  }
  YAML::Node term(YAML::NodeType::Map);
  AddToTerm(term, rules);
  YAML::Node new_terms(YAML::NodeType::Sequence);
  new_terms.push_back(term);
  required["nodeSelectorTerms"] = new_terms;
}

Status Inject(YAML::Node doc, const std::string& kind, const std::vector<DeployRule>& rules,
              const std::string& where) {
  PP_ASSIGN_OR_RETURN(YAML::Node pod, PodSpec(doc, kind, where));
  AddNodeAffinity(pod["affinity"], rules);
  return Status::Ok();
}

// Adds the rules under every map-valued (or empty) `affinity` key of a
// values tree; returns how many it found.
int InjectIntoAffinityKeys(YAML::Node node, const std::vector<DeployRule>& rules) {
  if (!node.IsMap()) return 0;
  int found = 0;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node value = it->second;
    if (it->first.IsScalar() && it->first.Scalar() == "affinity" && (value.IsMap() || value.IsNull())) {
      AddNodeAffinity(value, rules);  // a null value becomes a map in place
      ++found;
    } else {
      found += InjectIntoAffinityKeys(value, rules);
    }
  }
  return found;
}

bool IsBlank(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    size_t first = text.find_first_not_of(" \t\r", pos);
    if (first < end && text[first] != '#') return false;
    pos = end + 1;
  }
  return true;
}

}  // namespace

Result<std::string> InjectNodeAffinity(std::string_view yaml_text,
                                       const std::vector<DeployRule>& rules,
                                       std::string file_name) {
  if (rules.empty()) return std::string(yaml_text);
  static const std::set<std::string> kWorkloads = {"Deployment", "DaemonSet", "StatefulSet",
                                                   "ReplicaSet", "Job", "CronJob"};
  std::string out;
  for (const Document& d : SplitDocuments(yaml_text)) {
    out += d.separator;
    if (IsBlank(d.text)) {
      out += d.text;
      continue;
    }
    YAML::Node doc;
    std::string kind;
    if (auto bad = FindYamlSyntaxError(d.text)) {  // yaml-cpp loops on some text libyaml refuses
      return Err(Status::InvalidArgument(file_name + ":" + std::to_string(d.first_line + bad->line - 1) + ": " +
                                         bad->Describe()));
    }
    try {
      doc = YAML::Load(d.text);
      if (doc.IsMap() && doc["kind"] && doc["kind"].IsScalar()) kind = doc["kind"].Scalar();
    } catch (const YAML::Exception& e) {
      return Err(Status::InvalidArgument(file_name + ":" +
                                         std::to_string(d.first_line + e.mark.line) + ": " + e.msg));
    }
    if (!kWorkloads.count(kind)) {
      out += d.text;
      continue;
    }
    std::string where = file_name + ":" + std::to_string(d.first_line);
    PP_RETURN_IF_ERROR_R(Inject(doc, kind, rules, where));
    YAML::Emitter emitter;
    emitter.SetIndent(2);
    Emit(emitter, doc);
    if (!emitter.good()) {
      return Err(Status::Internal(where + ": cannot re-emit " + kind + ": " +
                                  emitter.GetLastError()));
    }
    out += emitter.c_str();
    out += "\n";
  }
  return out;
}


Result<std::string> InjectValuesAffinity(std::string_view yaml_text, const std::vector<DeployRule>& rules,
                                         std::string file_name) {
  if (rules.empty()) return std::string(yaml_text);
  if (auto bad = FindYamlSyntaxError(yaml_text)) {  // yaml-cpp loops on some text libyaml refuses
    return Err(Status::InvalidArgument(file_name + ":" + std::to_string(bad->line) + ": " + bad->Describe()));
  }
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return Err(Status::InvalidArgument(file_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg));
  }
  if (InjectIntoAffinityKeys(doc, rules) == 0) {
    return Err(Status::InvalidArgument(
        file_name + ": the service has deploy-rules but these Helm values have no `affinity:` key to "
                    "receive them; add `affinity: {}` under each component of the chart's values"));
  }
  YAML::Emitter emitter;
  emitter.SetIndent(2);
  Emit(emitter, doc);
  if (!emitter.good()) return Err(Status::Internal(file_name + ": cannot re-emit: " + emitter.GetLastError()));
  return std::string(emitter.c_str()) + "\n";
}

}  // namespace paiplan::kube
