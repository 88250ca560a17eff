// Bulk and keyed codecs used by LmdbStore: parallel decoding of resource
// records (so 200,000 records load in well under a second), history keys,
// and the meta record.
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

// (address, encoded record) pairs, e.g. pointing into a read transaction's map.
using RawRecords = std::vector<std::pair<std::string_view, std::string_view>>;

// Decodes every record (in parallel when there are many) into a map by
// address. REQUIRES: `raw` sorted by address, its memory valid for the call.
// Fails: Corruption naming the first undecodable address and `file`.
Result<std::map<std::string, ResourceRecord>> DecodeResources(const RawRecords& raw,
                                                              const std::string& file);

// History keys: 8-byte big-endian sequence numbers, so LMDB's byte order is
// append order.
std::string HistoryKey(uint64_t seq);
// Fails: Corruption if `key` is not 8 bytes.
Result<uint64_t> ParseHistoryKey(std::string_view key, const std::string& file);

// Parses a decimal unsigned meta value. Fails: Corruption naming `name`, `file`.
Result<uint64_t> ParseMetaNumber(std::string_view value, const std::string& name,
                                 const std::string& file);

}  // namespace paiplan::state::lmdb
