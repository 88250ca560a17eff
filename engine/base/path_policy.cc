#include "engine/base/path_policy.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "engine/base/fs.h"

namespace paiplan::fs {

namespace {

std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 200)) {
    if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += char(c);
    }
  }
  return s.size() > 200 ? out + "..." : out;
}

std::vector<std::string> Components(std::string_view rel) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= rel.size()) {
    size_t j = rel.find('/', i);
    if (j == std::string_view::npos) j = rel.size();
    out.emplace_back(rel.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() {
    int f = fd;
    fd = -1;
    return f;
  }
};

Status LinkRefused(const std::string& shown) {
  return Status::PermissionDenied(shown + " is a symbolic link (or not a directory); paiplan never follows links in "
                                  "its own files; remove it (rm " + shown + ") and run again");
}

Status SysError(const std::string& what, const std::string& shown) {
  return Status::IOError(what + " " + shown + ": " + std::strerror(errno));
}

// Opens the directory root/rel one component at a time without following
// links; creates missing levels (0700) when `create`. NotFound when a level
// is missing and !create.
Result<Fd> OpenDirInside(const std::string& root, const std::string& rel, bool create) {
  Fd cur(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (cur.fd < 0) {
    if (errno == ENOENT && !create) return Err(Status::NotFound(root + ": no such directory"));
    return Err(SysError("cannot open directory", root));
  }
  std::string shown = root;
  for (const auto& c : Components(rel)) {
    if (c.empty() || c == ".") continue;
    if (c == "..") return Err(Status::InvalidArgument(rel + ": '..' is not allowed under " + root));
    shown += "/" + c;
    int fd = ::openat(cur.fd, c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.fd, c.c_str(), 0700) != 0 && errno != EEXIST) return Err(SysError("cannot create", shown));
      fd = ::openat(cur.fd, c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      if (errno == ENOENT) return Err(Status::NotFound(shown + ": no such directory"));
      if (errno == ELOOP || errno == ENOTDIR) return Err(LinkRefused(shown));
      return Err(SysError("cannot open directory", shown));
    }
    struct stat st;
    if (create && ::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0 && st.st_uid == ::geteuid()) {
      (void)::fchmod(fd, 0700);  // directories paiplan writes into are private
    }
    Fd next(fd);
    std::swap(cur.fd, next.fd);
  }
  return cur;
}

std::pair<std::string, std::string> SplitLast(const std::string& rel) {
  auto pos = rel.find_last_of('/');
  if (pos == std::string::npos) return {"", rel};
  return {rel.substr(0, pos), rel.substr(pos + 1)};
}

Status CheckLeaf(const std::string& root, const std::string& rel, const std::string& leaf) {
  if (leaf.empty() || leaf == "." || leaf == "..") {
    return Status::InvalidArgument(rel + ": not a file name under " + root);
  }
  return Status::Ok();
}

// Refuses a symbolic link at dir/leaf; OK when missing or not a link.
Status NotALink(int dirfd, const std::string& leaf, const std::string& shown) {
  struct stat st;
  if (::fstatat(dirfd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) return LinkRefused(shown);
  return Status::Ok();
}

Status WriteAll(int fd, const std::string& content, const std::string& shown) {
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("cannot write", shown);
    }
    off += size_t(n);
  }
  return Status::Ok();
}

Status RemoveTreeAt(int dirfd, const std::string& name, const std::string& shown) {
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return SysError("cannot open directory", shown);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return SysError("cannot list", shown);
  }
  Status s;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    struct stat st;
    if (::fstatat(fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) s = RemoveTreeAt(fd, n, shown + "/" + n);
    else if (::unlinkat(fd, n.c_str(), 0) != 0) s = SysError("cannot remove", shown + "/" + n);
    if (!s.ok()) break;
  }
  ::closedir(d);
  PP_RETURN_IF_ERROR(s);
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0) return SysError("cannot remove", shown);
  return Status::Ok();
}

}  // namespace

Status CheckRelativeName(std::string_view name, std::string_view what) {
  std::string w(what);
  if (name.empty()) return Status::InvalidArgument(w + " is empty; give a file name relative to its directory");
  PP_RETURN_IF_ERROR(CheckSingleLine(name, what));
  std::string shown = Printable(name);
  if (name[0] == '/') {
    return Status::InvalidArgument(w + " '" + shown + "' is an absolute path; give a name relative to its directory");
  }
  if (name.find('\\') != std::string_view::npos) {
    return Status::InvalidArgument(w + " '" + shown + "' contains a backslash; use '/' between directories");
  }
  for (const auto& c : Components(name)) {
    if (c == "..") {
      return Status::InvalidArgument(w + " '" + shown + "' contains '..'; it must stay inside its directory");
    }
    if (c.empty() || c == ".") {
      return Status::InvalidArgument(w + " '" + shown + "' has an empty or '.' component; write it as a plain name");
    }
  }
  return Status::Ok();
}

Status CheckSingleName(std::string_view name, std::string_view what) {
  PP_RETURN_IF_ERROR(CheckRelativeName(name, what));
  if (name.find('/') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " '" + Printable(name) + "' contains '/'; it must be one name");
  }
  return Status::Ok();
}

Status CheckSingleLine(std::string_view value, std::string_view what) {
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(std::string(what) + " '" + Printable(value) +
                                     "' contains a control character at byte " + std::to_string(i + 1) +
                                     "; it must be a single line of printable text");
    }
  }
  return Status::Ok();
}

