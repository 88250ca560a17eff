// LocalTransport: a machine that is a directory on this machine
// (`transport: local`, docs/workspace.md): <workspace>/.paiplan/local-nodes/<host>/.
// Remote absolute paths map under that root; relative paths are relative to
// the root. Commands run with /bin/sh -c (plain words like `bash ./x.sh`
// are spawned without the shell), cwd mapped the same way, and
// PAIPLAN_NODE_ROOT set to the root. Uploads are atomic renames, not fsynced,
// as over SSH.
//
// Thread-safety: as Transport (one action at a time).
#pragma once

#include <string>

#include "providers/transport.h"

namespace paiplan::plan {

class LocalTransport : public providers::Transport {
 public:
  explicit LocalTransport(std::string root);
  std::string Describe() const override;
  Result<providers::ExecResult> Exec(const providers::ExecRequest& request) override;
  Status Upload(const std::string& remote_path, const std::string& content, int mode) override;
  Result<std::optional<std::string>> ReadFile(const std::string& remote_path) override;
  Status RemoveFile(const std::string& remote_path) override;
  // Where `remote_path` lives on this machine.
  std::string Map(const std::string& remote_path) const;

 private:
  // `remote_path` relative to root_ (leading '/' removed).
  static std::string Rel(const std::string& remote_path);
  std::string root_;
};

}  // namespace paiplan::plan
