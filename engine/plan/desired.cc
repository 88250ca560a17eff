#include "engine/plan/desired.h"

#include <set>
#include <tuple>

#include "engine/base/fs.h"
#include "engine/base/sha256.h"
#include "engine/config/mask_yaml.h"
#include "engine/plan/role_package.h"
#include "providers/kubernetes/node_affinity.h"
#include "providers/template/jinja.h"

namespace paiplan::plan {

std::string RenderPath(const std::string& paiplan_dir, const std::string& service, const std::string& file) {
  return fs::Join(paiplan_dir, "rendered/" + service + "/" + file);
}

std::map<std::string, std::string> ClusterConfigData(const config::Workspace& ws) {
  std::map<std::string, std::string> data;
  for (const char* name : {"layout.yaml", "services-configuration.yaml", "kubernetes-configuration.yaml"}) {
    // Secrets (machine passwords, sensitive config keys) never go to the
    // cluster in clear: masked in what is pushed and in what is hashed.
    auto text = fs::ReadFile(fs::Join(ws.root, name));
    if (text) data[name] = config::MaskSensitiveYaml(*text);
  }
  return data;
}

std::string WorkspaceHash(const config::Workspace& ws) {
  Sha256 h;
  std::vector<std::string> files = ws.input_files;
  std::set<std::string> used;
  for (const auto& m : ws.machines) used.insert(m.role);
  for (const auto& role : used) {
    std::string dir = ws.RoleDir(role);
    auto roles = fs::ListFilesRecursive(dir);
    if (roles) for (const auto& f : *roles) files.push_back(fs::Join(dir, f));
  }
  for (const auto& f : files) {
    auto text = fs::ReadFile(f);
    h.Update(f);
    h.Update(std::string_view("\0", 1));
    h.Update(text ? Sha256Hex(*text) : "missing");
  }
  return h.HexDigest();
}

namespace {

std::string HashJson(const ojson& j) { return Sha256Hex(j.dump()); }

// An undefined `{{ value }}` renders as "" (as in Jinja2): a warning, or an
// error under templates.strict / --strict-templates. `times` > 1 when the same
// template line printed it for several machines.
void ReportUndefined(const config::Workspace& ws, const std::string& file, const tmpl::UndefinedOutput& u,
                     size_t times, Diagnostics* diags) {
  std::string msg = "'{{ " + u.expression + " }}' is undefined and renders as empty";
  if (times > 1) msg += " (for " + std::to_string(times) + " machines)";
  SourceLoc loc{file, u.line, u.col};
  if (ws.settings.strict_templates) {
    diags->Error(loc, msg, "define the value (services-configuration.yaml, layout.yaml), or guard it with "
                           "`is defined` or `| default(...)` in the template");
  } else {
    diags->Warning(loc, msg, "define the value, or guard it with `| default(...)`; --strict-templates "
                             "(paiplan.yaml templates: {strict: true}) makes this an error");
  }
}

// The hint for a role template that failed: the built-in role packages read
// layout.yaml's kubernetes: section, which a new workspace often lacks.
std::string RoleRenderHint(const config::Workspace& ws, const std::string& role) {
  if (ws.RoleDir(role).rfind(ws.builtin_roles_dir, 0) == 0 && !ws.builtin_roles_dir.empty()) {
    return "the built-in role packages read layout.yaml's kubernetes: section; add it to layout.yaml, e.g. "
           "kubernetes: {cluster-dns: 10.96.0.10, load-balance-ip: <master ip>, docker-registry: "
           "docker.io/openpai, ...} (docs/workspace.md lists the keys), or give the workspace its own roles/" +
           role + "/";
  }
  return "fix the role template in " + ws.RoleDir(role) + " (check it with: paiplan render FILE)";
}

void AddNodes(const config::Workspace& ws, const graph::ResourceGraph& g, Diagnostics* diags,
              std::map<std::string, Desired>* out) {
  RolePackager packager(ws, diags);
  if (diags->HasErrors()) return;
  // The same undefined value for every machine of a role is reported once.
  std::map<std::tuple<std::string, int, int, std::string>, size_t> undefined;
  std::set<std::string> failed_roles;
  for (const auto& m : ws.machines) {
    std::vector<RolePackager::Undefined> undef;
    auto pkg = packager.Build(m, &undef);
    for (const auto& u : undef) ++undefined[{u.file, u.at.line, u.at.col, u.at.expression}];
    if (!pkg) {
      // One error per role (not per machine): the template is the same.
      if (failed_roles.insert(m.role).second) {
        diags->Error({}, "node." + m.hostname + ": " + pkg.error().message(), RoleRenderHint(ws, m.role));
      }
      continue;
    }
    Desired d;
    d.address = "node." + m.hostname;
    d.kind = graph::Kind::kNode;
    d.machine = m.hostname;
    d.attributes = {{"hostname", m.hostname}, {"hostip", m.hostip},       {"role", m.role},
                    {"transport", m.local ? "local" : "ssh"},   {"sshport", m.sshport}, {"username", m.username},
                    {"package_hash", pkg->hash}, {"state_dir", ws.settings.node_state_dir}};
    d.hash = HashJson(d.attributes);
    // How to reach the machine, recorded (outside the hash: changing a key
    // file must not re-bootstrap) so a machine removed from layout.yaml can
    // still be observed and cleaned. Not secrets; passwords are never kept.
    if (!m.keyfile_path.empty()) d.attributes["keyfile_path"] = m.keyfile_path;
    if (!m.proxy_jump.empty()) d.attributes["proxy_jump"] = m.proxy_jump;
    out->emplace(d.address, std::move(d));
  }
  for (const auto& [key, times] : undefined) {
    const auto& [file, line, col, expr] = key;
    ReportUndefined(ws, file, {line, col, expr}, times, diags);
  }
}

void AddLabels(const config::Workspace& ws, std::map<std::string, Desired>* out) {
  for (const auto& m : ws.machines) {
    Desired d;
    d.address = "label." + m.hostname;
    d.kind = graph::Kind::kLabel;
    ojson labels = ojson::object();
    for (const auto& l : m.labels) labels[l] = "true";
    d.attributes = {{"nodename", m.nodename}, {"labels", labels}};
    d.hash = HashJson(d.attributes);
    out->emplace(d.address, std::move(d));
  }
}

void AddConfig(const config::Workspace& ws, const std::string& ns, std::map<std::string, Desired>* out) {
  Desired d;
  d.address = "config.cluster";
  d.kind = graph::Kind::kConfig;
  ojson files = ojson::object();
  for (const auto& [name, content] : ClusterConfigData(ws)) files[name] = Sha256Hex(content);
  d.attributes = {{"namespace", ns}, {"name", "pai-configuration"}, {"files", files}};
  d.hash = HashJson(d.attributes);
  out->emplace(d.address, std::move(d));
}

// Renders every template of `svc`; returns file → sha256.
ojson AddRenders(const config::Workspace& ws, const config::ServiceDef& svc, const nlohmann::ordered_json& ctx,
                 Diagnostics* diags, std::map<std::string, Desired>* out) {
  ojson hashes = ojson::object();
  std::vector<kube::DeployRule> rules;
  for (const auto& r : svc.deploy_rules) rules.push_back({r.label, r.in});
  for (const auto& f : svc.templates) {
    std::string src = fs::Join(svc.deploy_dir, f + ".template");
    auto text = fs::ReadFile(src);
    if (!text) {
      diags->Error({src, 0, 0}, text.error().message());
      continue;
    }
    std::vector<tmpl::UndefinedOutput> undefined;
    auto rendered = tmpl::Render(*text, ctx, fs::Join(svc.name + "/deploy", f + ".template"), &undefined);
    for (const auto& u : undefined) ReportUndefined(ws, src, u, 1, diags);
    if (!rendered) {
      diags->Error({}, "render." + svc.name + "/" + f + ": " + rendered.error().message(),
                   "fix the template, or check it with: paiplan render " + src);
      continue;
    }
    bool manifest = f.ends_with(".yaml") || f.ends_with(".yml");
    if (manifest && !rules.empty()) {
      // Helm values (services/README.md): the chart's `affinity:` keys get the rules.
      bool values = f.ends_with("-values.yaml") || f.ends_with("-values.yml");
      auto injected = values ? kube::InjectValuesAffinity(*rendered, rules, f)
                             : kube::InjectNodeAffinity(*rendered, rules, f);
      if (!injected) {
        diags->Error({}, "render." + svc.name + "/" + f + ": " + injected.error().message(),
                     "the rendered manifest must be valid YAML");
        continue;
      }
      rendered = std::move(*injected);
    }
    Desired d;
    d.address = "render." + svc.name + "/" + f;
    d.kind = graph::Kind::kRender;
    d.hash = Sha256Hex(*rendered);
    d.attributes = {{"service", svc.name}, {"file", f}, {"path", ".paiplan/rendered/" + svc.name + "/" + f},
                    {"sha256", d.hash}, {"size", rendered->size()}};
    d.content = std::move(*rendered);
    hashes[f] = d.hash;
    out->emplace(d.address, std::move(d));
  }
  return hashes;
}

void AddServices(const config::Workspace& ws, const graph::ResourceGraph& g, Diagnostics* diags,
                 std::map<std::string, Desired>* out) {
  // Built once here, not once per template (a per-template copy or a
  // dump+parse is quadratic in the machine count). cluster_cfg is used as
  // loaded: dicts iterate in YAML order, as in Jinja2 and `paiplan render`.
  nlohmann::ordered_json ctx = nlohmann::ordered_json::object();
  ctx["cluster_cfg"] = ws.cluster_cfg;
  for (const auto& [name, svc] : ws.services) {
    ojson renders = AddRenders(ws, svc, ctx, diags, out);
    ojson deploy_files = ojson::object();
    auto files = fs::ListFilesRecursive(svc.deploy_dir);
    if (files) {
      for (const auto& f : *files) {
        auto text = fs::ReadFile(fs::Join(svc.deploy_dir, f));
        deploy_files[f] = text ? Sha256Hex(*text) : "unreadable";
      }
    }
    ojson rules = ojson::array();
    for (const auto& r : svc.deploy_rules) rules.push_back({{r.in ? "in" : "notin", r.label}});
    Desired d;
    d.address = "service." + name;
    d.kind = graph::Kind::kService;
    d.attributes = {{"prerequisites", svc.prerequisites},
                    {"scripts", {{"start", svc.start_script}, {"refresh", svc.refresh_script},
                                 {"stop", svc.stop_script}, {"delete", svc.delete_script}}},
                    {"deploy_rules", rules},
                    {"hosts", graph::SelectedHosts(ws, svc).size()},
                    {"renders", renders},
                    {"deploy_files", deploy_files},
                    {"config", ws.ServiceConfig(name)}};
    // Only when set, so services without a probe keep their hashes.
    if (!svc.status_script.empty()) d.attributes["scripts"]["status"] = svc.status_script;
    d.hash = HashJson(d.attributes);
    out->emplace(d.address, std::move(d));
  }
}

}  // namespace

std::map<std::string, Desired> ComputeDesired(const config::Workspace& ws, const graph::ResourceGraph& g,
                                              const std::string& kube_namespace, Diagnostics* diags) {
  std::map<std::string, Desired> out;
  AddNodes(ws, g, diags, &out);
  if (g.Find("config.cluster") >= 0) {
    AddLabels(ws, &out);
    AddConfig(ws, kube_namespace, &out);
  }
  AddServices(ws, g, diags, &out);
  for (auto& [addr, d] : out) {
    int i = g.Find(addr);
    if (i < 0) continue;
    for (int dep : g.deps(size_t(i))) d.resource_deps.push_back(g.at(size_t(dep)).address);
  }
  return out;
}

}  // namespace paiplan::plan
