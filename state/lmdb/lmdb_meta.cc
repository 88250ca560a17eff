#include "state/lmdb/lmdb_meta.h"

#include <cstdio>
#include <iterator>
#include <utility>
#include <vector>

#include "engine/base/crc32c.h"
#include "state/lmdb/lmdb_store.h"
#include "state/store_util.h"

namespace paiplan::state::lmdb {
namespace {

constexpr const char* kMetaVersion = "format_version";
constexpr const char* kMetaLineage = "lineage";
constexpr const char* kMetaSerial = "serial";
constexpr const char* kMetaDigest = "digest";
constexpr const char* kMetaCheck = "check";
constexpr const char* kMetaCreated = "created_at";

Status Damaged(const Where& where, const std::string& what) {
  return Corrupted(where.file, where.dir, what);
}

// 8 hex digits of CRC-32C over everything the head says, so a damaged serial,
// lineage or digest is detected (each is short text a flipped byte keeps valid).
std::string HeadCheck(const Head& head) {
  std::string text = std::to_string(kLmdbFormatVersion) + "\n" + head.lineage + "\n" +
                     std::to_string(head.serial) + "\n" + head.digest.ToString();
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", Crc32c(text));
  return hex;
}

// Lineage and serial as format version 1 kept them (no digest, no check).
Result<Head> ReadPlainHead(Txn& txn, const Dbis& dbis, const Where& where) {
  PP_ASSIGN_OR_RETURN(auto lineage, txn.Get(dbis.meta, kMetaLineage));
  PP_ASSIGN_OR_RETURN(auto serial, txn.Get(dbis.meta, kMetaSerial));
  if (!lineage || !serial || !IsValidLineage(*lineage)) {
    return Err(Damaged(where, "the meta record (lineage/serial) is missing or damaged"));
  }
  Head head;
  head.lineage = std::string(*lineage);
  auto number = ParseMetaNumber(*serial, kMetaSerial, where.file);
  if (!number) return Err(Damaged(where, "the meta record serial is not a number"));
  head.serial = *number;
  return head;
}

// Seals every value of `dbi` in place (format 1 -> 2), refusing values that do
// not decode as JSON objects, so a damaged store is never blessed with valid
// checksums. For the resources table (`digest` given: each CRC is added to
// it) keys must be UTF-8 addresses; history keys are binary.
Status SealTable(Txn& txn, MDB_dbi dbi, const std::string& what, const Where& where,
                 Digest* digest) {
  std::vector<std::pair<std::string, std::string>> entries;
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn.raw(), dbi, &cur);
  if (rc != 0) return txn.Error(rc, "cannot migrate");
  MDB_val k, v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    entries.emplace_back(std::string(static_cast<char*>(k.mv_data), k.mv_size),
                         std::string(static_cast<char*>(v.mv_data), v.mv_size));
  }
  mdb_cursor_close(cur);
  if (rc != MDB_NOTFOUND) return txn.Error(rc, "cannot migrate");
  for (const auto& [key, value] : entries) {
    if ((digest && !IsValidUtf8(key)) || !DecodeRecord(value, key, where.file)) {
      return Damaged(where, "cannot migrate to format version 2: a " + what +
                                " does not decode (key of " + std::to_string(key.size()) + " bytes)");
    }
    Sealed sealed = Seal(key, value);
    PP_RETURN_IF_ERROR(txn.Put(dbi, key, sealed.value));
    if (digest) digest->Add(sealed.crc);
  }
  return Status::Ok();
}

// 1 -> 2: every JSON value gets a checksum; the meta record gets the digest of
// the resources table and the head checksum.
Status MigrateV1ToV2(Txn& txn, const Dbis& dbis, const Where& where) {
  PP_ASSIGN_OR_RETURN(Head head, ReadPlainHead(txn, dbis, where));
  PP_RETURN_IF_ERROR(SealTable(txn, dbis.resources, "resource record", where, &head.digest));
  PP_RETURN_IF_ERROR(SealTable(txn, dbis.history, "history entry", where, nullptr));
  PP_RETURN_IF_ERROR(SealTable(txn, dbis.lock, "lock record", where, nullptr));
  PP_RETURN_IF_ERROR(txn.Put(dbis.meta, kMetaVersion, "2"));
  return WriteHead(txn, dbis, head);
}

// kMigrations[N] brings a store at version N to N+1, completely (including
// format_version). Version 0 never existed.
using Migration = Status (*)(Txn& txn, const Dbis& dbis, const Where& where);
constexpr Migration kMigrations[] = {nullptr, MigrateV1ToV2};
static_assert(std::size(kMigrations) == size_t(kLmdbFormatVersion));

