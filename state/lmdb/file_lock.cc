#include "state/lmdb/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace paiplan::state::lmdb {
namespace {

Result<int> OpenLockFile(const std::string& path, bool create) {
  int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0);
  int fd;
  do fd = ::open(path.c_str(), flags, 0600);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (!create && errno == ENOENT) return -1;
    return Err(Status::IOError("state: cannot open the lock file " + path + ": " + std::strerror(errno)));
  }
  return fd;
}

// flock without waiting; true if taken, false if another holder has it.
Result<bool> TryFlock(int fd, int op, const std::string& path) {
  int rc;
  do rc = ::flock(fd, op | LOCK_NB);
  while (rc != 0 && errno == EINTR);
  if (rc == 0) return true;
  if (errno == EWOULDBLOCK) return false;
  return Err(Status::IOError("state: cannot lock " + path + ": " + std::strerror(errno) +
                             " (the state directory must be on a local file system)"));
}

}  // namespace

FileLock::~FileLock() { ::close(fd_); }  // closing the last descriptor drops the flock

Result<std::optional<std::unique_ptr<FileLock>>> FileLock::TryAcquire(const std::string& path) {
  PP_ASSIGN_OR_RETURN(int fd, OpenLockFile(path, true));
  auto taken = TryFlock(fd, LOCK_EX, path);
  if (!taken || !*taken) {
    ::close(fd);
    if (!taken) return Err(taken.error());
    return std::optional<std::unique_ptr<FileLock>>();
  }
  return std::optional<std::unique_ptr<FileLock>>(std::unique_ptr<FileLock>(new FileLock(fd)));
}

Result<bool> FileLock::IsHeld(const std::string& path) {
  PP_ASSIGN_OR_RETURN(int fd, OpenLockFile(path, false));
  if (fd < 0) return false;
  auto probe = TryFlock(fd, LOCK_SH, path);
  ::close(fd);  // drops the probe's shared lock, if taken
  if (!probe) return Err(probe.error());
  return !*probe;
}

}  // namespace paiplan::state::lmdb
