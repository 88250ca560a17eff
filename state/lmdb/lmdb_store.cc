#include "state/lmdb/lmdb_store.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "engine/base/fs.h"
#include "state/lmdb/lmdb_env.h"
#include "state/lmdb/lmdb_records.h"
#include "state/store_util.h"

namespace paiplan::state {

using lmdb::Env;
using lmdb::Txn;

namespace {

constexpr const char* kMetaVersion = "format_version";
constexpr const char* kMetaLineage = "lineage";
constexpr const char* kMetaSerial = "serial";
constexpr const char* kMetaCreated = "created_at";
constexpr const char* kLockKey = "current";

struct Dbis {
  MDB_dbi meta = 0, resources = 0, history = 0, lock = 0;
};

struct Head {
  std::string lineage;
  uint64_t serial = 0;
};

std::string_view View(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

// Migrations from format version N to N+1, indexed by N. There is only one
// format so far; a future version appends its step here, and opening an older
// store runs the missing steps in one write transaction.
using Migration = Status (*)(Txn& txn, const Dbis& dbis);
constexpr Migration kMigrations[] = {nullptr /* 0 -> 1: no store was ever at 0 */};

Status MigrateFormat(Txn& txn, const Dbis& dbis, uint64_t from, const std::string& file) {
  if (from > uint64_t(kLmdbFormatVersion)) {
    return Status::FailedPrecondition(
        "state " + file + " has format version " + std::to_string(from) + " but this paiplan reads "
        "up to version " + std::to_string(kLmdbFormatVersion) + "; use a newer paiplan");
  }
  if (from == 0) return Status::Corruption("state " + file + ": format version 0 is invalid");
  for (uint64_t v = from; v < uint64_t(kLmdbFormatVersion); ++v) {
    PP_RETURN_IF_ERROR(kMigrations[v](txn, dbis));
  }
  if (from != uint64_t(kLmdbFormatVersion)) {
    return txn.Put(dbis.meta, kMetaVersion, std::to_string(kLmdbFormatVersion));
  }
  return Status::Ok();
}

Result<Head> ReadMeta(Txn& txn, const Dbis& dbis, const std::string& file,
                      const std::string& dir) {
  PP_ASSIGN_OR_RETURN(auto lineage, txn.Get(dbis.meta, kMetaLineage));
  PP_ASSIGN_OR_RETURN(auto serial, txn.Get(dbis.meta, kMetaSerial));
  if (!lineage || !serial || lineage->size() != 36) {
    return Err(Status::Corruption("state " + file + ": the meta record (lineage/serial) is missing "
                                  "or damaged; " + lmdb::RecoveryAdvice(dir)));
  }
  Head head;
  head.lineage = std::string(*lineage);
  PP_ASSIGN_OR_RETURN(head.serial, lmdb::ParseMetaNumber(*serial, kMetaSerial, file));
  return head;
}

Result<uint64_t> CountEntries(Txn& txn, MDB_dbi dbi) {
  MDB_stat st;
  int rc = mdb_stat(txn.raw(), dbi, &st);
  if (rc != 0) return Err(txn.Error(rc, "cannot stat"));
  return uint64_t(st.ms_entries);
}

// Creates the databases and, for a new store, the meta record; validates and
// migrates an existing one.
Status InitStore(Txn& txn, Dbis& dbis, const std::string& file, const std::string& dir) {
  struct {
    const char* name;
    MDB_dbi* dbi;
  } tables[] = {{"meta", &dbis.meta}, {"resources", &dbis.resources},
                {"history", &dbis.history}, {"lock", &dbis.lock}};
  for (auto& t : tables) {
    int rc = mdb_dbi_open(txn.raw(), t.name, MDB_CREATE, t.dbi);
    if (rc == MDB_INCOMPATIBLE) rc = MDB_INVALID;  // the name is taken by a non-database record
    if (rc != 0) return txn.Error(rc, std::string("cannot open table ") + t.name + " of");
  }
  PP_ASSIGN_OR_RETURN(auto version, txn.Get(dbis.meta, kMetaVersion));
  if (!version) {
    PP_ASSIGN_OR_RETURN(uint64_t meta_entries, CountEntries(txn, dbis.meta));
    PP_ASSIGN_OR_RETURN(uint64_t resources, CountEntries(txn, dbis.resources));
    if (meta_entries != 0 || resources != 0) {
      return Status::Corruption("state " + file + ": the format version record is missing; " +
                                lmdb::RecoveryAdvice(dir));
    }
    PP_RETURN_IF_ERROR(txn.Put(dbis.meta, kMetaVersion, std::to_string(kLmdbFormatVersion)));
    PP_RETURN_IF_ERROR(txn.Put(dbis.meta, kMetaLineage, NewUuid()));
    PP_RETURN_IF_ERROR(txn.Put(dbis.meta, kMetaSerial, "0"));
    return txn.Put(dbis.meta, kMetaCreated, NowRfc3339());
  }
  PP_ASSIGN_OR_RETURN(uint64_t v, lmdb::ParseMetaNumber(*version, kMetaVersion, file));
  PP_RETURN_IF_ERROR(MigrateFormat(txn, dbis, v, file));
  auto head = ReadMeta(txn, dbis, file, dir);
  return head ? Status::Ok() : head.error();
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
  std::mutex mu;              // guards held_lock_id
  std::string held_lock_id;  // the lock this object took, if any

  const std::string& file() const { return env->data_file(); }
  std::string held() {
    std::lock_guard l(mu);
    return held_lock_id;
  }
  Result<std::optional<LockInfo>> GetLock(Txn& txn) {
    PP_ASSIGN_OR_RETURN(auto raw, txn.Get(dbis.lock, kLockKey));
    if (!raw) return std::optional<LockInfo>();
    auto j = nlohmann::json::parse(raw->begin(), raw->end(), nullptr, false);
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
    return InitStore(txn, p->dbis, p->file(), p->env->dir());
  }));
  return std::unique_ptr<StateStore>(std::move(store));
}

Result<Snapshot> LmdbStore::ReadSnapshot() {
  Snapshot snap;
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Read([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(Head head, ReadMeta(txn, p->dbis, p->file(), p->env->dir()));
    snap.lineage = std::move(head.lineage);
    snap.serial = head.serial;
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(txn.raw(), p->dbis.resources, &cur);
    if (rc != 0) return txn.Error(rc, "cannot read");
    lmdb::RawRecords raw;
    if (auto count = CountEntries(txn, p->dbis.resources)) raw.reserve(*count);
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      raw.emplace_back(View(k), View(v));
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND) return txn.Error(rc, "cannot read");
    PP_ASSIGN_OR_RETURN(snap.resources, lmdb::DecodeResources(raw, p->file()));
    return Status::Ok();
  }));
  return snap;
}

