// FileLock: the LMDB backend's state lock as an OS lock (flock(2) on a lock
// file beside data.mdb). The kernel drops it when its holder dies, however it
// dies (kill -9, a crash, a lost terminal), so a dead paiplan never blocks the
// next one. The lock record kept in the store (who, host, pid, operation,
// since) is only there to be shown; the flock decides who holds the lock.
//
// The file descriptor is close-on-exec, so scripts paiplan starts never
// inherit (and never keep) the lock.
//
// Thread-safety: a FileLock object is not shared between threads. flock locks
// belong to an open file description: two FileLocks on the same path in one
// process exclude each other as two processes would.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/base/status.h"

namespace paiplan::state::lmdb {

class FileLock {
 public:
  ~FileLock();  // releases the lock
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  // Takes the exclusive lock on `path` (created 0600 if missing) without
  // waiting. nullopt when another open file description holds it.
  // Fails: IOError (cannot open or lock, e.g. a symbolic link or a file system
  // without flock), naming the path.
  static Result<std::optional<std::unique_ptr<FileLock>>> TryAcquire(const std::string& path);

  // True when some process holds the lock on `path` now (a missing file: false).
  // Probes with a shared lock it releases at once. Fails: IOError.
  static Result<bool> IsHeld(const std::string& path);

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace paiplan::state::lmdb
