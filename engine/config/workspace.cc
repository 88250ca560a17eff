#include "engine/config/workspace.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "engine/base/fs.h"
#include "engine/config/field_checks.h"
#include "engine/config/config_parsers.h"
#include "engine/config/home.h"
#include "engine/config/layout.h"
#include "engine/config/load_context.h"
#include "engine/config/schema_check.h"
#include "engine/config/services.h"
#include "engine/config/settings.h"
#include "engine/config/untrusted.h"

namespace paiplan::config {

std::string BuiltinServicesDir() { return fs::Join(PaiplanHome(), "services"); }

std::string Workspace::RoleDir(const std::string& role) const {
  std::string own = fs::Join(roles_dir, role);
  if (builtin_roles_dir.empty() || fs::IsDirectory(own)) return own;
  return fs::Join(builtin_roles_dir, role);
}

bool IsSensitiveKey(const std::string& key) {
  std::string k = key;
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* suffix : {"password", "token", "secret", "key"}) {
    std::string s = suffix;
    if (k.size() >= s.size() && k.compare(k.size() - s.size(), s.size(), s) == 0) return true;
  }
  return false;
}

ojson DeepMerge(const ojson& base, const ojson& over) {
  if (!base.is_object() || !over.is_object()) return over.is_null() ? base : over;
  ojson out = base;
  for (auto it = over.begin(); it != over.end(); ++it) {
    out[it.key()] = out.contains(it.key()) ? DeepMerge(out[it.key()], it.value()) : it.value();
  }
  return out;
}

const Machine* Workspace::FindMachine(const std::string& hostname) const {
  auto it = machine_index.find(hostname);
  return it == machine_index.end() ? nullptr : &machines[it->second];
}

const ojson& Workspace::ServiceConfig(const std::string& service) const {
  static const ojson kNull;
  auto it = cluster_cfg.find(service);
  return it == cluster_cfg.end() ? kNull : *it;
}

namespace {

// Loads an input file and checks it against its schema; nullopt on error.
std::optional<YamlFile> LoadChecked(const std::string& name, const std::string& schema, bool required,
                                    LoadContext* ctx, Workspace* ws) {
  std::string path = fs::Join(ctx->root, name);
  if (!fs::Exists(path)) {
    if (required) {
      ctx->diags->Error({name, 0, 0}, name + " not found in " + ctx->root,
                        "run paiplan in a workspace directory (or pass -C DIR); see examples/cluster");
    }
    return std::nullopt;
  }
  ws->input_files.push_back(path);
  auto f = LoadYamlFile(path, name, ctx->diags);
  if (!f) return std::nullopt;
  if (f->value.is_null() && required) {
    ctx->diags->Error({name, 1, 1}, name + " is empty", "see examples/cluster/" + name + " for the format");
    return std::nullopt;
  }
  if (!CheckSchema(*f, schema, &ctx->finder, ctx->diags)) return std::nullopt;
  return f;
}

// Config defaults of services that are defined but not enabled: paictl put
// every service's config in cluster_cfg, and templates read other services'
// settings (webportal reads grafana's port).
std::map<std::string, ojson> DisabledDefaults(const std::map<std::string, std::string>& defined,
                                              const Workspace& ws, LoadContext* ctx) {
  std::map<std::string, ojson> out;
  for (const auto& [name, root] : defined) {
    if (ws.services.count(name) || ctx->enabled_names.count(name)) continue;
    std::string path = fs::Join(root, "config/" + name + ".yaml");
    if (!fs::Exists(path)) continue;
    Diagnostics ignored;  // a broken config of a disabled service must not block this workspace
    auto f = LoadYamlFile(path, ctx->Display(path), &ignored);
    if (f && f->value.is_object()) out[name] = f->value;
  }
  return out;
}

ojson BuildClusterCfg(const Workspace& ws, const std::map<std::string, ojson>& disabled) {
  ojson cfg = ojson::object();
  ojson layout = ws.layout;
  // REQUIRES: hostnames are unique (checked by LoadMachines). ordered_json's
  // operator[] and emplace search the keys linearly, which made this loop
  // quadratic (seconds at 50,000 machines); the keys are appended directly.
  ojson by_host = ojson::object();
  for (auto& m : layout["machine-list"]) {
    std::string host = m["hostname"].get<std::string>();
    AppendUnique(&by_host, std::move(host), std::move(m));
  }
  layout["machine-list"] = std::move(by_host);
  cfg["layout"] = std::move(layout);
  std::map<std::string, const ojson*> defaults;
  for (const auto& [name, d] : disabled) defaults[name] = &d;
  for (const auto& [name, def] : ws.services) defaults[name] = &def.defaults;
  for (const auto& [name, d] : defaults) {
    auto over = ws.services_config.is_object() ? ws.services_config.find(name) : ws.services_config.end();
    cfg[name] = over != ws.services_config.end() ? DeepMerge(*d, *over) : *d;
  }
  return cfg;
}

// A k8s-role-definition.yaml (OpenPAI v0.14) lists the components of each
// role; a machine whose k8s-role it does not define would get nothing.
void CheckRolesDefined(const YamlFile& roles, const YamlFile& layout, const Workspace& ws, LoadContext* ctx) {
  const ojson& list = roles.value.is_object() ? roles.value.value("component_list", ojson::object()) : ojson::object();
  for (const auto& m : ws.machines) {
    if (list.contains(m.role)) continue;
    ctx->diags->Error(ctx->Loc(layout, "/machine-list/" + std::to_string(m.index) + "/k8s-role"),
                      "machine '" + m.hostname + "': k8s-role '" + m.role +
                          "' is not defined under component_list in k8s-role-definition.yaml",
                      "add a '" + m.role + ":' list of components to k8s-role-definition.yaml, or change the role");
  }
}

void SelectServices(const Settings& settings, const std::map<std::string, std::string>& defined,
                    const std::optional<YamlFile>& paiplan_yaml, LoadContext* ctx, Workspace* ws) {
  std::vector<std::string> names;
  if (settings.enabled_services) {
    names = *settings.enabled_services;
    for (size_t i = 0; i < names.size(); ++i) {
      if (defined.count(names[i])) continue;
      std::string known;
      for (const auto& [n, _] : defined) known += (known.empty() ? "" : ", ") + n;
      ctx->diags->Error(ctx->Loc(*paiplan_yaml, "/enabled-services/" + std::to_string(i)),
                        "enabled service '" + names[i] + "' is not defined on any service path",
                        "defined services: " + known);
    }
  } else {
    for (const auto& [n, _] : defined) names.push_back(n);
  }
  ctx->enabled_names.insert(names.begin(), names.end());
  for (const auto& n : names) {
    auto it = defined.find(n);
    if (it == defined.end() || ws->services.count(n)) continue;
    auto def = LoadService(n, it->second, ctx);
    if (!def) continue;
    auto files = fs::ListFilesRecursive(it->second);
    if (files) for (const auto& f : *files) ws->input_files.push_back(fs::Join(it->second, f));
    ws->services.emplace(n, std::move(*def));
  }
}

}  // namespace

