#include "state/lmdb/lmdb_store.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "engine/base/fs.h"
#include "state/lmdb/file_lock.h"
#include "state/lmdb/lmdb_env.h"
#include "state/lmdb/lmdb_meta.h"
#include "state/lmdb/lmdb_records.h"
#include "state/store_util.h"

namespace paiplan::state {

using lmdb::Env;
using lmdb::Txn;

namespace {

constexpr const char* kLockKey = "current";

using lmdb::Dbis;
using lmdb::Digest;
using lmdb::Head;
using lmdb::Where;

std::string_view View(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

Result<uint64_t> CountEntries(Txn& txn, MDB_dbi dbi) {
  MDB_stat st;
  int rc = mdb_stat(txn.raw(), dbi, &st);
  if (rc != 0) return Err(txn.Error(rc, "cannot stat"));
  return uint64_t(st.ms_entries);
}

// Reads every (address, sealed value) of the resources table.
Status ScanResources(Txn& txn, MDB_dbi dbi, lmdb::RawRecords* raw) {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn.raw(), dbi, &cur);
  if (rc != 0) return txn.Error(rc, "cannot read");
  // The count is a hint from the file: never trust it for a huge allocation.
  if (auto count = CountEntries(txn, dbi)) raw->reserve(std::min<uint64_t>(*count, 1 << 20));
  MDB_val k, v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    raw->emplace_back(View(k), View(v));
  }
  mdb_cursor_close(cur);
  return rc == MDB_NOTFOUND ? Status::Ok() : txn.Error(rc, "cannot read");
}

// LMDB breaks its own locking if one process opens the same environment twice
// (closing either releases the other's fcntl locks), so we refuse that.
std::mutex open_dirs_mu;
std::set<std::string>& OpenDirs() {
  static auto* dirs = new std::set<std::string>();
  return *dirs;
}

Status RegisterOpenDir(const std::string& dir) {
  std::lock_guard l(open_dirs_mu);
  if (!OpenDirs().insert(dir).second) {
    return Status::FailedPrecondition("state " + dir +
                                      " is already open in this process; share that StateStore");
  }
  return Status::Ok();
}

void UnregisterOpenDir(const std::string& dir) {
  std::lock_guard l(open_dirs_mu);
  OpenDirs().erase(dir);
}

Status PrepareDir(const std::string& dir) {
  if (fs::Exists(dir)) {
    if (!fs::IsDirectory(dir)) return Status::InvalidArgument("state: " + dir + " is not a directory");
    return Status::Ok();
  }
  PP_RETURN_IF_ERROR(fs::MakeDirs(dir, 0700));
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Status::IOError("cannot chmod " + dir + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

struct LmdbStore::Impl {
  std::string registered_dir;  // in OpenDirs() while this store lives
  std::unique_ptr<Env> env;
  Dbis dbis;
  LmdbOptions options;
  std::mutex mu;              // guards held_lock_id and os_lock
  std::string held_lock_id;  // the lock this object took, if any
  std::unique_ptr<lmdb::FileLock> os_lock;  // the flock that makes it ours

  std::string lock_file() const { return fs::Join(env->dir(), "paiplan.lock"); }

  const std::string& file() const { return env->data_file(); }
  Where where() const { return {env->data_file(), env->dir()}; }
  std::string held() {
    std::lock_guard l(mu);
    return held_lock_id;
  }
  Result<std::optional<LockInfo>> GetLock(Txn& txn) {
    PP_ASSIGN_OR_RETURN(auto raw, txn.Get(dbis.lock, kLockKey));
    if (!raw) return std::optional<LockInfo>();
    PP_ASSIGN_OR_RETURN(auto text, lmdb::Unseal(kLockKey, *raw, "the lock record", file(),
                                                env->dir()));
    auto j = nlohmann::json::parse(text.text.begin(), text.text.end(), nullptr, false);
    PP_ASSIGN_OR_RETURN(LockInfo lock, LockFromJson(j, "state " + file()));
    return std::optional<LockInfo>(std::move(lock));
  }
  // Inside a write: our lock must still be the current one.
  Status CheckWriter(Txn& txn, const std::string& held_id) {
    if (held_id.empty()) {
      return Status::FailedPrecondition("state: write without holding the state lock (call Lock first)");
    }
    PP_ASSIGN_OR_RETURN(auto lock, GetLock(txn));
    if (!lock || lock->id != held_id) {
      return Status::Conflict("state " + file() + ": our lock " + held_id +
                              " was removed (force-unlock?); refusing to write");
    }
    return Status::Ok();
  }
};

LmdbStore::LmdbStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LmdbStore::~LmdbStore() {
  std::string dir = impl_->registered_dir;
  impl_.reset();  // closes the environment first
  UnregisterOpenDir(dir);
}

Result<std::unique_ptr<StateStore>> LmdbStore::Open(const std::string& dir) {
  return Open(dir, LmdbOptions());
}

Result<std::unique_ptr<StateStore>> LmdbStore::Open(const std::string& dir,
                                                    const LmdbOptions& options) {
  std::string abs = fs::Absolute(dir);
  PP_RETURN_IF_ERROR_R(PrepareDir(abs));
  char resolved[PATH_MAX];
  std::string key = ::realpath(abs.c_str(), resolved) != nullptr ? resolved : abs;
  PP_RETURN_IF_ERROR_R(RegisterOpenDir(key));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  auto env = Env::Open(abs, options.initial_map_size, 8);
  if (!env) {
    UnregisterOpenDir(key);
    return Err(env.error());
  }
  impl->env = std::move(*env);
  impl->registered_dir = key;  // from here on the destructor unregisters
  auto store = std::unique_ptr<LmdbStore>(new LmdbStore(std::move(impl)));
  Impl* p = store->impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Write([p](Txn& txn) {
    return lmdb::InitStore(txn, p->dbis, p->where());
  }));
  return std::unique_ptr<StateStore>(std::move(store));
}

Result<Snapshot> LmdbStore::ReadSnapshot() {
  Snapshot snap;
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Read([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(Head head, lmdb::ReadHead(txn, p->dbis, p->where()));
    lmdb::RawRecords raw;
    PP_RETURN_IF_ERROR(ScanResources(txn, p->dbis.resources, &raw));
    PP_ASSIGN_OR_RETURN(auto decoded, lmdb::DecodeResources(raw, p->file(), p->env->dir()));
    if (!(decoded.digest == head.digest)) {
      return lmdb::Corrupted(p->file(), p->env->dir(),
                             "the resources table does not match its digest (" +
                                 std::to_string(decoded.digest.count) + " records read, " +
                                 std::to_string(head.digest.count) + " recorded)");
    }
    snap.lineage = std::move(head.lineage);
    snap.serial = head.serial;
    snap.resources = std::move(decoded.records);
    return Status::Ok();
  }));
  return snap;
}

Result<std::pair<std::string, uint64_t>> LmdbStore::ReadHead() {
  Head head;
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Read([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(head, lmdb::ReadHead(txn, p->dbis, p->where()));
    return Status::Ok();
  }));
  return std::make_pair(head.lineage, head.serial);
}