Status OpenTable(Txn& txn, const char* name, unsigned flags, MDB_dbi* dbi, const Where& where) {
  int rc = mdb_dbi_open(txn.raw(), name, flags, dbi);
  if (rc == MDB_NOTFOUND) return Damaged(where, std::string("the table ") + name + " is missing");
  if (rc == MDB_INCOMPATIBLE) rc = MDB_INVALID;  // the name is taken by a non-database record
  if (rc != 0) return txn.Error(rc, std::string("cannot open table ") + name + " of");
  return Status::Ok();
}

Status CreateStore(Txn& txn, Dbis& dbis, const Where& where) {
  MDB_dbi main = 0;
  MDB_stat st;
  int rc = mdb_dbi_open(txn.raw(), nullptr, 0, &main);
  if (rc == 0) rc = mdb_stat(txn.raw(), main, &st);
  if (rc != 0) return txn.Error(rc, "cannot read");
  if (st.ms_entries != 0) return Damaged(where, "the table meta is missing");
  for (auto [name, dbi] : {std::pair{"meta", &dbis.meta}, std::pair{"resources", &dbis.resources},
                           std::pair{"history", &dbis.history}, std::pair{"lock", &dbis.lock}}) {
    PP_RETURN_IF_ERROR(OpenTable(txn, name, MDB_CREATE, dbi, where));
  }
  PP_RETURN_IF_ERROR(txn.Put(dbis.meta, kMetaVersion, std::to_string(kLmdbFormatVersion)));
  PP_RETURN_IF_ERROR(txn.Put(dbis.meta, kMetaCreated, NowRfc3339()));
  Head head;
  head.lineage = NewUuid();
  return WriteHead(txn, dbis, head);
}

}  // namespace

bool IsValidLineage(std::string_view s) {
  if (s.size() != 36) return false;
  for (char c : s) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

Status InitStore(Txn& txn, Dbis& dbis, const Where& where) {
  int rc = mdb_dbi_open(txn.raw(), "meta", 0, &dbis.meta);
  if (rc == MDB_NOTFOUND) return CreateStore(txn, dbis, where);
  PP_RETURN_IF_ERROR(OpenTable(txn, "meta", 0, &dbis.meta, where));
  PP_RETURN_IF_ERROR(OpenTable(txn, "resources", 0, &dbis.resources, where));
  PP_RETURN_IF_ERROR(OpenTable(txn, "history", 0, &dbis.history, where));
  PP_RETURN_IF_ERROR(OpenTable(txn, "lock", 0, &dbis.lock, where));
  PP_ASSIGN_OR_RETURN(auto version, txn.Get(dbis.meta, kMetaVersion));
  if (!version) return Damaged(where, "the format version record is missing");
  auto v = ParseMetaNumber(*version, kMetaVersion, where.file);
  if (!v) return Damaged(where, "the format version record is not a number");
  PP_RETURN_IF_ERROR(MigrateFormat(txn, dbis, *v, where));
  auto head = ReadHead(txn, dbis, where);
  return head ? Status::Ok() : head.error();
}

Result<Head> ReadHead(Txn& txn, const Dbis& dbis, const Where& where) {
  PP_ASSIGN_OR_RETURN(Head head, ReadPlainHead(txn, dbis, where));
  PP_ASSIGN_OR_RETURN(auto digest, txn.Get(dbis.meta, kMetaDigest));
  PP_ASSIGN_OR_RETURN(auto check, txn.Get(dbis.meta, kMetaCheck));
  if (!digest || !check) return Err(Damaged(where, "the meta record (digest/check) is missing"));
  auto parsed = ParseDigest(*digest, where.file);
  if (parsed) head.digest = *parsed;
  if (!parsed || HeadCheck(head) != *check) {
    return Err(Damaged(where, "the meta record (lineage/serial/digest) is corrupted"));
  }
  return head;
}

Status WriteHead(Txn& txn, const Dbis& dbis, const Head& head) {
  PP_RETURN_IF_ERROR(txn.Put(dbis.meta, kMetaLineage, head.lineage));
  PP_RETURN_IF_ERROR(txn.Put(dbis.meta, kMetaSerial, std::to_string(head.serial)));
  PP_RETURN_IF_ERROR(txn.Put(dbis.meta, kMetaDigest, head.digest.ToString()));
  return txn.Put(dbis.meta, kMetaCheck, HeadCheck(head));
}

Status MigrateFormat(Txn& txn, const Dbis& dbis, uint64_t from, const Where& where) {
  if (from > uint64_t(kLmdbFormatVersion)) {
    return Status::FailedPrecondition(
        "state " + where.file + " has format version " + std::to_string(from) +
        " but this paiplan reads up to version " + std::to_string(kLmdbFormatVersion) +
        "; use a newer paiplan");
  }
  if (from == 0) return Damaged(where, "format version 0 is invalid");
  for (uint64_t v = from; v < uint64_t(kLmdbFormatVersion); ++v) {
    PP_RETURN_IF_ERROR(kMigrations[v](txn, dbis, where));
  }
  return Status::Ok();
}

}  // namespace paiplan::state::lmdb
