// Env and Txn: a thin, Status-returning layer over the LMDB C API, used only
// by LmdbStore. It owns the two things LMDB leaves to its caller:
//  * growing the memory map when a write hits MDB_MAP_FULL (abort, double the
//    map with mdb_env_set_mapsize, rerun the whole write), and adopting a map
//    grown by another process (MDB_MAP_RESIZED);
//  * refusing damaged files before LMDB touches them (a truncated data.mdb
//    would otherwise SIGBUS on first access), and turning a fault while
//    reading a damaged map into an error message and exit 1 (MapAccess).
//
// Thread-safety: Env is safe to share. Writes are serialised by a mutex (LMDB
// serialises them across processes too). Reads run concurrently with writes
// (MVCC, MDB_NOTLS); only a map resize briefly excludes readers, because LMDB
// requires no live transaction in the process while the map is remapped.
// A Txn belongs to the closure it is handed to and must not escape it.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "engine/base/status.h"

namespace paiplan::state::lmdb {

// Advice appended to every corruption message.
std::string RecoveryAdvice(const std::string& dir);
// Corruption "state FILE is corrupted: WHAT; ADVICE": every damage report of
// the LMDB store says the same three things (which file, that it is damaged,
// what to do).
Status Corrupted(const std::string& file, const std::string& dir, const std::string& what);

// Maps an LMDB or errno code to a Status: "<what> <file>: <reason>".
// MDB_INVALID/MDB_CORRUPTED/MDB_PAGE_NOTFOUND/MDB_CURSOR_FULL/
// MDB_VERSION_MISMATCH are Corruption (with RecoveryAdvice), EACCES/EPERM PermissionDenied, others IOError.
Status LmdbStatus(int rc, const std::string& what, const std::string& file,
                  const std::string& dir);

// Marks the calling thread as reading LMDB's memory map until destroyed.
//
// Why a signal handler: LMDB trusts the page numbers, sizes and offsets it
// finds in data.mdb. One damaged byte can make it follow a pointer past the
// end of the file (SIGBUS) or outside the map (SIGSEGV); there is no error
// code to check first, and checking every page ourselves would mean
// re-implementing LMDB. So the first Env::Open installs a handler for
// SIGBUS/SIGSEGV. A fault in a thread inside a MapAccess scope can only come
// from the map (nothing else runs there but LMDB and our decoding of values
// in the map): the handler writes `error: state FILE is corrupted ...` with the
// recovery advice to stderr (async-signal-safe write) and _exit(1)s. Nothing is
// written to the state: a write transaction that has not committed is
// discarded by LMDB. A fault anywhere else is not ours: the handler restores
// the previous disposition and returns, so the fault repeats and ends the
// process as it would have (core dump, sanitizer report).
class MapAccess {
 public:
  // `fault_message`: the complete line to print, alive for the scope.
  explicit MapAccess(const char* fault_message);
  ~MapAccess();
  MapAccess(const MapAccess&) = delete;
  MapAccess& operator=(const MapAccess&) = delete;
  // The message of the innermost scope of this thread, or nullptr.
  static const char* Current();

 private:
  const char* previous_;
};

// Installs the SIGBUS/SIGSEGV handler described above (once per process).
void InstallMapFaultHandler();

class Txn {
 public:
  Txn(MDB_txn* txn, const std::string& file, const std::string& dir)
      : txn_(txn), file_(file), dir_(dir) {}
  MDB_txn* raw() const { return txn_; }
  // The value (pointing into the map, valid until the txn ends) or nullopt.
  Result<std::optional<std::string_view>> Get(MDB_dbi dbi, std::string_view key);
  Status Put(MDB_dbi dbi, std::string_view key, std::string_view value);
  // A missing key is OK.
  Status Del(MDB_dbi dbi, std::string_view key);
  // Any other failure of an LMDB call made through raw().
  Status Error(int rc, const std::string& what);
  // True once a call failed with MDB_MAP_FULL (the Env then grows and retries).
  bool map_full() const { return map_full_; }

 private:
  MDB_txn* txn_;
  const std::string& file_;
  const std::string& dir_;
  bool map_full_ = false;
};

class Env {
 public:
  // Opens (creating if needed) the environment in `dir` with MDB_NOTLS and
  // file mode 0600. `map_size` is the initial map size in bytes (LMDB keeps a
  // larger size recorded in the file). Fails: Corruption naming data.mdb if it
  // is truncated, empty or not an LMDB file; PermissionDenied; IOError.
  static Result<std::unique_ptr<Env>> Open(const std::string& dir, size_t map_size, int max_dbs);
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  // Runs `fn` in a write transaction and commits it (durably: LMDB syncs on
  // commit). On MDB_MAP_FULL, anywhere in `fn` or the commit, the map grows
  // and `fn` runs again from scratch, so `fn` must be repeatable. If `fn`
  // returns an error the transaction is aborted and that error returned.
  Status Write(const std::function<Status(Txn&)>& fn);
  // Runs `fn` in a read-only snapshot transaction. Never waits for writers.
  Status Read(const std::function<Status(Txn&)>& fn);

  const std::string& dir() const { return dir_; }
  const std::string& data_file() const { return data_file_; }
  size_t map_size() const { return map_size_.load(); }
  int resize_count() const { return resizes_.load(); }

 private:
  Env(MDB_env* env, std::string dir);
  Status Grow();
  Status AdoptMapSize();
  Status CheckFileSize();

  MDB_env* env_;
  std::string dir_;
  std::string data_file_;
  std::string fault_message_;  // printed by the fault handler (see MapAccess)
  std::mutex write_mu_;
  std::shared_mutex resize_mu_;  // shared: live txn; exclusive: remapping
  std::atomic<size_t> map_size_{0};
  std::atomic<int> resizes_{0};
};

}  // namespace paiplan::state::lmdb