Result<std::vector<std::string>> LmdbStore::ListAddresses() {
  std::vector<std::string> out;
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Read([&](Txn& txn) -> Status {
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(txn.raw(), p->dbis.resources, &cur);
    if (rc != 0) return txn.Error(rc, "cannot read");
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && IsValidUtf8(View(k));
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      out.emplace_back(View(k));
    }
    mdb_cursor_close(cur);
    if (rc == 0) {
      return lmdb::Corrupted(p->file(), p->env->dir(), "a resource address is not UTF-8");
    }
    return rc == MDB_NOTFOUND ? Status::Ok() : txn.Error(rc, "cannot read");
  }));
  return out;
}

// The flock decides; the record only names the holder. A record left by a
// dead process on this host is overwritten; one written from another host
// (a state directory shared over the network) is never broken automatically.
Result<LockInfo> LmdbStore::Lock(const std::string& operation) {
  Impl* p = impl_.get();
  PP_ASSIGN_OR_RETURN(auto os_lock, lmdb::FileLock::TryAcquire(p->lock_file()));
  if (!os_lock) {
    // The holder writes its record right after taking the flock: give it a
    // moment, so the message names it (a dead holder's record does not count).
    for (int i = 0; i < 100; ++i) {
      PP_ASSIGN_OR_RETURN(auto holder, CurrentLock());
      if (holder && !LockIsStale(*holder)) return Err(Status::Conflict(LockConflictMessage(*holder)));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Err(Status::Conflict("state locked by another process on this host (it has not written its lock "
                                "record); lock file " + p->lock_file()));
  }
  LockInfo mine = NewLockInfo(operation);
  std::optional<LockInfo> holder;
  PP_RETURN_IF_ERROR_R(p->env->Write([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(holder, p->GetLock(txn));
    if (holder && holder->host != HostName()) return Status::Ok();  // nothing written
    holder.reset();
    return txn.Put(p->dbis.lock, kLockKey, lmdb::Seal(kLockKey, LockToJson(mine).dump()).value);
  }));
  if (holder) {
    return Err(Status::Conflict(LockConflictMessage(*holder) + " \u2014 taken from another host; if that "
                                "process is gone, remove the lock with: paiplan force-unlock " + holder->id));
  }
  std::lock_guard l(p->mu);
  p->held_lock_id = mine.id;
  p->os_lock = std::move(*os_lock);
  return mine;
}

Status LmdbStore::RemoveLock(const std::string& id, bool force) {
  Impl* p = impl_.get();
  bool ours = p->held() == id;
  PP_RETURN_IF_ERROR(p->env->Write([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(auto lock, p->GetLock(txn));
    if (!lock || lock->id != id) {
      return Status::NotFound("state: no lock with id " + id + " is held" +
                              (lock ? " (the current lock is " + lock->id + ")" : ""));
    }
    if (force && !ours && lock->host == HostName()) {
      PP_ASSIGN_OR_RETURN(bool live, lmdb::FileLock::IsHeld(p->lock_file()));
      if (live) {
        return Status::FailedPrecondition(
            "state: lock " + id + " is held by a live process on this host (pid " + std::to_string(lock->pid) +
            ", " + lock->operation + "); it is never broken. Wait for it (--lock-timeout) or stop that process; "
            "its lock is released when it exits");
      }
    }
    return txn.Del(p->dbis.lock, kLockKey);
  }));
  std::lock_guard l(p->mu);
  if (p->held_lock_id == id) p->held_lock_id.clear(), p->os_lock.reset();
  return Status::Ok();
}

Status LmdbStore::Unlock(const std::string& id) { return RemoveLock(id, false); }
Status LmdbStore::ForceUnlock(const std::string& id) { return RemoveLock(id, true); }

Result<std::optional<LockInfo>> LmdbStore::CurrentLock() {
  std::optional<LockInfo> lock;
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Read([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(lock, p->GetLock(txn));
    return Status::Ok();
  }));
  return lock;
}