Result<std::pair<std::string, uint64_t>> LmdbStore::ReadHead() {
  Head head;
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Read([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(head, ReadMeta(txn, p->dbis, p->file(), p->env->dir()));
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
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      out.emplace_back(View(k));
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? Status::Ok() : txn.Error(rc, "cannot read");
  }));
  return out;
}

Result<LockInfo> LmdbStore::Lock(const std::string& operation) {
  LockInfo mine = NewLockInfo(operation);
  std::optional<LockInfo> holder;
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Write([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(holder, p->GetLock(txn));
    if (holder) return Status::Ok();  // nothing written; the commit is a no-op
    return txn.Put(p->dbis.lock, kLockKey, LockToJson(mine).dump());
  }));
  if (holder) return Err(Status::Conflict(LockConflictMessage(*holder)));
  std::lock_guard l(p->mu);
  p->held_lock_id = mine.id;
  return mine;
}

Status LmdbStore::RemoveLock(const std::string& id) {
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR(p->env->Write([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(auto lock, p->GetLock(txn));
    if (!lock || lock->id != id) {
      return Status::NotFound("state: no lock with id " + id + " is held" +
                              (lock ? " (the current lock is " + lock->id + ")" : ""));
    }
    return txn.Del(p->dbis.lock, kLockKey);
  }));
  std::lock_guard l(p->mu);
  if (p->held_lock_id == id) p->held_lock_id.clear();
  return Status::Ok();
}

Status LmdbStore::Unlock(const std::string& id) { return RemoveLock(id); }
Status LmdbStore::ForceUnlock(const std::string& id) { return RemoveLock(id); }

Result<std::optional<LockInfo>> LmdbStore::CurrentLock() {
  std::optional<LockInfo> lock;
  Impl* p = impl_.get();
  PP_RETURN_IF_ERROR_R(p->env->Read([&](Txn& txn) -> Status {
    PP_ASSIGN_OR_RETURN(lock, p->GetLock(txn));
    return Status::Ok();
  }));
  return lock;
}

