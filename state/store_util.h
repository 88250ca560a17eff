// Helpers shared by every StateStore backend: ids, timestamps, lock records,
// record encoding and batch validation. Keeping them in one place is what makes
// the backends agree byte for byte on lock messages and record values.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"
#include "state/state_store.h"

namespace paiplan::state {

// `bytes` random bytes as lower-case hex, read from /dev/urandom (falls back
// to std::random_device if /dev/urandom cannot be read).
std::string RandomHex(size_t bytes);
// A random (version 4) UUID, e.g. "1b4e28ba-2fa1-41d2-883f-0016d3cca427".
std::string NewUuid();
// Current time as RFC 3339 UTC with seconds, e.g. "2024-11-25T11:12:13Z".
std::string NowRfc3339();

// This machine's host name as lock records carry it ("unknown-host" if unknown).
std::string HostName();

// A fresh lock record for `operation` held by this process: random id, user
// ($USER, else the passwd entry of our uid), host name, pid, now.
LockInfo NewLockInfo(const std::string& operation);
nlohmann::json LockToJson(const LockInfo& lock);
// Fails: Corruption (message starts with `where`) if `j` is not a lock record.
Result<LockInfo> LockFromJson(const nlohmann::json& j, const std::string& where);
// True if `lock` was taken on this host by a process that no longer exists
// (kill(pid, 0) reports ESRCH).
bool LockIsStale(const LockInfo& lock);
// `state locked by WHO@HOST (pid N, OP) since TIME; lock id ID`, followed by
// the stale-lock advice with `paiplan force-unlock ID` when LockIsStale.
std::string LockConflictMessage(const LockInfo& lock);

// LMDB's default maximum key size; other backends keep the same limit so a
// state can move between them.
inline constexpr size_t kMaxAddressBytes = 511;

// True if `s` is well-formed UTF-8 (shortest forms, no surrogates, at most
// U+10FFFF). Addresses must be: they become JSON keys, and nlohmann throws on
// dumping invalid UTF-8.
bool IsValidUtf8(std::string_view s);

// InvalidArgument if an address is empty, too long or not UTF-8, or a record
// is not a JSON object.
Status ValidateBatch(const Batch& batch);

// A record's stored value: compact JSON text (see state/FORMAT.md).
std::string EncodeRecord(const ResourceRecord& record);
// Fails: Corruption naming `address` and `file` if `bytes` is not a JSON object.
Result<ResourceRecord> DecodeRecord(std::string_view bytes, std::string_view address,
                                    std::string_view file);

}  // namespace paiplan::state
