// Bulk and keyed codecs used by LmdbStore: sealed values (each stored JSON
// value carries a CRC-32C of its key and text, verified on every read, so a
// damaged byte is reported instead of silently read), the digest of the
// resources table, parallel decoding of resource records (so 200,000 records
// load in well under a second), history keys, and meta numbers.
//
// Thread-safety: stateless functions; DecodeResources uses its own threads and
// joins them before returning.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/status.h"
#include "state/state_store.h"

namespace paiplan::state::lmdb {

// A sealed value (format version 2, state/FORMAT.md): "XXXXXXXX TEXT", where
// XXXXXXXX is the lower-case hex CRC-32C of KEY + '\0' + TEXT. Covering the
// key means a damaged key is caught too, and a value moved under another key
// does not verify.
inline constexpr size_t kSealBytes = 9;
uint32_t SealCrc(std::string_view key, std::string_view text);
struct Sealed {
  std::string value;
  uint32_t crc = 0;
};
Sealed Seal(std::string_view key, std::string_view text);
struct Unsealed {
  std::string_view text;  // points into the value
  uint32_t crc = 0;
};
// Fails: Corruption "state FILE: WHAT is corrupted (...)" with recovery advice
// when `value` is not sealed or its checksum does not match.
Result<Unsealed> Unseal(std::string_view key, std::string_view value, const std::string& what,
                        const std::string& file, const std::string& dir);

// What the meta record says the resources table holds: the number of records
// and the sum (mod 2^64) of their seal CRCs. Verified by ReadSnapshot, so a
// record that vanished (a damaged page can drop entries), appeared twice or
// was replaced by another is detected even though each survivor verifies.
struct Digest {
  uint64_t count = 0;
  uint64_t sum = 0;
  void Add(uint32_t crc) { ++count, sum += crc; }
  void Remove(uint32_t crc) { --count, sum -= crc; }
  bool operator==(const Digest&) const = default;
  std::string ToString() const;  // "COUNT:SUM", decimal
};
// Fails: Corruption naming `file` unless `text` is "COUNT:SUM".
Result<Digest> ParseDigest(std::string_view text, const std::string& file);

// (address, sealed record) pairs, e.g. pointing into a read transaction's map.
using RawRecords = std::vector<std::pair<std::string_view, std::string_view>>;

struct DecodedResources {
  std::map<std::string, ResourceRecord> records;
  Digest digest;  // of what was read
};

// Verifies and decodes every record (in parallel when there are many) into a
// map by address. REQUIRES: `raw` sorted by address, its memory valid for the
// call; the caller is inside an Env transaction (worker threads inherit its
// MapAccess scope). Fails: Corruption naming the first bad address, `file`
// and what to do.
Result<DecodedResources> DecodeResources(const RawRecords& raw, const std::string& file,
                                         const std::string& dir);

// History keys: 8-byte big-endian sequence numbers, so LMDB's byte order is
// append order.
std::string HistoryKey(uint64_t seq);
// Fails: Corruption if `key` is not 8 bytes.
Result<uint64_t> ParseHistoryKey(std::string_view key, const std::string& file);

// Parses a decimal unsigned meta value. Fails: Corruption naming `name`, `file`.
Result<uint64_t> ParseMetaNumber(std::string_view value, const std::string& name,
                                 const std::string& file);

}  // namespace paiplan::state::lmdb
