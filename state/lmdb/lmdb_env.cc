#include "state/lmdb/lmdb_env.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace paiplan::state::lmdb {
namespace {

constexpr size_t kMaxMapSize = size_t(1) << 40;  // 1 TiB: beyond that, something is wrong
constexpr int kMaxAttempts = 48;

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

thread_local const char* tls_fault_message = nullptr;
struct sigaction previous_bus, previous_segv;

void OnMapFault(int sig, siginfo_t*, void*) {
  const char* message = tls_fault_message;
  if (message == nullptr) {  // not ours: let the fault happen again, as before us
    sigaction(sig, sig == SIGBUS ? &previous_bus : &previous_segv, nullptr);
    return;
  }
  size_t left = std::strlen(message);
  while (left > 0) {
    ssize_t n = ::write(2, message, left);
    if (n <= 0) break;
    message += n;
    left -= size_t(n);
  }
  ::_exit(1);
}

}  // namespace

MapAccess::MapAccess(const char* fault_message) : previous_(tls_fault_message) {
  tls_fault_message = fault_message;
}
MapAccess::~MapAccess() { tls_fault_message = previous_; }
const char* MapAccess::Current() { return tls_fault_message; }

void InstallMapFaultHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = OnMapFault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &previous_bus);
    sigaction(SIGSEGV, &sa, &previous_segv);
  });
}

std::string RecoveryAdvice(const std::string& dir) {
  return "restore " + dir +
         " from a backup, or move it aside and run `paiplan state push FILE` with a document "
         "saved earlier by `paiplan state pull`";
}

Status Corrupted(const std::string& file, const std::string& dir, const std::string& what) {
  return Status::Corruption("state " + file + " is corrupted: " + what + "; " + RecoveryAdvice(dir));
}

namespace {

// Bytes free for paiplan on the file system holding `dir`; -1 when unknown.
long long FreeBytes(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return -1;
  return static_cast<long long>(st.f_bavail) * static_cast<long long>(st.f_frsize);
}

std::string DiskFullAdvice(const std::string& dir, long long free_bytes) {
  std::string free = free_bytes < 0 ? "no" : std::to_string(free_bytes / 1024) + " KiB";
  return "; the file system holding the state (" + dir + ") is full (" + free +
         " free): make room there, or move the state (`state.path` in paiplan.yaml), then run the "
         "command again";
}

}  // namespace

Status LmdbStatus(int rc, const std::string& what, const std::string& file,
                  const std::string& dir) {
  std::string head = what + " " + file + ": ";
  switch (rc) {
    case ENOSPC:
    case EDQUOT:
      return Status::IOError(head + mdb_strerror(rc) + DiskFullAdvice(dir, FreeBytes(dir)));
    case EIO: {
      // LMDB reports a short write as EIO: on a full disk, say so.
      long long free_bytes = FreeBytes(dir);
      if (free_bytes >= 0 && free_bytes < 1024 * 1024)
        return Status::IOError(head + mdb_strerror(rc) + " (a short write)" + DiskFullAdvice(dir, free_bytes));
      return Status::IOError(head + mdb_strerror(rc));
    }
    case MDB_INVALID:
      return Status::Corruption(head + "the state file is corrupted or not an LMDB file (damaged "
                                "header or truncated file); " + RecoveryAdvice(dir));
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_CURSOR_FULL:  // a tree deeper than LMDB allows: damaged branch pages
      return Status::Corruption(head + "the state file is corrupted (" + mdb_strerror(rc) + "); " +
                                RecoveryAdvice(dir));
    case MDB_VERSION_MISMATCH:
      return Status::Corruption(head + "the state file is corrupted or written by an incompatible "
                                "LMDB version (" +
                                mdb_strerror(rc) + "); " + RecoveryAdvice(dir));
    case EACCES:
    case EPERM:
      return Status::PermissionDenied(head + mdb_strerror(rc));
    default:
      return Status::IOError(head + mdb_strerror(rc));
  }
}

Result<std::optional<std::string_view>> Txn::Get(MDB_dbi dbi, std::string_view key) {
  MDB_val k = Val(key), v{};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return Err(Error(rc, "cannot read"));
  return std::optional<std::string_view>(std::string_view(static_cast<char*>(v.mv_data), v.mv_size));
}

Status Txn::Put(MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = Val(key), v = Val(value);
  int rc = mdb_put(txn_, dbi, &k, &v, 0);
  return rc == 0 ? Status::Ok() : Error(rc, "cannot write");
}

Status Txn::Del(MDB_dbi dbi, std::string_view key) {
  MDB_val k = Val(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == 0 || rc == MDB_NOTFOUND) return Status::Ok();
  return Error(rc, "cannot delete from");
}

Status Txn::Error(int rc, const std::string& what) {
  if (rc == MDB_MAP_FULL) map_full_ = true;
  return LmdbStatus(rc, what, file_, dir_);
}

Env::Env(MDB_env* env, std::string dir)
    : env_(env),
      dir_(std::move(dir)),
      data_file_(dir_ + "/data.mdb"),
      fault_message_("error: state " + data_file_ +
                     " is corrupted: reading it hit a page outside the file; " +
                     RecoveryAdvice(dir_) + "\n") {}

Env::~Env() { mdb_env_close(env_); }

