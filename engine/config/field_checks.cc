#include "engine/config/field_checks.h"

#include <cctype>

#include "engine/base/fs.h"

namespace paiplan::config {

namespace {

const char* kHint = "a namespace is a DNS label: 1-63 lowercase letters, digits and '-', starting and ending "
                    "with a letter or digit";

std::string Shown(const ojson& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  return s.size() > 80 ? s.substr(0, 80) + "..." : s;
}

void CheckNamespace(const ojson& v, SourceLoc loc, const std::string& what, LoadContext* ctx) {
  if (v.is_null() || (v.is_string() && IsDnsLabel(v.get<std::string>()))) return;
  // The value is printed as JSON so a control character shows escaped.
  ctx->diags->Error(loc, what + " " + nlohmann::json(Shown(v)).dump() + " is not a valid Kubernetes namespace", kHint);
}

}  // namespace

bool IsDnsLabel(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')) return false;
  }
  return s.front() != '-' && s.back() != '-';
}

void CheckKnownFields(const Workspace& ws, const std::optional<YamlFile>& svc_cfg,
                      const std::optional<YamlFile>& settings, LoadContext* ctx) {
  if (settings && settings->value.is_object() && settings->value.contains("kubernetes")) {
    const ojson& k = settings->value["kubernetes"];
    if (k.is_object() && k.contains("namespace")) {
      CheckNamespace(k["namespace"], ctx->Loc(*settings, "/kubernetes/namespace"), "kubernetes.namespace", ctx);
    }
  }
  for (const auto& [name, def] : ws.services) {
    if (svc_cfg && svc_cfg->value.is_object() && svc_cfg->value.contains(name)) {
      const ojson& over = svc_cfg->value[name];
      if (over.is_object() && over.contains("namespace")) {
        CheckNamespace(over["namespace"], ctx->Loc(*svc_cfg, "/" + name + "/namespace"), name + ".namespace", ctx);
        continue;  // the override replaces the default
      }
    }
    if (def.defaults.is_object() && def.defaults.contains("namespace")) {
      std::string file = ctx->Display(fs::Join(def.root_dir, "config/" + name + ".yaml"));
      CheckNamespace(def.defaults["namespace"], {file, 0, 0}, name + ".namespace (service default)", ctx);
    }
  }
}

}  // namespace paiplan::config
