// Role packages (docs/howto-role-packages.md): the files a machine of a k8s-role gets,
// from roles/<role>/ of the workspace (else the built-in services/_roles/).
// `*.template` files are rendered per machine with {cluster_cfg, host}; the
// rest are copied. bootstrap.sh and clean.sh are the entry points. Files of
// roles/common/ are part of every role's package.
//
// Thread-safety: RolePackager is immutable after construction; Build may be
// called from several threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/base/diagnostics.h"
#include "engine/config/workspace.h"
#include "providers/template/jinja.h"

namespace paiplan::plan {

// roles/<kCommonRoleDir>/: files added to every role's package.
inline constexpr char kCommonRoleDir[] = "common";

struct RolePackage {
  std::vector<std::pair<std::string, std::string>> files;  // relative name → content, sorted
  std::string hash;  // sha256 over names and contents
};

class RolePackager {
 public:
  // Reads and parses every role's files once. Template syntax errors and a
  // missing bootstrap.sh go to `diags`.
  RolePackager(const config::Workspace& ws, Diagnostics* diags);
  // The package of machine `m`. Fails with the template's file:line:col on a
  // render error.
  Result<RolePackage> Build(const config::Machine& m) const;
  // An undefined `{{ value }}` printed while rendering a role template.
  struct Undefined {
    std::string file;  // the template's path
    tmpl::UndefinedOutput at;
  };
  // Like Build; also appends the undefined values printed to `undefined`.
  Result<RolePackage> Build(const config::Machine& m, std::vector<Undefined>* undefined) const;

 private:
  struct Role {
    std::string dir;
    std::vector<std::pair<std::string, std::string>> plain;  // copied files
    std::vector<std::pair<std::string, std::shared_ptr<tmpl::Template>>> templates;
    RolePackage fixed;  // without templates: the package of every machine of the role
  };
  const config::Workspace& ws_;
  std::map<std::string, Role> roles_;
  // {cluster_cfg, host}: built once; `host` is swapped per machine under the
  // mutex so the (large) cluster_cfg is never copied per machine.
  mutable std::mutex ctx_mu_;
  mutable nlohmann::ordered_json ctx_;
};

}  // namespace paiplan::plan
