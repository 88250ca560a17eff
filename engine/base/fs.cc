#include "engine/base/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace paiplan::fs {
namespace stdfs = std::filesystem;

namespace {
std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}
}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Err(Status::NotFound(path + ": no such file"));
    return Err(Status::IOError(Errno("cannot open", path)));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::IOError(Errno("cannot read", path));
      ::close(fd);
      return Err(s);
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
  }
  ::close(fd);
  return out;
}

Result<std::optional<std::string>> ReadFileIfExists(const std::string& path) {
  auto r = ReadFile(path);
  if (r) return std::optional<std::string>(std::move(*r));
  if (r.error().code() == Code::kNotFound) return std::optional<std::string>();
  return Err(r.error());
}

namespace {

Status WriteAndRename(const std::string& path, const std::string& content, int mode, bool durable) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rng() % 1000000);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError(Errno("cannot create", tmp));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::IOError(Errno("cannot write", tmp));
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    off += size_t(n);
  }
  ::fchmod(fd, mode);
  if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError(Errno("cannot sync", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::IOError(Errno("cannot rename onto", path));
    ::unlink(tmp.c_str());
    return s;
  }
  if (!durable) return Status::Ok();
  int dfd = ::open(Dirname(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomic(const std::string& path, const std::string& content, int mode) {
  return WriteAndRename(path, content, mode, true);
}

Status ReplaceFile(const std::string& path, const std::string& content, int mode) {
  return WriteAndRename(path, content, mode, false);
}

Status MakeDirs(const std::string& path, int mode) {
  if (path.empty() || IsDirectory(path)) return Status::Ok();  // the common case: one stat
  std::string parent = Dirname(path);
  if (parent != path) PP_RETURN_IF_ERROR(MakeDirs(parent, mode));
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return Status::IOError(Errno("cannot create directory", path));
  }
  if (!IsDirectory(path)) return Status::IOError(path + ": exists and is not a directory");
  return Status::Ok();
}

Status RemoveAll(const std::string& path) {
  std::error_code ec;
  stdfs::remove_all(path, ec);
  if (ec) return Status::IOError("cannot remove " + path + ": " + ec.message());
  return Status::Ok();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  std::error_code ec;
  stdfs::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return Err(Status::NotFound(dir + ": no such directory"));
    return Err(Status::IOError("cannot list " + dir + ": " + ec.message()));
  }
  std::vector<std::string> out;
  for (const auto& e : it) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir) {
  std::error_code ec;
  if (stdfs::is_symlink(dir, ec)) {
    return Err(Status::PermissionDenied(dir + " is a symbolic link; paiplan does not follow links in service and "
                                        "role packages; replace it with the directory it points to"));
  }
  stdfs::recursive_directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return Err(Status::NotFound(dir + ": no such directory"));
    return Err(Status::IOError("cannot list " + dir + ": " + ec.message()));
  }
  std::vector<std::string> out;
  for (const auto& e : it) {
    // The iterator does not descend into linked directories; a link of any
    // kind is refused rather than followed (path_policy.h).
    if (e.is_symlink(ec)) {
      return Err(Status::PermissionDenied(e.path().string() + " is a symbolic link; paiplan does not follow links in "
                                          "service and role packages; replace it with the file it points to"));
    }
    if (e.is_regular_file(ec)) out.push_back(stdfs::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  if (!b.empty() && b[0] == '/') return b;
  return a.back() == '/' ? a + b : a + "/" + b;
}

std::string Dirname(const std::string& path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

std::string Basename(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  auto p = stdfs::absolute(path, ec);
  if (ec) return path;
  std::string out = p.lexically_normal().string();
  // "ws1/" names the same directory as "ws1": without the slash, joined paths
  // ("ws1/.paiplan") and messages never show "ws1//" or "ws1/;".
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace paiplan::fs
