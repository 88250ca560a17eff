#include "engine/plan/role_package.h"

#include <algorithm>
#include <set>

#include "engine/base/fs.h"
#include "engine/base/sha256.h"

namespace paiplan::plan {

namespace {

std::string HashPackage(const RolePackage& pkg) {
  Sha256 h;
  for (const auto& [name, content] : pkg.files) {
    h.Update(name);
    h.Update(std::string_view("\0", 1));
    h.Update(std::to_string(content.size()));
    h.Update(std::string_view("\0", 1));
    h.Update(content);
  }
  return h.HexDigest();
}

}  // namespace

RolePackager::RolePackager(const config::Workspace& ws, Diagnostics* diags) : ws_(ws) {
  bool any_templates = false;
  std::set<std::string> roles;
  for (const auto& m : ws.machines) roles.insert(m.role);
  for (const auto& role : roles) {
    Role r;
    r.dir = ws.RoleDir(role);
    auto files = fs::ListFilesRecursive(r.dir);
    if (!fs::IsDirectory(r.dir)) {
      diags->Error({}, "k8s-role '" + role + "' has no role package: neither roles/" + role +
                           "/ in the workspace nor a built-in one",
                   "create roles/" + role + "/bootstrap.sh in the workspace, or use a built-in k8s-role "
                   "(master, worker, proxy)");
      continue;
    }
    if (!files && files.error().code() == Code::kPermissionDenied) {  // a link (path_policy.h)
      diags->Error({r.dir, 0, 0}, "role package for k8s-role '" + role + "': " + files.error().message(),
                   "copy the file into the role package instead of linking it");
      continue;
    }
    if (!files || std::find(files->begin(), files->end(), "bootstrap.sh") == files->end()) {
      diags->Error({r.dir, 0, 0}, "role package for k8s-role '" + role + "' has no bootstrap.sh",
                   "create " + fs::Join(r.dir, "bootstrap.sh") + " (see services/_roles/ for the built-in ones)");
      continue;
    }
    // roles/common/ goes into every role's package (a role's own file of
    // the same name wins): shell and templates the roles share.
    std::vector<std::string> paths;
    for (const auto& f : *files) paths.push_back(fs::Join(r.dir, f));
    // The common files of the roles folder this role came from (a workspace
    // role with the workspace's roles/common/, a built-in one with the built-in).
    std::string common = fs::Join(fs::Dirname(r.dir), kCommonRoleDir);
    if (auto shared = fs::ListFilesRecursive(common); shared && fs::IsDirectory(common)) {
      for (const auto& f : *shared) {
        if (std::find(files->begin(), files->end(), f) != files->end()) continue;
        files->push_back(f);
        paths.push_back(fs::Join(common, f));
      }
    }
    for (size_t i = 0; i < files->size(); ++i) {
      const std::string& f = (*files)[i];
      auto text = fs::ReadFile(paths[i]);
      if (!text) {
        diags->Error({paths[i], 0, 0}, text.error().message());
        continue;
      }
      const std::string suffix = ".template";
      if (f.size() > suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0) {
        auto t = tmpl::Template::Parse(*text, paths[i]);
        if (!t) {
          diags->Error({paths[i], 0, 0}, t.error().message(), "fix the template syntax");
          continue;
        }
        r.templates.emplace_back(f.substr(0, f.size() - suffix.size()),
                                 std::make_shared<tmpl::Template>(std::move(*t)));
      } else {
        r.plain.emplace_back(f, std::move(*text));
      }
    }
    if (r.templates.empty()) {
      r.fixed.files = r.plain;
      r.fixed.hash = HashPackage(r.fixed);
    } else {
      any_templates = true;
    }
    roles_.emplace(role, std::move(r));
  }
  if (!any_templates) return;  // the (large) context is only needed to render
  ctx_ = nlohmann::ordered_json::object();
  ctx_["cluster_cfg"] = ws.cluster_cfg;
  ctx_["host"] = nullptr;
}

Result<RolePackage> RolePackager::Build(const config::Machine& m) const { return Build(m, nullptr); }

Result<RolePackage> RolePackager::Build(const config::Machine& m, std::vector<Undefined>* undefined) const {
  auto it = roles_.find(m.role);
  if (it == roles_.end()) return Err(Status::NotFound("no role package for k8s-role '" + m.role + "'"));
  const Role& r = it->second;
  if (r.templates.empty()) return r.fixed;  // the same for every machine of the role
  RolePackage pkg;
  pkg.files = r.plain;
  {
    std::lock_guard<std::mutex> lock(ctx_mu_);
    ctx_["host"] = ws_.layout["machine-list"][m.index];
    for (const auto& [name, t] : r.templates) {
      std::vector<tmpl::UndefinedOutput> undef;
      auto out = t->Render(ctx_, undefined ? &undef : nullptr);
      for (auto& u : undef) undefined->push_back({fs::Join(r.dir, name + ".template"), std::move(u)});
      if (!out) return Err(out.error());
      pkg.files.emplace_back(name, std::move(*out));
    }
    std::sort(pkg.files.begin(), pkg.files.end());
  }
  pkg.hash = HashPackage(pkg);
  return pkg;
}

}  // namespace paiplan::plan