namespace {

// Takes the record under `address` (if any) out of `digest`, so a put or
// delete keeps the digest equal to the table's. Fails: Corruption if that
// record does not verify (nothing is then written over it).
Status UnaccountOld(Txn& txn, MDB_dbi dbi, const std::string& address, const Where& where,
                    Digest* digest) {
  PP_ASSIGN_OR_RETURN(auto old, txn.Get(dbi, address));
  if (!old) return Status::Ok();
  PP_ASSIGN_OR_RETURN(auto sealed, lmdb::Unseal(address, *old, "record " + address, where.file,
                                                where.dir));
  digest->Remove(sealed.crc);
  return Status::Ok();
}

}  // namespace

Result<uint64_t> LmdbStore::Commit(const Batch& batch) {
  PP_RETURN_IF_ERROR_R(ValidateBatch(batch));
  std::vector<lmdb::Sealed> values;  // encoded once, outside the (retryable) txn
  values.reserve(batch.puts.size());
  for (const auto& put : batch.puts) values.push_back(lmdb::Seal(put.first, EncodeRecord(put.second)));
  Impl* p = impl_.get();
  const std::string held = p->held();
  uint64_t serial = 0;
  PP_RETURN_IF_ERROR_R(p->env->Write([&](Txn& txn) -> Status {
    PP_RETURN_IF_ERROR(p->CheckWriter(txn, held));
    PP_ASSIGN_OR_RETURN(Head head, lmdb::ReadHead(txn, p->dbis, p->where()));
    serial = head.serial;
    if (batch.empty()) return Status::Ok();
    MDB_dbi dbi = p->dbis.resources;
    for (size_t i = 0; i < values.size(); ++i) {
      const std::string& address = batch.puts[i].first;
      PP_RETURN_IF_ERROR(UnaccountOld(txn, dbi, address, p->where(), &head.digest));
      PP_RETURN_IF_ERROR(txn.Put(dbi, address, values[i].value));
      head.digest.Add(values[i].crc);
    }
    for (const auto& address : batch.deletes) {
      PP_RETURN_IF_ERROR(UnaccountOld(txn, dbi, address, p->where(), &head.digest));
      PP_RETURN_IF_ERROR(txn.Del(dbi, address));
    }
    serial = ++head.serial;
    PP_RETURN_IF_ERROR(lmdb::WriteHead(txn, p->dbis, head));
    if (p->options.before_commit_for_test) p->options.before_commit_for_test();
    return Status::Ok();
  }));
  return serial;
}

