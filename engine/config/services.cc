#include "engine/config/services.h"

#include <algorithm>
#include <functional>
#include <set>

#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/config/schema_check.h"

namespace paiplan::config {

std::map<std::string, std::string> DiscoverServices(const std::vector<std::string>& paths) {
  std::map<std::string, std::string> out;
  for (const auto& p : paths) {
    auto entries = fs::ListDir(p);
    if (!entries) continue;
    for (const auto& name : *entries) {
      if (name.empty() || name[0] == '_' || name[0] == '.') continue;
      std::string root = fs::Join(p, name);
      if (!fs::Exists(fs::Join(root, "deploy/service.yaml"))) continue;
      out.emplace(name, root);  // the first path that defines a name wins
    }
  }
  return out;
}

namespace {

// A name from service.yaml must be a plain relative name inside deploy/
// (path_policy.h), and the file must exist there.
void CheckFile(const YamlFile& f, const std::string& dir, const std::string& ptr,
               const std::string& file, const std::string& what, LoadContext* ctx) {
  Status name_ok = fs::CheckRelativeName(file, what);
  if (!name_ok.ok()) {
    ctx->diags->Error(ctx->Loc(f, ptr), name_ok.message(),
                      "name a file inside " + ctx->Display(dir) + " (scripts and templates cannot be taken from elsewhere)");
    return;
  }
  if (fs::Exists(fs::Join(dir, file))) return;
  ctx->diags->Error(ctx->Loc(f, ptr), what + " '" + file + "' does not exist in " + ctx->Display(dir),
                    "create " + ctx->Display(fs::Join(dir, file)) + " or fix the name");
}

// A script is valid when it is a file of deploy/, or when template-list
// produces it (its F.template exists, checked with the templates): paictl
// rendered the templates before it ran the script, and so does paiplan (the
// render.<service>/F action writes it into the working copy the script runs in).
void CheckScript(const YamlFile& f, const ServiceDef& def, const char* key, const std::string& script,
                 LoadContext* ctx) {
  const std::string& dir = def.deploy_dir;
  // The path policy first: "../x.sh" may well exist, outside deploy/.
  Status name_ok = fs::CheckRelativeName(script, key);
  if (!name_ok.ok()) {
    ctx->diags->Error(ctx->Loc(f, std::string("/") + key), name_ok.message(),
                      "name a file inside " + ctx->Display(dir) + " (scripts and templates cannot be taken from elsewhere)");
    return;
  }
  if (fs::Exists(fs::Join(dir, script))) return;
  if (std::find(def.templates.begin(), def.templates.end(), script) != def.templates.end()) return;
  std::string tmpl = script + ".template";
  bool has_template = fs::Exists(fs::Join(dir, tmpl));
  ctx->diags->Error(ctx->Loc(f, std::string("/") + key),
                    std::string(key) + " '" + script + "' is neither a file in " + ctx->Display(dir) +
                        " nor produced by template-list" +
                        (has_template ? " (" + tmpl + " exists but '" + script + "' is not in template-list)" : ""),
                    has_template ? "add '" + script + "' to template-list so it is rendered before it runs"
                                 : "create " + ctx->Display(fs::Join(dir, script)) + " (or " + tmpl +
                                       " listed in template-list), or fix the name");
}

void ReadScripts(const YamlFile& f, ServiceDef* def, LoadContext* ctx) {
  const ojson& v = f.value;
  struct Slot { const char* key; std::string* out; };
  Slot slots[] = {{"start-script", &def->start_script}, {"stop-script", &def->stop_script},
                  {"delete-script", &def->delete_script}, {"refresh-script", &def->refresh_script},
                  {"status-script", &def->status_script}};
  for (auto& s : slots) {
    if (!v.contains(s.key)) continue;
    *s.out = v[s.key].get<std::string>();
    CheckScript(f, *def, s.key, *s.out, ctx);
  }
  if (v.contains("upgraded-script")) {
    // OpenPAI documents upgraded-script as "not supported yet" and paictl
    // never ran it; paiplan accepts it the same way and says what it does.
    std::string instead = def->refresh_script.empty()
                              ? "runs the start-script '" + def->start_script + "' again (no refresh-script)"
                              : "runs the refresh-script '" + def->refresh_script + "'";
    ctx->diags->Warning(ctx->Loc(f, "/upgraded-script", true),
                        "service '" + def->name + "': upgraded-script '" + v["upgraded-script"].get<std::string>() +
                            "' is never run (OpenPAI documents it as not supported; paictl never ran it). "
                            "When the service's inputs change, paiplan " + instead +
                            " as an update of service." + def->name,
                        "remove upgraded-script from service.yaml to silence this warning");
  }
}

}  // namespace

std::optional<ServiceDef> LoadService(const std::string& name, const std::string& root,
                                      LoadContext* ctx) {
  ServiceDef def;
  def.name = name;
  def.root_dir = root;
  def.deploy_dir = fs::Join(root, "deploy");
  std::string yaml_path = fs::Join(def.deploy_dir, "service.yaml");
  def.service_yaml = ctx->Display(yaml_path);
  def.loc = {def.service_yaml, 1, 1};
  // Links are never followed in a service package (path_policy.h).
  auto listing = fs::ListFilesRecursive(root);
  if (!listing) {
    ctx->diags->Error({ctx->Display(root), 0, 0}, "service '" + name + "': " + listing.error().message(),
                      "copy the file into the service directory instead of linking it");
    return std::nullopt;
  }
  auto f = LoadYamlFile(yaml_path, def.service_yaml, ctx->diags);
  if (!f) return std::nullopt;
  if (f->value.is_null()) {
    ctx->diags->Error(def.loc, "service.yaml of '" + name + "' is empty",
                      "a service needs at least a start-script");
    return std::nullopt;
  }
  if (!CheckSchema(*f, "service.schema.json", &ctx->finder, ctx->diags)) return std::nullopt;
  const ojson& v = f->value;
  if (v.contains("prerequisite") && v["prerequisite"].is_array()) {
    for (size_t i = 0; i < v["prerequisite"].size(); ++i) {
      def.prerequisites.push_back(v["prerequisite"][i].get<std::string>());
      def.prerequisite_locs.push_back(ctx->Loc(*f, "/prerequisite/" + std::to_string(i)));
    }
  }
  if (v.contains("template-list") && v["template-list"].is_array()) {
    for (size_t i = 0; i < v["template-list"].size(); ++i) {
      std::string t = v["template-list"][i].get<std::string>();
      def.templates.push_back(t);
      CheckFile(*f, def.deploy_dir, "/template-list/" + std::to_string(i), t + ".template",
                "template", ctx);
    }
  }
  ReadScripts(*f, &def, ctx);
  if (v.contains("ready-timeout") && v["ready-timeout"].is_number_integer()) def.ready_timeout = v["ready-timeout"].get<int>();
  if (v.contains("deploy-rules") && v["deploy-rules"].is_array()) {
    for (size_t i = 0; i < v["deploy-rules"].size(); ++i) {
      const ojson& r = v["deploy-rules"][i];
      bool in = r.contains("in");
      def.deploy_rules.push_back({r[in ? "in" : "notin"].get<std::string>(), in,
                                  ctx->Loc(*f, "/deploy-rules/" + std::to_string(i))});
    }
  }
  std::string cfg_path = fs::Join(root, "config/" + name + ".yaml");
  if (fs::Exists(cfg_path)) {
    auto cfg = LoadYamlFile(cfg_path, ctx->Display(cfg_path), ctx->diags);
    if (!cfg) return std::nullopt;
    if (!CheckSchema(*cfg, "service-config.schema.json", &ctx->finder, ctx->diags)) return std::nullopt;
    def.defaults = cfg->value.is_null() ? ojson::object() : cfg->value;
  } else {
    def.defaults = ojson::object();
  }
  return def;
}

void CheckServiceGraphInputs(Workspace* ws, const std::map<std::string, std::string>& defined,
                             bool allow_missing, bool layout_loaded, LoadContext* ctx) {
  std::set<std::string> carried;
  for (const auto& m : ws->machines) carried.insert(m.labels.begin(), m.labels.end());
  for (auto& [name, def] : ws->services) {
    for (const auto& rule : def.deploy_rules) {
      if (!layout_loaded || !rule.in || carried.count(rule.label)) continue;
      ctx->diags->Error(rule.loc, "service '" + name + "': deploy-rule 'in: " + rule.label +
                                      "' selects no machine: no machine in layout.yaml carries label '" +
                                      rule.label + "'",
                        "add '" + rule.label + ": \"true\"' to the machines that should run " + name);
    }
    std::vector<std::string> kept;
    for (size_t i = 0; i < def.prerequisites.size(); ++i) {
      const std::string& p = def.prerequisites[i];
      if (ws->services.count(p)) {
        kept.push_back(p);
        continue;
      }
      if (ctx->enabled_names.count(p)) continue;  // enabled but broken: reported already
      std::string msg, hint;
      if (defined.count(p)) {
        msg = "service '" + name + "' requires '" + p + "', which is defined in " +
              ctx->Display(defined.at(p)) + " but not enabled";
        hint = "add '" + p + "' to enabled-services in paiplan.yaml";
      } else {
        msg = "service '" + name + "' requires '" + p + "', which no service path defines";
        hint = "define " + p + "/deploy/service.yaml under services/, fix the name, or pass --allow-missing";
      }
      if (allow_missing) {
        ctx->diags->Warning(def.prerequisite_locs[i], msg + " (ignored: --allow-missing)",
                            "remove '" + p + "' from the prerequisites of " + name + " once it is really gone");
      } else {
        ctx->diags->Error(def.prerequisite_locs[i], msg, hint);
      }
    }
    if (allow_missing) def.prerequisites = kept;
  }
}

namespace {

// Finds a prerequisite cycle among services; returns it as a closed path
// (first == last) or empty.
std::vector<std::string> FindServiceCycle(const config::Workspace& ws) {
  std::map<std::string, int> color;  // 0 white, 1 grey, 2 black
  std::vector<std::string> stack, cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& s) {
    color[s] = 1;
    stack.push_back(s);
    const auto& def = ws.services.at(s);
    std::vector<std::string> pre = def.prerequisites;
    std::sort(pre.begin(), pre.end());
    for (const auto& p : pre) {
      if (!ws.services.count(p)) continue;
      if (color[p] == 1) {
        auto it = std::find(stack.begin(), stack.end(), p);
        cycle.assign(it, stack.end());
        cycle.push_back(p);
        return true;
      }
      if (color[p] == 0 && visit(p)) return true;
    }
    stack.pop_back();
    color[s] = 2;
    return false;
  };
  for (const auto& [name, _] : ws.services) {
    if (color[name] == 0 && visit(name)) break;
  }
  // Print in dependency direction: prerequisite → dependent.
  std::reverse(cycle.begin(), cycle.end());
  return cycle;
}

}  // namespace

bool ReportPrerequisiteCycle(const Workspace& ws, Diagnostics* diags) {
  auto cycle = FindServiceCycle(ws);
  if (cycle.empty()) return false;
  std::string path, files;
  for (size_t i = 0; i < cycle.size(); ++i) path += (i ? " → " : "") + cycle[i];
  for (size_t i = 0; i + 1 < cycle.size(); ++i) files += (i ? ", " : "") + ws.services.at(cycle[i]).service_yaml;
  // Point at the entry that closes the first step: cycle[1] requires cycle[0].
  const auto& second = ws.services.at(cycle[1]);
  SourceLoc loc = second.loc;
  for (size_t i = 0; i < second.prerequisites.size() && i < second.prerequisite_locs.size(); ++i) {
    if (second.prerequisites[i] == cycle[0]) loc = second.prerequisite_locs[i];
  }
  diags->Error(loc, "prerequisite cycle: " + path + " (defined in " + files + ")",
               "remove one of these prerequisites so the services can start in some order");
  return true;
}

std::string ServiceLibDir(const ServiceDef& svc) {
  std::string lib = fs::Join(fs::Dirname(svc.root_dir), "_lib");
  return fs::IsDirectory(lib) ? lib : "";
}

}  // namespace paiplan::config