Result<std::unique_ptr<Env>> Env::Open(const std::string& dir, size_t map_size, int max_dbs) {
  std::string data_file = dir + "/data.mdb";
  struct stat st;
  if (::stat(data_file.c_str(), &st) == 0 && st.st_size == 0) {
    return Err(Status::Corruption("cannot open state " + data_file +
                                  ": the state file is corrupted: it is empty (truncated); " + RecoveryAdvice(dir)));
  }
  InstallMapFaultHandler();
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != 0) return Err(LmdbStatus(rc, "cannot create LMDB environment for", data_file, dir));
  std::unique_ptr<Env> env(new Env(raw, dir));
  MapAccess scope(env->fault_message_.c_str());
  if ((rc = mdb_env_set_maxdbs(raw, max_dbs)) != 0 ||
      (rc = mdb_env_set_mapsize(raw, map_size)) != 0) {
    return Err(LmdbStatus(rc, "cannot configure", data_file, dir));
  }
  rc = mdb_env_open(raw, dir.c_str(), MDB_NOTLS, 0600);
  if (rc != 0) return Err(LmdbStatus(rc, "cannot open state", data_file, dir));
  MDB_envinfo info;
  mdb_env_info(raw, &info);
  env->map_size_ = info.me_mapsize;
  PP_RETURN_IF_ERROR_R(env->CheckFileSize());
  int dead = 0;
  mdb_reader_check(raw, &dead);  // frees reader slots of killed processes
  return env;
}

// LMDB trusts the page count in its meta page; if the file is shorter, the
// first read of a missing page is a SIGBUS. Check before anyone reads.
Status Env::CheckFileSize() {
  MDB_envinfo info;
  MDB_stat stat;
  mdb_env_info(env_, &info);
  mdb_env_stat(env_, &stat);
  struct stat st;
  if (::stat(data_file_.c_str(), &st) != 0) {
    return Status::IOError("cannot stat " + data_file_ + ": " + std::strerror(errno));
  }
  uint64_t needed = (uint64_t(info.me_last_pgno) + 1) * stat.ms_psize;
  if (uint64_t(st.st_size) < needed) {
    return Status::Corruption("cannot open state " + data_file_ + ": the state file is corrupted: truncated (" +
                              std::to_string(st.st_size) + " bytes, its header says at least " +
                              std::to_string(needed) + "); " + RecoveryAdvice(dir_));
  }
  return Status::Ok();
}

Status Env::Grow() {
  std::unique_lock l(resize_mu_);
  size_t next = map_size_.load() * 2;
  if (next > kMaxMapSize) {
    return Status::IOError("state " + data_file_ + " is full: the map cannot grow beyond " +
                           std::to_string(kMaxMapSize) + " bytes");
  }
  int rc = mdb_env_set_mapsize(env_, next);
  if (rc != 0) return LmdbStatus(rc, "cannot grow the map of", data_file_, dir_);
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  map_size_ = info.me_mapsize;
  ++resizes_;
  return Status::Ok();
}

Status Env::AdoptMapSize() {
  std::unique_lock l(resize_mu_);
  int rc = mdb_env_set_mapsize(env_, 0);  // 0: take the size another process recorded
  if (rc != 0) return LmdbStatus(rc, "cannot adopt the map size of", data_file_, dir_);
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  map_size_ = info.me_mapsize;
  return Status::Ok();
}

Status Env::Write(const std::function<Status(Txn&)>& fn) {
  std::lock_guard w(write_mu_);
  MapAccess scope(fault_message_.c_str());
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    int rc = 0;
    {
      std::shared_lock r(resize_mu_);
      MDB_txn* raw = nullptr;
      rc = mdb_txn_begin(env_, nullptr, 0, &raw);
      if (rc == 0) {
        Txn txn(raw, data_file_, dir_);
        Status s = fn(txn);
        if (!s.ok()) {
          mdb_txn_abort(raw);
          if (!txn.map_full()) return s;
          rc = MDB_MAP_FULL;
        } else {
          rc = mdb_txn_commit(raw);  // frees the txn whatever the outcome
          if (rc == 0) return Status::Ok();
        }
      }
    }
    if (rc == MDB_MAP_FULL) {
      PP_RETURN_IF_ERROR(Grow());
    } else if (rc == MDB_MAP_RESIZED) {
      PP_RETURN_IF_ERROR(AdoptMapSize());
    } else {
      return LmdbStatus(rc, "cannot commit to", data_file_, dir_);
    }
  }
  return Status::IOError("state " + data_file_ + ": write kept failing with a full map");
}

Status Env::Read(const std::function<Status(Txn&)>& fn) {
  MapAccess scope(fault_message_.c_str());
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    int rc = 0;
    {
      std::shared_lock r(resize_mu_);
      MDB_txn* raw = nullptr;
      rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &raw);
      if (rc == 0) {
        Txn txn(raw, data_file_, dir_);
        Status s = fn(txn);
        mdb_txn_abort(raw);
        return s;
      }
    }
    if (rc != MDB_MAP_RESIZED) return LmdbStatus(rc, "cannot read", data_file_, dir_);
    PP_RETURN_IF_ERROR(AdoptMapSize());
  }
  return Status::IOError("state " + data_file_ + ": the map keeps being resized by another process");
}

}  // namespace paiplan::state::lmdb
