// The LMDB store's tables and its meta record: opening the tables of a new or
// existing store, reading and writing the head (lineage, serial, digest of the
// resources table, and a checksum over them), and migrating older format
// versions. Used only by LmdbStore; layout in state/FORMAT.md.
//
// Thread-safety: stateless functions over a transaction owned by the caller.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/status.h"
#include "state/lmdb/lmdb_env.h"
#include "state/lmdb/lmdb_records.h"

namespace paiplan::state::lmdb {

struct Dbis {
  MDB_dbi meta = 0, resources = 0, history = 0, lock = 0;
};

struct Head {
  std::string lineage;
  uint64_t serial = 0;
  Digest digest;  // of the resources table
};

// Where messages point: data.mdb and its directory.
struct Where {
  const std::string& file;
  const std::string& dir;
};

// A lineage as stored: 36 printable ASCII characters (a UUID as paiplan makes
// them; a pushed document's lineage must fit too, or it could not be read back).
bool IsValidLineage(std::string_view s);

// Opens the tables; for a new environment creates them and an empty store;
// for an existing one checks them and migrates an older format in `txn`.
// Never creates a table in an existing store (a damaged table name must not
// turn into a new, empty table). Fails: Corruption (missing table, damaged
// meta record), FailedPrecondition (newer format), IOError.
Status InitStore(Txn& txn, Dbis& dbis, const Where& where);

// Fails: Corruption naming the file with RecoveryAdvice when a meta value is
// missing or malformed or the head checksum does not match.
Result<Head> ReadHead(Txn& txn, const Dbis& dbis, const Where& where);
// Writes lineage, serial, digest and the head checksum.
Status WriteHead(Txn& txn, const Dbis& dbis, const Head& head);

// Migrations from format version N to N+1 run by InitStore, one per step, all
// in the opening write transaction. Exposed for tests.
Status MigrateFormat(Txn& txn, const Dbis& dbis, uint64_t from, const Where& where);

}  // namespace paiplan::state::lmdb
