// SshTransport's file operations over SFTP (Upload, ReadFile, RemoveFile).
#include <fcntl.h>

#include <string>
#include <string_view>
#include <vector>

#include "providers/ssh/ssh_connect.h"
#include "providers/ssh/ssh_transport.h"

namespace paiplan::providers::ssh {
namespace {

constexpr size_t kWriteChunk = 32 * 1024;  // safe for every SFTP server
constexpr size_t kReadChunk = 64 * 1024;
// Upload temps are named ".<name>.paiplan-tmp-<process token>-<random>".
constexpr char kTempMark[] = ".paiplan-tmp-";

std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Closes an sftp_file on scope exit unless closed explicitly.
class FileGuard {
 public:
  explicit FileGuard(sftp_file f) : f_(f) {}
  ~FileGuard() { Close(); }
  int Close() {
    int rc = SSH_OK;
    if (f_ != nullptr) rc = sftp_close(f_);
    f_ = nullptr;
    return rc;
  }
  sftp_file get() const { return f_; }

 private:
  sftp_file f_;
};

bool Exists(sftp_session sftp, const std::string& path) {
  sftp_attributes a = sftp_stat(sftp, path.c_str());
  if (a == nullptr) return false;
  sftp_attributes_free(a);
  return true;
}

}  // namespace

Status SshTransport::SftpError(const std::string& what, const std::string& path) {
  const std::string where = Describe();
  int code = session_->sftp != nullptr ? sftp_get_error(session_->sftp) : 0;
  bool lost = !ssh_is_connected(session_->ssh) || code == SSH_FX_CONNECTION_LOST ||
              code == SSH_FX_NO_CONNECTION || code == SSH_FX_OK;
  if (lost) {
    std::string err = ssh_get_error(session_->ssh);
    session_->broken = true;  // not freed here: open sftp_file handles still point into it
    return Status::Unavailable("connection to " + where + " lost during " + what + " " + path +
                               (err.empty() ? "" : ": " + err));
  }
  std::string reason;
  switch (code) {
    case SSH_FX_NO_SUCH_FILE: return Status::NotFound(what + " " + path + " on " + where + ": no such file");
    case SSH_FX_PERMISSION_DENIED: reason = "permission denied"; break;
    case SSH_FX_FILE_ALREADY_EXISTS: reason = "file already exists"; break;
    case SSH_FX_WRITE_PROTECT: reason = "read-only file system"; break;
    case SSH_FX_NO_MEDIA: reason = "no media"; break;
    default: reason = "SFTP error " + std::to_string(code); break;
  }
  return Status::IOError(what + " " + path + " on " + where + ": " + reason);
}

void SshTransport::DropBrokenLocked() {
  if (session_ && session_->broken) DisconnectLocked();
}

Status SshTransport::EnsureSftpLocked() {
  PP_RETURN_IF_ERROR(EnsureConnectedLocked());
  if (session_->sftp != nullptr) return Status::Ok();
  sftp_session sftp = sftp_new(session_->ssh);
  if (sftp == nullptr || sftp_init(sftp) != SSH_OK) {
    std::string err = ssh_get_error(session_->ssh);
    if (sftp != nullptr) sftp_free(sftp);
    DisconnectLocked();
    return Status::Unavailable("cannot start SFTP on " + Describe() + ": " + err);
  }
  session_->sftp = sftp;
  return Status::Ok();
}

// Runs `op` once; if it fails Unavailable on a session that existed before the
// call (it may have gone stale while idle), reconnects once and runs it again.
// Every SFTP operation here is idempotent, so the retry is safe.
template <typename Op>
auto RetryOnStale(bool had_session, Op op) -> decltype(op()) {
  auto r = op();
  bool unavailable;
  if constexpr (std::is_same_v<decltype(r), Status>) {
    unavailable = r.code() == Code::kUnavailable;
  } else {
    unavailable = !r && r.error().code() == Code::kUnavailable;
  }
  if (!had_session || !unavailable) return r;
  // EnsureConnectedLocked replaces a broken session. If the retry fails too,
  // its error says what was first lost ("connection ... lost during write
  // ...; reconnecting: cannot connect ...").
  std::string first;
  if constexpr (std::is_same_v<decltype(r), Status>) first = r.message();
  else first = r.error().message();
  auto again = op();
  if constexpr (std::is_same_v<decltype(again), Status>) {
    if (!again.ok() && again.message() != first) return Status(again.code(), first + "; reconnecting: " + again.message());
  } else {
    if (!again && again.error().message() != first)
      return decltype(again)(Err(Status(again.error().code(), first + "; reconnecting: " + again.error().message())));
  }
  return again;
}

Status SshTransport::Upload(const std::string& remote_path, const std::string& content, int mode) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.sftp_ops;
  Status s = RetryOnStale(session_ != nullptr,
                         [&] { return UploadLocked(remote_path, content, mode); });
  DropBrokenLocked();
  return s;
}

Result<std::optional<std::string>> SshTransport::ReadFile(const std::string& remote_path) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.sftp_ops;
  auto r = RetryOnStale(session_ != nullptr, [&] { return ReadFileLocked(remote_path); });
  DropBrokenLocked();
  return r;
}

Status SshTransport::RemoveFile(const std::string& remote_path) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.sftp_ops;
  Status s = RetryOnStale(session_ != nullptr, [&] { return RemoveFileLocked(remote_path); });
  DropBrokenLocked();
  return s;
}