Result<uint64_t> LmdbStore::Commit(const Batch& batch) {
  PP_RETURN_IF_ERROR_R(ValidateBatch(batch));
  std::vector<std::string> values;  // encoded once, outside the (retryable) txn
  values.reserve(batch.puts.size());
  for (const auto& put : batch.puts) values.push_back(EncodeRecord(put.second));
  Impl* p = impl_.get();
  const std::string held = p->held();
  uint64_t serial = 0;
  PP_RETURN_IF_ERROR_R(p->env->Write([&](Txn& txn) -> Status {
    PP_RETURN_IF_ERROR(p->CheckWriter(txn, held));
    PP_ASSIGN_OR_RETURN(Head head, ReadMeta(txn, p->dbis, p->file(), p->env->dir()));
    serial = head.serial;
    if (batch.empty()) return Status::Ok();
    for (size_t i = 0; i < values.size(); ++i) {
      PP_RETURN_IF_ERROR(txn.Put(p->dbis.resources, batch.puts[i].first, values[i]));
    }
    for (const auto& address : batch.deletes) PP_RETURN_IF_ERROR(txn.Del(p->dbis.resources, address));
    serial = head.serial + 1;
    PP_RETURN_IF_ERROR(txn.Put(p->dbis.meta, kMetaSerial, std::to_string(serial)));
    if (p->options.before_commit_for_test) p->options.before_commit_for_test();
    return Status::Ok();
  }));
  return serial;
}

Result<uint64_t> LmdbStore::ReplaceAll(const Snapshot& snapshot) {
  Batch check;
  std::vector<std::string> values;
  for (const auto& [address, record] : snapshot.resources) {
    check.puts.emplace_back(address, nlohmann::json::object());
    if (!record.is_object()) {
      return Err(Status::InvalidArgument("state: record for " + address + " is not a JSON object"));
    }
    values.push_back(EncodeRecord(record));
  }
  PP_RETURN_IF_ERROR_R(ValidateBatch(check));
  if (snapshot.lineage.size() != 36) {
    return Err(Status::InvalidArgument("state: the document's lineage \"" + snapshot.lineage +
                                       "\" is not a UUID"));
  }
  Impl* p = impl_.get();
  const std::string held = p->held();
  uint64_t serial = 0;
  PP_RETURN_IF_ERROR_R(p->env->Write([&](Txn& txn) -> Status {
    PP_RETURN_IF_ERROR(p->CheckWriter(txn, held));
    PP_ASSIGN_OR_RETURN(Head head, ReadMeta(txn, p->dbis, p->file(), p->env->dir()));
    PP_ASSIGN_OR_RETURN(uint64_t count, CountEntries(txn, p->dbis.resources));
    bool empty_store = head.serial == 0 && count == 0;
    if (snapshot.lineage != head.lineage && !empty_store) {
      return Status::Conflict("state: lineage mismatch: the store has lineage " + head.lineage +
                              " but the document has " + snapshot.lineage +
                              "; it belongs to another workspace's state");
    }
    int rc = mdb_drop(txn.raw(), p->dbis.resources, 0);
    if (rc != 0) return txn.Error(rc, "cannot clear resources of");
    size_t i = 0;
    for (const auto& entry : snapshot.resources) {
      PP_RETURN_IF_ERROR(txn.Put(p->dbis.resources, entry.first, values[i++]));
    }
    serial = std::max(head.serial, snapshot.serial) + 1;
    PP_RETURN_IF_ERROR(txn.Put(p->dbis.meta, kMetaLineage, snapshot.lineage));
    return txn.Put(p->dbis.meta, kMetaSerial, std::to_string(serial));
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
      PP_ASSIGN_OR_RETURN(uint64_t last, lmdb::ParseHistoryKey(View(k), p->file()));
      next = last + 1;
    } else if (rc != MDB_NOTFOUND) {
      return txn.Error(rc, "cannot read history of");
    }
    return txn.Put(p->dbis.history, lmdb::HistoryKey(next), value);
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
      std::string_view text = View(v);
      auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
      if (j.is_discarded()) {
        mdb_cursor_close(cur);
        return Status::Corruption("state " + p->file() + ": a history entry does not decode; " +
                                  lmdb::RecoveryAdvice(p->env->dir()));
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
