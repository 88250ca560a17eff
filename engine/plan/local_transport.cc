#include "engine/plan/local_transport.h"

#include <cstdio>

#include "engine/base/fs.h"
#include "providers/script/process.h"

namespace paiplan::plan {

LocalTransport::LocalTransport(std::string root) : root_(std::move(root)) {}

std::string LocalTransport::Describe() const { return "local:" + root_; }

std::string LocalTransport::Map(const std::string& p) const {
  if (p.empty()) return root_;
  return p[0] == '/' ? root_ + p : fs::Join(root_, p);
}

Result<providers::ExecResult> LocalTransport::Exec(const providers::ExecRequest& req) {
  PP_RETURN_IF_ERROR_R(fs::MakeDirs(root_));
  script::ProcessRequest p;
  p.argv = {"/bin/sh", "-c", req.command};
  p.cwd = Map(req.cwd);
  p.env = req.env;
  p.env["PAIPLAN_NODE_ROOT"] = root_;
  p.timeout = req.timeout;
  p.on_output = req.on_output;
  PP_ASSIGN_OR_RETURN(auto r, script::RunProcess(p));
  if (r.timed_out) {
    return Err(Status::DeadlineExceeded("command timed out after " + std::to_string(req.timeout.count() / 1000) +
                               " s on " + Describe() + "; its process group was killed"));
  }
  providers::ExecResult out;
  out.exit_status = r.exit_status;
  out.stdout_tail = r.output_tail;
  return out;
}

Status LocalTransport::Upload(const std::string& remote_path, const std::string& content, int mode) {
  std::string path = Map(remote_path);
  PP_RETURN_IF_ERROR(fs::MakeDirs(fs::Dirname(path)));
  return fs::WriteFileAtomic(path, content, mode);
}

Result<std::optional<std::string>> LocalTransport::ReadFile(const std::string& remote_path) {
  return fs::ReadFileIfExists(Map(remote_path));
}

Status LocalTransport::RemoveFile(const std::string& remote_path) {
  std::string path = Map(remote_path);
  if (std::remove(path.c_str()) != 0 && fs::Exists(path)) return Status::IOError("cannot remove " + path);
  return Status::Ok();
}

}  // namespace paiplan::plan