Status SshTransport::MakeDirsLocked(const std::string& dir) {
  sftp_session sftp = session_->sftp;
  if (dir.empty() || dir == "/" || dir == "." || Exists(sftp, dir)) return Status::Ok();
  PP_RETURN_IF_ERROR(MakeDirsLocked(ParentDir(dir)));
  if (sftp_mkdir(sftp, dir.c_str(), 0755) == SSH_OK) return Status::Ok();
  if (Exists(sftp, dir)) return Status::Ok();  // created concurrently
  return SftpError("mkdir", dir);
}

Status SshTransport::UploadLocked(const std::string& path, const std::string& content, int mode) {
  PP_RETURN_IF_ERROR(EnsureSftpLocked());
  sftp_session sftp = session_->sftp;
  const std::string dir = ParentDir(path);
  PP_RETURN_IF_ERROR(MakeDirsLocked(dir));
  SweepStaleTempsLocked(dir);
  const std::string tmp = (dir == "." ? "" : dir + "/") + "." + BaseName(path) + kTempMark +
                          internal::ProcessToken() + "-" + internal::RandomToken();
  FileGuard f(sftp_open(sftp, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  if (f.get() == nullptr) return SftpError("create", tmp);
  auto fail = [&](const std::string& what, const std::string& p) {
    Status s = SftpError(what, p);
    f.Close();
    if (!session_->broken) sftp_unlink(sftp, tmp.c_str());
    return s;
  };
  for (size_t off = 0; off < content.size(); off += kWriteChunk) {
    size_t n = std::min(kWriteChunk, content.size() - off);
    ssize_t w = sftp_write(f.get(), content.data() + off, n);
    if (w < 0 || static_cast<size_t>(w) != n) return fail("write", tmp);
  }
  if (f.Close() != SSH_OK) return fail("close", tmp);
  if (sftp_chmod(sftp, tmp.c_str(), static_cast<mode_t>(mode)) != SSH_OK) return fail("chmod", tmp);
  if (sftp_rename(sftp, tmp.c_str(), path.c_str()) == SSH_OK) return Status::Ok();
  // OpenSSH's SFTP v3 rename refuses to replace an existing file: rename(2)
  // it with mv -f, which is just as atomic.
  if (!ssh_is_connected(session_->ssh)) return fail("rename to " + path, tmp);
  Status s = RenameOverLocked(tmp, path);
  if (!s.ok() && !session_->broken) sftp_unlink(sftp, tmp.c_str());
  return s;
}

// Removes, once per directory and session, the upload temps that another
// process left in `dir` (its connection was lost or it was killed before the
// rename), so an interrupted upload leaves nothing behind once the node is
// uploaded to again. Best effort: a failure here never fails the upload.
void SshTransport::SweepStaleTempsLocked(const std::string& dir) {
  if (!session_->swept.insert(dir).second) return;
  sftp_session sftp = session_->sftp;
  sftp_dir d = sftp_opendir(sftp, dir.c_str());
  if (d == nullptr) return;
  const std::string mine = std::string(kTempMark) + internal::ProcessToken() + "-";
  std::vector<std::string> stale;
  while (sftp_attributes a = sftp_readdir(sftp, d)) {
    std::string name = a->name != nullptr ? a->name : "";
    sftp_attributes_free(a);
    size_t mark = name.find(kTempMark);
    if (name.starts_with(".") && mark != std::string::npos && name.compare(mark, mine.size(), mine) != 0) {
      stale.push_back(name);
    }
  }
  sftp_closedir(d);
  for (const std::string& name : stale) sftp_unlink(sftp, ((dir == "." ? "" : dir + "/") + name).c_str());
}

Status SshTransport::RenameOverLocked(const std::string& from, const std::string& to) {
  ExecRequest mv;
  mv.command = "mv -f -- " + ShellQuote(from) + " " + ShellQuote(to);
  mv.timeout = std::chrono::milliseconds(60000);
  bool started = false;
  Result<ExecResult> r = ExecOnceLocked(mv, &started);
  if (!r) {
    if (r.error().code() == Code::kUnavailable) session_->broken = true;
    return r.error();
  }
  if (r->exit_status != 0) {
    return Status::IOError("rename " + from + " to " + to + " on " + Describe() + ": " +
                           r->stderr_tail);
  }
  return Status::Ok();
}

Result<std::optional<std::string>> SshTransport::ReadFileLocked(const std::string& path) {
  PP_RETURN_IF_ERROR_R(EnsureSftpLocked());
  FileGuard f(sftp_open(session_->sftp, path.c_str(), O_RDONLY, 0));
  if (f.get() == nullptr) {
    Status s = SftpError("read", path);
    if (s.code() == Code::kNotFound) return std::optional<std::string>();
    return Err(s);
  }
  std::string out;
  std::string buf(kReadChunk, '\0');
  for (;;) {
    ssize_t n = sftp_read(f.get(), buf.data(), buf.size());
    if (n < 0) return Err(SftpError("read", path));
    if (n == 0) break;
    out.append(buf.data(), static_cast<size_t>(n));
  }
  return std::optional<std::string>(std::move(out));
}

Status SshTransport::RemoveFileLocked(const std::string& path) {
  PP_RETURN_IF_ERROR(EnsureSftpLocked());
  if (sftp_unlink(session_->sftp, path.c_str()) == SSH_OK) return Status::Ok();
  Status s = SftpError("remove", path);
  return s.code() == Code::kNotFound ? Status::Ok() : s;
}

}  // namespace paiplan::providers::ssh