std::optional<Workspace> LoadWorkspace(const std::string& dir, const LoadOptions& options,
                                       Diagnostics* diags) {
  LoadContext ctx;
  ctx.root = fs::Absolute(dir);
  ctx.diags = diags;
  size_t errors_before = diags->ErrorCount();
  Workspace ws;
  ws.root = ctx.root;
  if (!fs::IsDirectory(ws.root)) {
    diags->Error({dir, 0, 0}, "workspace directory does not exist", "pass an existing directory with -C");
    return std::nullopt;
  }
  std::string builtin = options.builtin_dir.empty() ? BuiltinServicesDir() : options.builtin_dir;
  auto settings_file = LoadChecked("paiplan.yaml", "paiplan.schema.json", false, &ctx, &ws);
  ws.settings = ParseSettings(settings_file ? settings_file->value : ojson(), ws.root, builtin);
  bool allow_missing = options.allow_missing || ws.settings.allow_missing;
  auto layout = LoadChecked("layout.yaml", "layout.schema.json", true, &ctx, &ws);
  if (layout) {
    LoadMachines(*layout, &ctx, &ws);
    ws.layout = std::move(layout->value);  // not read after LoadMachines; a copy costs ~1 KB per machine
  }
  auto svc_cfg = LoadChecked("services-configuration.yaml", "services-configuration.schema.json", false, &ctx, &ws);
  ws.services_config = svc_cfg && svc_cfg->value.is_object() ? svc_cfg->value : ojson::object();
  auto kube_cfg = LoadChecked("kubernetes-configuration.yaml", "kubernetes-configuration.schema.json", false, &ctx, &ws);
  if (kube_cfg) ws.kubernetes_config = kube_cfg->value;
  auto roles_def = LoadChecked("k8s-role-definition.yaml", "k8s-role-definition.schema.json", false, &ctx, &ws);
  if (roles_def) {
    ws.k8s_role_definition = roles_def->value;
    if (layout) CheckRolesDefined(*roles_def, *layout, ws, &ctx);
  }

  if (options.untrusted) ApplyUntrustedPolicy(&ws, builtin, diags);
  auto defined = DiscoverServices(ws.settings.service_paths);
  SelectServices(ws.settings, defined, settings_file, &ctx, &ws);
  for (auto it = ws.services_config.begin(); it != ws.services_config.end(); ++it) {
    if (ctx.enabled_names.count(it.key())) continue;  // enabled (maybe broken: reported already)
    diags->Warning(ctx.Loc(*svc_cfg, "/" + it.key(), true),
                   "services-configuration.yaml configures '" + it.key() + "', which is not an enabled service",
                   defined.count(it.key()) ? "add '" + it.key() + "' to enabled-services in paiplan.yaml, or remove this section"
                                           : "check the service name (no service path defines '" + it.key() + "'), or remove this section");
  }
  // Prerequisites are checked even when layout.yaml has errors, so one run
  // reports both; deploy-rules need the machines.
  CheckServiceGraphInputs(&ws, defined, allow_missing, layout.has_value(), &ctx);
  CheckKnownFields(ws, svc_cfg, settings_file, &ctx);
  ReportPrerequisiteCycle(ws, diags);

  std::string roles = fs::Join(ws.root, "roles");
  ws.builtin_roles_dir = fs::Join(builtin, "_roles");
  ws.roles_dir = fs::IsDirectory(roles) ? roles : ws.builtin_roles_dir;
  if (diags->ErrorCount() != errors_before) return std::nullopt;
  std::map<std::string, ojson> defaults = DisabledDefaults(defined, ws, &ctx);
  ws.cluster_cfg = BuildClusterCfg(ws, defaults);
  for (const auto& [name, def] : ws.services) defaults[name] = def.defaults;
  if (!ApplyConfigParsers(&ws, defined, defaults, diags)) return std::nullopt;
  std::sort(ws.input_files.begin(), ws.input_files.end());
  return ws;
}

}  // namespace paiplan::config