Result<uint64_t> LmdbStore::ReplaceAll(const Snapshot& snapshot) {
  Batch check;
  std::vector<lmdb::Sealed> values;
  for (const auto& [address, record] : snapshot.resources) {
    check.puts.emplace_back(address, nlohmann::json::object());
    if (!record.is_object()) {
      return Err(Status::InvalidArgument("state: record for " + address + " is not a JSON object"));
    }
    values.push_back(lmdb::Seal(address, EncodeRecord(record)));
  }
  PP_RETURN_IF_ERROR_R(ValidateBatch(check));
  if (!lmdb::IsValidLineage(snapshot.lineage)) {
    return Err(Status::InvalidArgument("state: the document's lineage \"" + snapshot.lineage +
                                       "\" is not a UUID"));
  }
  Impl* p = impl_.get();
  const std::string held = p->held();
  uint64_t serial = 0;
  PP_RETURN_IF_ERROR_R(p->env->Write([&](Txn& txn) -> Status {
    PP_RETURN_IF_ERROR(p->CheckWriter(txn, held));
    PP_ASSIGN_OR_RETURN(Head head, lmdb::ReadHead(txn, p->dbis, p->where()));
    bool empty_store = head.serial == 0 && head.digest.count == 0;
    if (snapshot.lineage != head.lineage && !empty_store) {
      return Status::Conflict("state: lineage mismatch: the store has lineage " + head.lineage +
                              " but the document has " + snapshot.lineage +
                              "; it belongs to another workspace's state");
    }
    int rc = mdb_drop(txn.raw(), p->dbis.resources, 0);
    if (rc != 0) return txn.Error(rc, "cannot clear resources of");
    Head next{snapshot.lineage, std::max(head.serial, snapshot.serial) + 1, Digest{}};
    size_t i = 0;
    for (const auto& entry : snapshot.resources) {
      PP_RETURN_IF_ERROR(txn.Put(p->dbis.resources, entry.first, values[i].value));
      next.digest.Add(values[i++].crc);
    }
    serial = next.serial;
    return lmdb::WriteHead(txn, p->dbis, next);
  }));
  return serial;
}

Status LmdbStore::AppendHistory(const nlohmann::json& entry) {
  std::string value = entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  Impl* p = impl_.get();
  return p->env->Write([&](Txn& txn) -> Status {
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(txn.raw(), p->dbis.history, &cur);
    if (rc != 0) return txn.Error(rc, "cannot read history of");
    MDB_val k, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    mdb_cursor_close(cur);
    uint64_t next = 1;
    if (rc == 0) {
      auto last = lmdb::ParseHistoryKey(View(k), p->file());
      if (!last) return lmdb::Corrupted(p->file(), p->env->dir(), "the last history key is damaged");
      next = *last + 1;
    } else if (rc != MDB_NOTFOUND) {
      return txn.Error(rc, "cannot read history of");
    }
    std::string key = lmdb::HistoryKey(next);
    return txn.Put(p->dbis.history, key, lmdb::Seal(key, value).value);
  });
}

Result<std::vector<nlohmann::json>> LmdbStore::ReadHistory() {
  std::vector<nlohmann::json> out;
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Read([&](Txn& txn) -> Status {
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(txn.raw(), p->dbis.history, &cur);
    if (rc != 0) return txn.Error(rc, "cannot read history of");
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      auto sealed = lmdb::Unseal(View(k), View(v), "a history entry", p->file(), p->env->dir());
      std::string_view text = sealed ? sealed->text : std::string_view();
      auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
      if (!sealed || !j.is_object()) {
        mdb_cursor_close(cur);
        return sealed ? lmdb::Corrupted(p->file(), p->env->dir(), "a history entry does not decode")
                      : sealed.error();
      }
      out.push_back(std::move(j));
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? Status::Ok() : txn.Error(rc, "cannot read history of");
  }));
  return out;
}

std::string LmdbStore::data_file() const { return impl_->file(); }
size_t LmdbStore::map_size() const { return impl_->env->map_size(); }
int LmdbStore::map_resize_count() const { return impl_->env->resize_count(); }

}  // namespace paiplan::state
