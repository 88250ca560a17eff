#include "state/crypto/encrypted_store.h"

#include <set>

namespace paiplan::state {
namespace {

constexpr const char* kSealed = "$sealed";
const char* const kNoKey =
    "the state holds encrypted values, but no state key is configured; set state: {encryption: {key-file: PATH}} "
    "in paiplan.yaml or PAIPLAN_STATE_KEY_FILE=PATH to the key it was written with";

bool IsSealedValue(const nlohmann::json& v) {
  return v.is_object() && v.size() == 1 && v.contains(kSealed) && v[kSealed].is_string();
}

using Visit = std::function<Status(nlohmann::json&)>;

// Calls `f` on each value Seal encrypts: values under sensitive keys (at any
// depth, not looking inside them) and the record's top-level "content".
Status ForEachSealable(nlohmann::json& v, bool top, const EncryptedStore::SensitivePredicate& sensitive,
                       const Visit& f) {
  if (v.is_array()) {
    for (auto& x : v) PP_RETURN_IF_ERROR(ForEachSealable(x, false, sensitive, f));
    return Status::Ok();
  }
  if (!v.is_object() || IsSealedValue(v)) return Status::Ok();
  for (auto it = v.begin(); it != v.end(); ++it) {
    if ((top && it.key() == "content") || sensitive(it.key())) {
      if (!it.value().is_null()) PP_RETURN_IF_ERROR(f(it.value()));
    } else if (it.value().is_structured()) {
      PP_RETURN_IF_ERROR(ForEachSealable(it.value(), false, sensitive, f));
    }
  }
  return Status::Ok();
}

// Without a key only these records are searched for sealed values: they are
// the ones that carry configuration and rendered contents, and nodes/labels
// (the bulk of a large state) stay free to read.
bool MayHoldSealed(const ResourceRecord& rec) {
  auto k = rec.find("kind");
  return k == rec.end() || !k->is_string() || (*k != "node" && *k != "label");
}

}  // namespace

EncryptedStore::EncryptedStore(std::unique_ptr<StateStore> inner, std::optional<StateKey> key,
                               SensitivePredicate sensitive, bool masked_reads)
    : inner_(std::move(inner)), key_(std::move(key)), sensitive_(std::move(sensitive)), masked_reads_(masked_reads) {}

Result<ResourceRecord> EncryptedStore::Seal(const std::string& address, const ResourceRecord& rec,
                                            const StateKey& key) const {
  ResourceRecord out = rec;
  Status st = ForEachSealable(out, true, sensitive_, [&](nlohmann::json& v) -> Status {
    if (IsSealedValue(v)) return Status::Ok();  // already sealed (a migrated record's other values)
    auto sealed = key.Seal(v.dump(), address);
    if (!sealed) return sealed.error();
    v = nlohmann::json{{kSealed, std::move(*sealed)}};
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<ResourceRecord> EncryptedStore::Unseal(const std::string& address, const ResourceRecord& rec) const {
  ResourceRecord out = rec;
  // Sealed values are found where Seal puts them; a sealed object is skipped
  // by the walk, so look at each visited value's parent slot instead.
  std::function<Status(nlohmann::json&, bool)> walk = [&](nlohmann::json& v, bool top) -> Status {
    if (v.is_array()) {
      for (auto& x : v) PP_RETURN_IF_ERROR(walk(x, false));
      return Status::Ok();
    }
    if (!v.is_object()) return Status::Ok();
    for (auto it = v.begin(); it != v.end(); ++it) {
      nlohmann::json& x = it.value();
      if (IsSealedValue(x)) {
        if (!key_) {
          if (!masked_reads_) return Status::FailedPrecondition(kNoKey);
          x = "(sensitive)";
          continue;
        }
        auto plain = key_->Open(x[kSealed].get<std::string>(), address);
        if (!plain) return Status(plain.error().code(), address + ": " + plain.error().message());
        auto parsed = nlohmann::json::parse(*plain, nullptr, false);
        if (parsed.is_discarded()) return Status::Corruption(address + ": an encrypted value is not JSON");
        x = std::move(parsed);
      } else if (x.is_structured()) {
        PP_RETURN_IF_ERROR(walk(x, false));
      }
    }
    return Status::Ok();
  };
  Status st = walk(out, true);
  if (!st.ok()) return Err(st);
  return out;
}

bool EncryptedStore::HasClearSensitive(const ResourceRecord& rec) const {
  bool found = false;
  ResourceRecord copy = rec;
  (void)ForEachSealable(copy, true, sensitive_, [&](nlohmann::json& v) {
    if (!IsSealedValue(v)) found = true;
    return Status::Ok();
  });
  return found;
}

Result<Snapshot> EncryptedStore::ReadSnapshot() {
  PP_ASSIGN_OR_RETURN(Snapshot snap, inner_->ReadSnapshot());
  for (auto& [address, rec] : snap.resources) {
    if (!key_ && !MayHoldSealed(rec)) continue;
    PP_ASSIGN_OR_RETURN(rec, Unseal(address, rec));
  }
  return snap;
}

Status EncryptedStore::Migrate(Batch* batch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (migrated_) return Status::Ok();
  PP_ASSIGN_OR_RETURN(Snapshot current, inner_->ReadSnapshot());
  std::set<std::string> touched(batch->deletes.begin(), batch->deletes.end());
  for (const auto& [a, r] : batch->puts) touched.insert(a);
  for (const auto& [address, rec] : current.resources) {
    if (touched.count(address) || !HasClearSensitive(rec)) continue;
    batch->puts.emplace_back(address, rec);  // sealed below with the others
  }
  migrated_ = true;
  return Status::Ok();
}

Result<uint64_t> EncryptedStore::Commit(const Batch& batch) {
  if (!key_) return inner_->Commit(batch);
  Batch sealed = batch;
  if (!batch.empty()) PP_RETURN_IF_ERROR_R(Migrate(&sealed));
  for (auto& [address, rec] : sealed.puts) {
    PP_ASSIGN_OR_RETURN(rec, Seal(address, rec, *key_));
  }
  return inner_->Commit(sealed);
}

Result<uint64_t> EncryptedStore::ReplaceAll(const Snapshot& snapshot) {
  if (!key_) return inner_->ReplaceAll(snapshot);
  Snapshot sealed = snapshot;
  for (auto& [address, rec] : sealed.resources) {
    PP_ASSIGN_OR_RETURN(rec, Seal(address, rec, *key_));
  }
  return inner_->ReplaceAll(sealed);
}

Result<uint64_t> EncryptedStore::Rekey(const StateKey& new_key) {
  PP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot());  // unsealed with the current key
  Batch b;
  for (const auto& [address, rec] : snap.resources) {
    PP_ASSIGN_OR_RETURN(ResourceRecord sealed, Seal(address, rec, new_key));
    b.puts.emplace_back(address, std::move(sealed));
  }
  if (b.empty()) return snap.serial;
  return inner_->Commit(b);
}

}  // namespace paiplan::state
