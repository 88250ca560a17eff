#include "engine/plan/desired.h"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

#include "engine/plan/output_binding.h"

#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/base/sha256.h"
#include "engine/config/mask_yaml.h"
#include "engine/config/services.h"
#include "engine/plan/object_desired.h"
#include "engine/plan/role_package.h"
#include "providers/kubernetes/node_affinity.h"
#include "providers/kubernetes/paictl_affinity.h"
#include "providers/template/jinja.h"

namespace paiplan::plan {

std::string RenderPath(const std::string& paiplan_dir, const std::string& service, const std::string& file) {
  return fs::Join(paiplan_dir, "rendered/" + service + "/" + file);
}

Result<std::string> RenderPathOf(const std::string& paiplan_dir, const std::string& address) {
  if (!address.starts_with("render.")) return Err(Status::InvalidArgument(address + " is not a render address"));
  std::string rest = address.substr(7);
  auto slash = rest.find('/');
  if (slash == std::string::npos) {
    return Err(Status::InvalidArgument("address " + address + " has no file part (render.<service>/<file>)"));
  }
  std::string what = "address " + address + ":";
  PP_RETURN_IF_ERROR_R(fs::CheckSingleName(rest.substr(0, slash), what + " service name"));
  PP_RETURN_IF_ERROR_R(fs::CheckRelativeName(rest.substr(slash + 1), what + " file name"));
  return RenderPath(paiplan_dir, rest.substr(0, slash), rest.substr(slash + 1));
}

Status CheckAddressNames(const std::string& address) {
  if (address.starts_with("render.")) {
    auto p = RenderPathOf("", address);
    return p ? Status::Ok() : p.error();
  }
  auto dot = address.find('.');
  if (dot == std::string::npos) return Status::InvalidArgument("address " + address + " has no kind (kind.name)");
  std::string kind = address.substr(0, dot);
  if (kind == "service" || kind == "node" || kind == "label") {
    return fs::CheckSingleName(address.substr(dot + 1), "address " + address + ": name");
  }
  return fs::CheckSingleLine(address, "address");
}

std::map<std::string, std::string> ClusterConfigData(const config::Workspace& ws) {
  std::map<std::string, std::string> data;
  for (const char* name : {"layout.yaml", "services-configuration.yaml", "kubernetes-configuration.yaml",
                           "k8s-role-definition.yaml"}) {
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

// Whether `to` is reachable from `from` over the graph's dependents.
bool Reaches(const graph::ResourceGraph& g, int from, int to) {
  std::vector<int> stack = {from};
  std::set<int> seen;
  while (!stack.empty()) {
    int cur = stack.back();
    stack.pop_back();
    if (cur == to) return true;
    if (!seen.insert(cur).second) continue;
    for (int d : g.dependents(size_t(cur))) stack.push_back(d);
  }
  return false;
}

// The producers whose outputs `consumer` reads must exist and must not
// depend on it (that would be a cycle).
void CheckProducers(const graph::ResourceGraph& g, const std::string& consumer,
                    const std::vector<std::string>& producers, Diagnostics* diags) {
  int c = g.Find(consumer);
  for (const auto& p : producers) {
    int pi = g.Find(p);
    if (pi < 0) {
      diags->Error({}, consumer + ": reads outputs of " + p + ", which is not a resource of this workspace",
                   "name a node.<hostname> or service.<name> address (paiplan graph lists them)");
    } else if (Reaches(g, c, pi)) {
      diags->Error({}, consumer + ": reads outputs of " + p + ", which depends on " + consumer + " (a cycle)",
                   "read outputs only of resources that come before it");
    }
  }
}

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
    d.hash = NodeHash(d.attributes);
    // How to reach the machine, recorded (outside the hash: changing a key
    // file must not re-bootstrap) so a machine removed from layout.yaml can
    // still be observed and cleaned. Not secrets; passwords are never kept.
    if (!m.keyfile_path.empty()) d.attributes["keyfile_path"] = m.keyfile_path;
    if (!m.proxy_jump.empty()) d.attributes["proxy_jump"] = m.proxy_jump;
    // Its Node's name, for draining and deleting it once the machine is removed.
    d.attributes["nodename"] = m.nodename;
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

// Renders every template of `svc`; returns file → sha256. Outputs a
// template reads are bound through `lookup` (null: none are known yet).
ojson AddRenders(const config::Workspace& ws, const config::ServiceDef& svc, nlohmann::ordered_json& ctx,
                 const OutputLookup* lookup, Diagnostics* diags, std::map<std::string, Desired>* out,
                 ojson* outputs_used) {
  ojson hashes = ojson::object();
  for (const auto& f : svc.templates) {
    std::string address = "render." + svc.name + "/" + f;
    auto text = fs::ReadFile(fs::Join(svc.deploy_dir, f + ".template"));
    auto refs = text ? FindOutputRefs(*text) : std::vector<std::pair<std::string, std::string>>{};
    static const OutputLookup kNothingYet = [](const std::string&, const std::string&) {
      return OutputLookupResult{OutputState::kUnknown, "", ""};
    };
    auto bound = BindOutputs(refs, lookup ? *lookup : kNothingYet);
    if (!bound) {
      diags->Error({fs::Join(svc.deploy_dir, f + ".template"), 0, 0}, address + ": " + bound.error().message());
      continue;
    }
    std::vector<tmpl::UndefinedOutput> undefined;
    auto rendered = RenderServiceFile(ws, svc, f, ctx, bound->context, &undefined);
    for (const auto& u : undefined) ReportUndefined(ws, fs::Join(svc.deploy_dir, f + ".template"), u, 1, diags);
    if (!rendered) {
      diags->Error({}, address + ": " + rendered.error().message(),
                   "fix the template, or check it with: paiplan render " + fs::Join(svc.deploy_dir, f + ".template"));
      continue;
    }
    Desired d;
    d.address = address;
    d.kind = graph::Kind::kRender;
    d.hash = Sha256Hex(*rendered);
    d.attributes = {{"service", svc.name}, {"file", f}, {"path", ".paiplan/rendered/" + svc.name + "/" + f},
                    {"sha256", d.hash}, {"size", rendered->size()}};
    if (!refs.empty()) {
      d.attributes["outputs_used"] = bound->used;
      d.resource_deps = bound->producers;  // completed with the graph's edges by ComputeDesired
      outputs_used->update(bound->used);
    }
    d.content = std::move(*rendered);
    hashes[f] = d.hash;
    out->emplace(d.address, std::move(d));
  }
  return hashes;
}

void AddServices(const config::Workspace& ws, const graph::ResourceGraph& g, const OutputLookup* lookup,
                 Diagnostics* diags, std::map<std::string, Desired>* out) {
  // Built once here, not once per template (a per-template copy or a
  // dump+parse is quadratic in the machine count). cluster_cfg is used as
  // loaded: dicts iterate in YAML order, as in Jinja2 and `paiplan render`.
  nlohmann::ordered_json ctx = nlohmann::ordered_json::object();
  ctx["cluster_cfg"] = ws.cluster_cfg;
  for (const auto& [name, svc] : ws.services) {
    ojson outputs_used = ojson::object();
    ojson renders = AddRenders(ws, svc, ctx, lookup, diags, out, &outputs_used);
    ojson deploy_files = ojson::object();
    auto files = fs::ListFilesRecursive(svc.deploy_dir);
    if (!files && files.error().code() != Code::kNotFound) {
      diags->Error({svc.deploy_dir, 0, 0}, "service." + name + ": " + files.error().message(),
                   "copy the file into the service directory instead of linking it");
    }
    if (files) {
      for (const auto& f : *files) {
        auto text = fs::ReadFile(fs::Join(svc.deploy_dir, f));
        deploy_files[f] = text ? Sha256Hex(*text) : "unreadable";
      }
    }
    // The script library the working copy gets (services/_lib/) is part of the service.
    if (std::string lib = config::ServiceLibDir(svc); !lib.empty()) {
      for (const auto& f : fs::ListFilesRecursive(lib).value_or(std::vector<std::string>{}))
        deploy_files["_lib/" + f] = Sha256Hex(fs::ReadFile(fs::Join(lib, f)).value_or("unreadable"));
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
    if (!outputs_used.empty()) d.attributes["outputs_used"] = outputs_used;
    d.hash = HashJson(d.attributes);
    out->emplace(d.address, std::move(d));
  }
}

}  // namespace

std::string NodeHash(const ojson& attributes) {
  ojson hashed = attributes;
  for (const char* k : {"keyfile_path", "proxy_jump", "nodename"}) hashed.erase(k);
  return HashJson(hashed);
}

Result<std::string> RenderServiceFile(const config::Workspace& ws, const config::ServiceDef& svc,
                                      const std::string& file, nlohmann::ordered_json& ctx,
                                      const nlohmann::ordered_json& outputs,
                                      std::vector<tmpl::UndefinedOutput>* undefined) {
  std::string src = fs::Join(svc.deploy_dir, file + ".template");
  PP_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(src));
  bool with_outputs = !outputs.empty();
  if (with_outputs) ctx["outputs"] = outputs;
  auto rendered = tmpl::Render(text, ctx, fs::Join(svc.name + "/deploy", file + ".template"), undefined);
  if (with_outputs) ctx.erase("outputs");
  if (!rendered) return Err(rendered.error());
  std::vector<kube::DeployRule> rules;
  for (const auto& r : svc.deploy_rules) rules.push_back({r.label, r.in});
  if (ws.settings.paictl_deploy_rules) {
    // paiplan.yaml deploy-rules-output: paictl — paictl's files, byte for byte.
    if (rules.empty() || !kube::PaictlPostProcesses(file)) return rendered;
    auto processed = kube::PaictlDeployRules(*rendered, rules, file);
    if (!processed) {
      std::string m = processed.error().message();
      if (m.starts_with(file + ": ")) m = m.substr(file.size() + 2);
      return Err(Status::InvalidArgument(m + " (or use deploy-rules-output: paiplan, the default)"));
    }
    return processed;
  }
  bool manifest = file.ends_with(".yaml") || file.ends_with(".yml");
  if (!manifest || rules.empty()) return rendered;
  // Helm values (services/README.md): the chart's `affinity:` keys get the rules.
  bool values = file.ends_with("-values.yaml") || file.ends_with("-values.yml");
  auto injected = values ? kube::InjectValuesAffinity(*rendered, rules, file)
                         : kube::InjectNodeAffinity(*rendered, rules, file);
  if (!injected) {
    return Err(Status::InvalidArgument(injected.error().message() + " (the rendered manifest must be valid YAML)"));
  }
  return std::move(*injected);
}

std::map<std::string, Desired> ComputeDesired(const config::Workspace& ws, const graph::ResourceGraph& g,
                                              const std::string& kube_namespace, Diagnostics* diags,
                                              const RecordedOutputs* recorded) {
  std::map<std::string, Desired> out;
  AddNodes(ws, g, diags, &out);
  if (g.Find("config.cluster") >= 0) {
    AddLabels(ws, &out);
    AddConfig(ws, kube_namespace, &out);
  }
  std::optional<OutputLookup> lookup;
  if (recorded) {
    lookup = PlanTimeLookup(*recorded, [&out](const std::string& a) {
      auto it = out.find(a);
      return it == out.end() ? std::string() : it->second.hash;
    });
  }
  AddServices(ws, g, lookup ? &*lookup : nullptr, diags, &out);
  for (auto& [addr, d] : out) {
    int i = g.Find(addr);
    if (i < 0) continue;
    CheckProducers(g, addr, d.resource_deps, diags);
    for (int dep : g.deps(size_t(i))) d.resource_deps.push_back(g.at(size_t(dep)).address);
    std::sort(d.resource_deps.begin(), d.resource_deps.end());
    d.resource_deps.erase(std::unique(d.resource_deps.begin(), d.resource_deps.end()), d.resource_deps.end());
  }
  if (g.Find("config.cluster") >= 0) {
    AddObjects(ws, diags, &out);
  } else {
    for (const auto& [name, svc] : ws.services) {
      if (IsNativeService(svc) && !svc.templates.empty())
        diags->Warning(svc.loc, "service '" + name + "' has no start-script and no Kubernetes cluster is configured: "
                       "its objects are not applied", "configure `kubernetes:` in paiplan.yaml, or set KUBECONFIG");
    }
  }
  return out;
}

}  // namespace paiplan::plan
