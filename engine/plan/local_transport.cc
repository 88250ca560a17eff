#include "engine/plan/local_transport.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "providers/script/process.h"

namespace paiplan::plan {

namespace {

// The words of a command that needs no shell: only letters, digits, spaces
// and `_./:=+,@%-`, and no leading VAR=value. That is every command the node
// handler sends (`bash ./bootstrap.sh`); spawning it directly saves the
// /bin/sh process per action. nullopt: run it with /bin/sh -c.
std::optional<std::vector<std::string>> PlainWords(const std::string& cmd) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : cmd) {
    bool word_char = std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./:=+,@%-", c) != nullptr;
    if (c == ' ') {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else if (word_char) {
      cur += c;
    } else {
      return std::nullopt;
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  if (words.empty() || words[0].find('=') != std::string::npos) return std::nullopt;
  return words;
}

}  // namespace

LocalTransport::LocalTransport(std::string root) : root_(std::move(root)) {}

std::string LocalTransport::Describe() const { return "local:" + root_; }

std::string LocalTransport::Map(const std::string& p) const {
  if (p.empty()) return root_;
  return p[0] == '/' ? root_ + p : fs::Join(root_, p);
}

Result<providers::ExecResult> LocalTransport::Exec(const providers::ExecRequest& req) {
  PP_RETURN_IF_ERROR_R(fs::MakePaiplanDirs(root_));
  script::ProcessRequest p;
  p.cwd = Map(req.cwd);
  p.env = req.env;
  p.env["PAIPLAN_NODE_ROOT"] = root_;
  p.env["PAIPLAN_TRANSPORT"] = "local";  // role packages that install for real refuse to run here
  // A path on the "machine" (the node handler's outputs file) is under root_ here.
  if (auto o = p.env.find("PAIPLAN_OUTPUTS"); o != p.env.end() && !o->second.empty()) o->second = Map(o->second);
  p.timeout = req.timeout;
  p.on_output = req.on_output;
  auto words = PlainWords(req.command);
  Result<script::ProcessResult> run = Err(Status::NotFound(""));
  if (words) {
    p.argv = std::move(*words);
    run = script::RunProcess(p);
  }
  // Not plain, or not startable directly (program not on PATH, cwd missing):
  // the shell runs it and reports the problem the way it always has.
  if (!run && run.error().code() == Code::kNotFound) {
    p.argv = {"/bin/sh", "-c", req.command};
    run = script::RunProcess(p);
  }
  PP_ASSIGN_OR_RETURN(auto r, std::move(run));
  if (r.timed_out) {
    return Err(Status::DeadlineExceeded("command timed out after " + std::to_string(req.timeout.count() / 1000) +
                               " s on " + Describe() + "; its process group was killed"));
  }
  providers::ExecResult out;
  out.exit_status = r.exit_status;
  out.stdout_tail = r.output_tail;
  return out;
}

// Atomic but not fsynced, like the SSH transport's upload (write a temporary
// file, rename): what a node holds is observed by the next plan, and a lost
// or empty file there is drift that re-runs the bootstrap. The state is the
// durable record.
Status LocalTransport::Upload(const std::string& remote_path, const std::string& content, int mode) {
  // The root (under .paiplan/) and everything below it are reached without
  // following a link, and no '..' leaves it (path_policy.h).
  PP_RETURN_IF_ERROR(fs::MakePaiplanDirs(root_));
  return fs::WriteInside(root_, Rel(remote_path), content, mode, false);
}

// Reading and removing create nothing: the walk starts at the workspace.
Result<std::optional<std::string>> LocalTransport::ReadFile(const std::string& remote_path) {
  return fs::ReadPaiplanFile(fs::Join(root_, Rel(remote_path)));
}

Status LocalTransport::RemoveFile(const std::string& remote_path) {
  return fs::RemovePaiplanPath(fs::Join(root_, Rel(remote_path)));
}

std::string LocalTransport::Rel(const std::string& remote_path) {
  size_t i = remote_path.find_first_not_of('/');
  return i == std::string::npos ? "" : remote_path.substr(i);
}

}  // namespace paiplan::plan