std::pair<std::string, std::string> SplitAtPaiplan(const std::string& path) {
  static const std::string kDir = "/.paiplan";
  for (size_t pos = path.find(kDir); pos != std::string::npos; pos = path.find(kDir, pos + 1)) {
    size_t end = pos + kDir.size();
    if (end == path.size() || path[end] == '/') return {pos == 0 ? "/" : path.substr(0, pos), path.substr(pos + 1)};
  }
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

Result<std::optional<std::string>> ReadInside(const std::string& root, const std::string& rel) {
  auto [dir, leaf] = SplitLast(rel);
  PP_RETURN_IF_ERROR_R(CheckLeaf(root, rel, leaf));
  auto d = OpenDirInside(root, dir, false);
  if (!d) {
    if (d.error().code() == Code::kNotFound) return std::optional<std::string>();
    return Err(d.error());
  }
  std::string shown = root + "/" + rel;
  Fd f(::openat(d->fd, leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (f.fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    if (errno == ELOOP) return Err(LinkRefused(shown));
    return Err(SysError("cannot open", shown));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Err(SysError("cannot read", shown));
    if (n == 0) break;
    out.append(buf, size_t(n));
  }
  return std::optional<std::string>(std::move(out));
}

Status MakeDirsInside(const std::string& root, const std::string& rel) {
  auto d = OpenDirInside(root, rel, true);
  return d ? Status::Ok() : d.error();
}

Status WriteInside(const std::string& root, const std::string& rel, const std::string& content, int mode,
                   bool durable) {
  auto [dir, leaf] = SplitLast(rel);
  PP_RETURN_IF_ERROR(CheckLeaf(root, rel, leaf));
  PP_ASSIGN_OR_RETURN(Fd d, OpenDirInside(root, dir, true));
  std::string shown = root + "/" + rel;
  PP_RETURN_IF_ERROR(NotALink(d.fd, leaf, shown));
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = leaf + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rng() % 1000000);
  mode &= 0700;
  Fd f(::openat(d.fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (f.fd < 0) return SysError("cannot create", root + "/" + dir + "/" + tmp);
  Status s = WriteAll(f.fd, content, shown);
  if (s.ok() && ::fchmod(f.fd, mode) != 0) s = SysError("cannot set the mode of", shown);
  if (s.ok() && durable && ::fsync(f.fd) != 0) s = SysError("cannot sync", shown);
  if (s.ok() && ::close(f.release()) != 0) s = SysError("cannot close", shown);
  if (s.ok() && ::renameat(d.fd, tmp.c_str(), d.fd, leaf.c_str()) != 0) s = SysError("cannot rename onto", shown);
  if (!s.ok()) {
    ::unlinkat(d.fd, tmp.c_str(), 0);
    return s;
  }
  if (durable) (void)::fsync(d.fd);
  return Status::Ok();
}

Status RemoveInside(const std::string& root, const std::string& rel) {
  auto [dir, leaf] = SplitLast(rel);
  PP_RETURN_IF_ERROR(CheckLeaf(root, rel, leaf));
  auto d = OpenDirInside(root, dir, false);
  if (!d) return d.error().code() == Code::kNotFound ? Status::Ok() : d.error();
  std::string shown = root + "/" + rel;
  struct stat st;
  if (::fstatat(d->fd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? Status::Ok() : SysError("cannot stat", shown);
  }
  if (S_ISDIR(st.st_mode)) return RemoveTreeAt(d->fd, leaf, shown);
  if (::unlinkat(d->fd, leaf.c_str(), 0) != 0 && errno != ENOENT) return SysError("cannot remove", shown);
  return Status::Ok();
}

Result<int> OpenForWriteInside(const std::string& root, const std::string& rel, bool append) {
  auto [dir, leaf] = SplitLast(rel);
  PP_RETURN_IF_ERROR_R(CheckLeaf(root, rel, leaf));
  PP_ASSIGN_OR_RETURN(Fd d, OpenDirInside(root, dir, true));
  std::string shown = root + "/" + rel;
  int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  int fd = ::openat(d.fd, leaf.c_str(), flags, 0600);
  if (fd < 0) return Err(errno == ELOOP ? LinkRefused(shown) : SysError("cannot open", shown));
  return fd;
}

FdWriter::~FdWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void FdWriter::Write(std::string_view s) {
  for (size_t off = 0; fd_ >= 0 && off < s.size();) {
    ssize_t n = ::write(fd_, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += size_t(n);
  }
}

Result<std::optional<std::string>> ReadPaiplanFile(const std::string& path) {
  auto [root, rel] = SplitAtPaiplan(path);
  return ReadInside(root, rel);
}

namespace {

// SplitAtPaiplan for writing: a path outside any .paiplan/ (tests, tools)
// gets its parent directory created the ordinary way first.
Result<std::pair<std::string, std::string>> SplitForWrite(const std::string& path) {
  auto split = SplitAtPaiplan(path);
  if (!split.second.starts_with(".paiplan")) PP_RETURN_IF_ERROR_R(MakeDirs(split.first, 0700));
  return split;
}

}  // namespace

Status WritePaiplanFile(const std::string& path, const std::string& content, int mode, bool durable) {
  PP_ASSIGN_OR_RETURN(auto split, SplitForWrite(path));
  return WriteInside(split.first, split.second, content, mode, durable);
}

Status MakePaiplanDirs(const std::string& path) {
  PP_ASSIGN_OR_RETURN(auto split, SplitForWrite(path));
  return MakeDirsInside(split.first, split.second);
}

Status RemovePaiplanPath(const std::string& path) {
  auto [root, rel] = SplitAtPaiplan(path);
  return RemoveInside(root, rel);
}

Result<int> OpenPaiplanFileForWrite(const std::string& path, bool append) {
  PP_ASSIGN_OR_RETURN(auto split, SplitForWrite(path));
  return OpenForWriteInside(split.first, split.second, append);
}

}  // namespace paiplan::fs
