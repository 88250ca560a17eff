// EncryptedStore: state encryption at rest (docs/state-encryption.md) as a
// StateStore wrapped around any backend (LMDB, etcd), so no backend ever
// receives a sensitive value in clear when a key is configured.
//
// Sealed in each record: every value under a sensitive key (the predicate
// given, paiplan's "ends in password/token/secret/key" rule) and the
// top-level "content" of records (rendered files, which may carry those
// values). A sealed value is stored as {"$sealed": "pp1:<key id>:<base64>"}
// (StateKey), bound to its record's address.
//
// Reads decrypt with the key. Without a key, a state holding sealed values
// is refused (FailedPrecondition naming the setting), unless the store was
// opened for masked reads (state list/show/pull), where each sealed value
// reads as "(sensitive)" and writes are refused.
// Migration: a state written before encryption (sensitive values in clear)
// is rewritten sealed by the first Commit made with a key.
//
// Thread-safety: as the wrapped store; the migration flag is guarded.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "state/crypto/state_key.h"
#include "state/state_store.h"

namespace paiplan::state {

class EncryptedStore : public StateStore {
 public:
  using SensitivePredicate = std::function<bool(const std::string& key)>;

  // `key` empty: no encryption (see the class comment for reads).
  EncryptedStore(std::unique_ptr<StateStore> inner, std::optional<StateKey> key, SensitivePredicate sensitive,
                 bool masked_reads);

  // Fails as the inner store, plus FailedPrecondition (sealed values but no
  // key, or another key) and Corruption (a sealed value fails authentication).
  Result<Snapshot> ReadSnapshot() override;
  Result<std::pair<std::string, uint64_t>> ReadHead() override { return inner_->ReadHead(); }
  Result<std::vector<std::string>> ListAddresses() override { return inner_->ListAddresses(); }
  Result<LockInfo> Lock(const std::string& operation) override { return inner_->Lock(operation); }
  Status Unlock(const std::string& id) override { return inner_->Unlock(id); }
  Status ForceUnlock(const std::string& id) override { return inner_->ForceUnlock(id); }
  Result<std::optional<LockInfo>> CurrentLock() override { return inner_->CurrentLock(); }
  // Seals the puts; with a key, the first Commit also reseals every record
  // still holding a sensitive value in clear (migration).
  Result<uint64_t> Commit(const Batch& batch) override;
  Result<uint64_t> ReplaceAll(const Snapshot& snapshot) override;
  Status AppendHistory(const nlohmann::json& entry) override { return inner_->AppendHistory(entry); }
  Result<std::vector<nlohmann::json>> ReadHistory() override { return inner_->ReadHistory(); }

  // Every record of the state resealed with `new_key` in one commit
  // (`paiplan state rekey`). REQUIRES: the lock is held; this store has the
  // current key. Returns the new serial.
  Result<uint64_t> Rekey(const StateKey& new_key);

  // Seals/unseals one record (exposed for tests and `state rekey`).
  Result<ResourceRecord> Seal(const std::string& address, const ResourceRecord& rec, const StateKey& key) const;
  Result<ResourceRecord> Unseal(const std::string& address, const ResourceRecord& rec) const;
  // Whether `rec` holds a value that Seal would encrypt but is in clear.
  bool HasClearSensitive(const ResourceRecord& rec) const;

 private:
  Status Migrate(Batch* batch);

  std::unique_ptr<StateStore> inner_;
  std::optional<StateKey> key_;
  SensitivePredicate sensitive_;
  bool masked_reads_;
  std::mutex mu_;
  bool migrated_ = false;
};

}  // namespace paiplan::state
