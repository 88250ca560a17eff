// Direct LMDB access for tests, bypassing LmdbStore: to build a store in an
// older format, or to damage one on purpose, and to look at what is stored.
// REQUIRES: no LmdbStore is open on the directory in this process.
//
// Thread-safety: one thread.
#pragma once

#include <lmdb.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

namespace paiplan::state::testing {

class RawLmdb {
 public:
  // Opens (creating) the environment in `dir`; aborts the test binary on failure.
  explicit RawLmdb(const std::string& dir) {
    Check(mdb_env_create(&env_), "create");
    mdb_env_set_maxdbs(env_, 8);
    Check(mdb_env_open(env_, dir.c_str(), 0, 0600), "open");
    Check(mdb_txn_begin(env_, nullptr, 0, &txn_), "begin");
  }
  // Commits everything written.
  ~RawLmdb() {
    Check(mdb_txn_commit(txn_), "commit");
    mdb_env_close(env_);
  }
  RawLmdb(const RawLmdb&) = delete;
  RawLmdb& operator=(const RawLmdb&) = delete;

  void Put(const char* table, const std::string& key, const std::string& value) {
    MDB_val k = Val(key), v = Val(value);
    Check(mdb_put(txn_, Dbi(table), &k, &v, 0), "put");
  }
  void Del(const char* table, const std::string& key) {
    MDB_val k = Val(key);
    Check(mdb_del(txn_, Dbi(table), &k, nullptr), "del");
  }
  std::optional<std::string> Get(const char* table, const std::string& key) {
    MDB_val k = Val(key), v{};
    int rc = mdb_get(txn_, Dbi(table), &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    Check(rc, "get");
    return std::string(static_cast<char*>(v.mv_data), v.mv_size);
  }

 private:
  static MDB_val Val(const std::string& s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
  static void Check(int rc, const char* what) {
    if (rc == 0) return;
    std::cerr << "RawLmdb: " << what << ": " << mdb_strerror(rc) << "\n";
    std::abort();
  }
  MDB_dbi Dbi(const char* table) {
    MDB_dbi dbi = 0;
    Check(mdb_dbi_open(txn_, table, MDB_CREATE, &dbi), table);
    return dbi;
  }

  MDB_env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
};

}  // namespace paiplan::state::testing
