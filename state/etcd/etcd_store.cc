#include "state/etcd/etcd_store.h"

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "state/etcd/etcd_http.h"
#include "state/store_util.h"

namespace paiplan::state {

using etcd::Base64Decode;
using etcd::Base64Encode;
using json = nlohmann::json;

namespace {

constexpr int kEtcdFormatVersion = 1;

struct Kv {
  std::string key, value;
  int64_t mod_revision = 0;
  int64_t lease = 0;
};

struct Head {
  std::string lineage;
  uint64_t serial = 0;
};

// The gateway encodes 64-bit integers as strings.
int64_t AsInt(const json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  int64_t v = 0;
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    std::from_chars(s.data(), s.data() + s.size(), v);
  }
  return v;
}

json RangeOp(const std::string& key, bool prefix, bool keys_only = false) {
  json r = {{"key", Base64Encode(key)}};
  if (prefix) r["range_end"] = Base64Encode(etcd::PrefixEnd(key));
  if (keys_only) r["keys_only"] = true;
  return {{"request_range", r}};
}

json PutOp(const std::string& key, const std::string& value, int64_t lease = 0) {
  json p = {{"key", Base64Encode(key)}, {"value", Base64Encode(value)}};
  if (lease != 0) p["lease"] = std::to_string(lease);
  return {{"request_put", p}};
}

json DelOp(const std::string& key) { return {{"request_delete_range", {{"key", Base64Encode(key)}}}}; }

json CompareValue(const std::string& key, const std::string& value) {
  return {{"result", "EQUAL"}, {"target", "VALUE"}, {"key", Base64Encode(key)},
          {"value", Base64Encode(value)}};
}

json CompareCreateRevision(const std::string& key, int64_t revision) {
  return {{"result", "EQUAL"}, {"target", "CREATE"}, {"key", Base64Encode(key)},
          {"create_revision", std::to_string(revision)}};
}

json CompareModRevision(const std::string& key, int64_t revision) {
  return {{"result", "EQUAL"}, {"target", "MOD"}, {"key", Base64Encode(key)},
          {"mod_revision", std::to_string(revision)}};
}

Result<std::vector<Kv>> ParseKvs(const json& range_response) {
  std::vector<Kv> out;
  if (!range_response.is_object() || !range_response.contains("kvs")) return out;  // none: omitted
  for (const json& kv : range_response["kvs"]) {
    Kv k;
    PP_ASSIGN_OR_RETURN(k.key, Base64Decode(kv.value("key", "")));
    PP_ASSIGN_OR_RETURN(k.value, Base64Decode(kv.value("value", "")));
    if (kv.contains("mod_revision")) k.mod_revision = AsInt(kv["mod_revision"]);
    if (kv.contains("lease")) k.lease = AsInt(kv["lease"]);
    out.push_back(std::move(k));
  }
  return out;
}

// The range response at `index` of a txn reply.
Result<std::vector<Kv>> TxnRange(const json& reply, size_t index) {
  if (!reply.contains("responses") || reply["responses"].size() <= index) {
    return std::vector<Kv>();
  }
  return ParseKvs(reply["responses"][index].value("response_range", json::object()));
}

bool Succeeded(const json& reply) { return reply.value("succeeded", false); }

}  // namespace

struct EtcdStore::Impl {
  EtcdOptions opt;
  etcd::EtcdHttp http;
  std::mutex mu;  // guards the held lock and the keepalive state
  std::string held_id, held_value;
  int64_t held_lease = 0;
  std::thread keepalive;
  std::condition_variable cv;
  bool stop = false;

  explicit Impl(const EtcdOptions& o) : opt(o), http(o.endpoint, o.request_timeout_ms) {}
  std::string K(const std::string& suffix) const { return opt.prefix + suffix; }
  std::string Where() const { return "etcd " + opt.endpoint + " prefix " + opt.prefix; }

  Result<json> Txn(json compare, json success, json failure) {
    return http.Post("/v3/kv/txn", {{"compare", std::move(compare)},
                                    {"success", std::move(success)},
                                    {"failure", std::move(failure)}});
  }
  Result<std::vector<Kv>> Get(const std::string& key, bool prefix, bool keys_only = false) {
    PP_ASSIGN_OR_RETURN(json reply, http.Post("/v3/kv/range", RangeOp(key, prefix, keys_only)["request_range"]));
    return ParseKvs(reply);
  }
  void Revoke(int64_t lease) { (void)http.Post("/v3/lease/revoke", {{"ID", std::to_string(lease)}}); }

  Result<Head> ReadMeta(const std::vector<Kv>& kvs) {
    std::map<std::string, std::string> meta;
    for (const Kv& kv : kvs) meta[kv.key.substr(K("meta/").size())] = kv.value;
    if (meta.contains("format_version") && meta["format_version"] != std::to_string(kEtcdFormatVersion)) {
      return Err(Status::FailedPrecondition(Where() + ": format version " + meta["format_version"] +
                                            " is not supported (this paiplan writes " +
                                            std::to_string(kEtcdFormatVersion) + ")"));
    }
    Head head;
    head.lineage = meta["lineage"];
    const std::string& serial = meta["serial"];
    auto [end, ec] = std::from_chars(serial.data(), serial.data() + serial.size(), head.serial);
    if (head.lineage.size() != 36 || serial.empty() || ec != std::errc() ||
        end != serial.data() + serial.size()) {
      return Err(Status::Corruption(Where() + ": the meta keys (lineage/serial) are missing or "
                                    "damaged; restore them from a `paiplan state pull` backup"));
    }
    return head;
  }
  Result<Head> ReadHead() {
    PP_ASSIGN_OR_RETURN(auto kvs, Get(K("meta/"), true));
    return ReadMeta(kvs);
  }

  std::pair<std::string, std::string> Held() {
    std::lock_guard l(mu);
    return {held_id, held_value};
  }

  void KeepAliveLoop(int64_t lease) {
    auto period = std::chrono::milliseconds(std::max(1, opt.lock_ttl_seconds) * 1000 / 3);
    std::unique_lock l(mu);
    while (!cv.wait_for(l, period, [&] { return stop; })) {
      l.unlock();
      (void)http.Post("/v3/lease/keepalive", {{"ID", std::to_string(lease)}});
      l.lock();
    }
  }
  void StopKeepalive() {
    std::thread t;
    {
      std::lock_guard l(mu);
      stop = true;
      t = std::move(keepalive);
    }
    cv.notify_all();
    if (t.joinable()) t.join();
    std::lock_guard l(mu);
    stop = false;
  }
};

EtcdStore::EtcdStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EtcdStore::~EtcdStore() { impl_->StopKeepalive(); }

Result<std::unique_ptr<StateStore>> EtcdStore::Open(const EtcdOptions& options) {
  EtcdOptions opt = options;
  if (opt.prefix.empty() || opt.prefix.back() != '/') opt.prefix += '/';
  auto impl = std::make_unique<Impl>(opt);
  Impl* p = impl.get();
  json create = json::array({PutOp(p->K("meta/format_version"), std::to_string(kEtcdFormatVersion)),
                             PutOp(p->K("meta/lineage"), NewUuid()), PutOp(p->K("meta/serial"), "0")});
  PP_ASSIGN_OR_RETURN(json reply, p->Txn(json::array({CompareCreateRevision(p->K("meta/lineage"), 0)}),
                                         create, json::array({RangeOp(p->K("meta/"), true)})));
  if (!Succeeded(reply)) {
    PP_ASSIGN_OR_RETURN(auto kvs, TxnRange(reply, 0));
    auto head = p->ReadMeta(kvs);
    if (!head) return Err(head.error());
  }
  return std::unique_ptr<StateStore>(new EtcdStore(std::move(impl)));
}

Result<Snapshot> EtcdStore::ReadSnapshot() {
  Impl* p = impl_.get();
  PP_ASSIGN_OR_RETURN(json reply, p->Txn(json::array(), json::array({RangeOp(p->K("meta/"), true),
                                                                     RangeOp(p->K("resources/"), true)}),
                                         json::array()));
  PP_ASSIGN_OR_RETURN(auto meta, TxnRange(reply, 0));
  PP_ASSIGN_OR_RETURN(Head head, p->ReadMeta(meta));
  PP_ASSIGN_OR_RETURN(auto kvs, TxnRange(reply, 1));
  Snapshot snap{head.lineage, head.serial, {}};
  const size_t skip = p->K("resources/").size();
  for (const Kv& kv : kvs) {
    std::string address = kv.key.substr(skip);
    PP_ASSIGN_OR_RETURN(ResourceRecord record, DecodeRecord(kv.value, address, p->Where()));
    snap.resources.emplace_hint(snap.resources.end(), std::move(address), std::move(record));
  }
  return snap;
}

Result<std::pair<std::string, uint64_t>> EtcdStore::ReadHead() {
  PP_ASSIGN_OR_RETURN(Head head, impl_->ReadHead());
  return std::make_pair(head.lineage, head.serial);
}

Result<std::vector<std::string>> EtcdStore::ListAddresses() {
  Impl* p = impl_.get();
  PP_ASSIGN_OR_RETURN(auto kvs, p->Get(p->K("resources/"), true, true));
  std::vector<std::string> out;
  for (const Kv& kv : kvs) out.push_back(kv.key.substr(p->K("resources/").size()));
  return out;
}

Result<LockInfo> EtcdStore::Lock(const std::string& operation) {
  Impl* p = impl_.get();
  for (int attempt = 0; attempt < 3; ++attempt) {
    PP_ASSIGN_OR_RETURN(json grant, p->http.Post("/v3/lease/grant", {{"TTL", p->opt.lock_ttl_seconds}}));
    int64_t lease = AsInt(grant.value("ID", json()));
    if (lease == 0) return Err(Status::IOError(p->Where() + ": lease grant returned no ID"));
    LockInfo mine = NewLockInfo(operation);
    std::string value = LockToJson(mine).dump();
    auto reply = p->Txn(json::array({CompareCreateRevision(p->K("lock"), 0)}),
                        json::array({PutOp(p->K("lock"), value, lease)}),
                        json::array({RangeOp(p->K("lock"), false)}));
    if (!reply || !Succeeded(*reply)) p->Revoke(lease);
    if (!reply) return Err(reply.error());
    if (Succeeded(*reply)) {
      std::lock_guard l(p->mu);
      p->held_id = mine.id;
      p->held_value = value;
      p->held_lease = lease;
      p->keepalive = std::thread([p, lease] { p->KeepAliveLoop(lease); });
      return mine;
    }
    PP_ASSIGN_OR_RETURN(auto kvs, TxnRange(*reply, 0));
    if (kvs.empty()) continue;  // released meanwhile: try again
    auto holder = LockFromJson(json::parse(kvs[0].value, nullptr, false), p->Where());
    if (!holder) return Err(holder.error());
    return Err(Status::Conflict(LockConflictMessage(*holder)));
  }
  return Err(Status::Conflict(p->Where() + ": the lock keeps changing hands; try again"));
}

Status EtcdStore::Unlock(const std::string& id) { return ForceUnlock(id); }

Status EtcdStore::ForceUnlock(const std::string& id) {
  Impl* p = impl_.get();
  PP_ASSIGN_OR_RETURN(auto kvs, p->Get(p->K("lock"), false));
  std::optional<LockInfo> current;
  if (!kvs.empty()) {
    PP_ASSIGN_OR_RETURN(current, LockFromJson(json::parse(kvs[0].value, nullptr, false), p->Where()));
  }
  if (!current || current->id != id) {
    return Status::NotFound("state: no lock with id " + id + " is held" +
                            (current ? " (the current lock is " + current->id + ")" : ""));
  }
  PP_ASSIGN_OR_RETURN(json reply, p->Txn(json::array({CompareModRevision(p->K("lock"), kvs[0].mod_revision)}),
                                         json::array({DelOp(p->K("lock"))}), json::array()));
  if (!Succeeded(reply)) return Status::Conflict(p->Where() + ": the lock changed while removing it");
  if (kvs[0].lease != 0) p->Revoke(kvs[0].lease);
  bool ours = false;
  {
    std::lock_guard l(p->mu);
    ours = p->held_id == id;
    if (ours) p->held_id.clear(), p->held_value.clear(), p->held_lease = 0;
  }
  if (ours) p->StopKeepalive();
  return Status::Ok();
}

Result<std::optional<LockInfo>> EtcdStore::CurrentLock() {
  Impl* p = impl_.get();
  PP_ASSIGN_OR_RETURN(auto kvs, p->Get(p->K("lock"), false));
  if (kvs.empty()) return std::optional<LockInfo>();
  PP_ASSIGN_OR_RETURN(LockInfo lock, LockFromJson(json::parse(kvs[0].value, nullptr, false), p->Where()));
  return std::optional<LockInfo>(std::move(lock));
}

Result<uint64_t> EtcdStore::Commit(const Batch& batch) {
  PP_RETURN_IF_ERROR_R(ValidateBatch(batch));
  Impl* p = impl_.get();
  auto [held_id, held_value] = p->Held();
  if (held_id.empty()) {
    return Err(Status::FailedPrecondition("state: write without holding the state lock (call Lock first)"));
  }
  std::map<std::string, const ResourceRecord*> final_state;  // etcd refuses a key twice per txn
  for (const auto& [address, record] : batch.puts) final_state[address] = &record;
  for (const auto& address : batch.deletes) final_state[address] = nullptr;
  PP_ASSIGN_OR_RETURN(Head head, p->ReadHead());
  json ops = json::array();
  for (const auto& [address, record] : final_state) {
    ops.push_back(record ? PutOp(p->K("resources/" + address), EncodeRecord(*record))
                         : DelOp(p->K("resources/" + address)));
  }
  uint64_t serial = batch.empty() ? head.serial : head.serial + 1;
  if (!batch.empty()) ops.push_back(PutOp(p->K("meta/serial"), std::to_string(serial)));
  PP_ASSIGN_OR_RETURN(json reply, p->Txn(json::array({CompareValue(p->K("lock"), held_value),
                                                       CompareValue(p->K("meta/serial"), std::to_string(head.serial))}),
                                         ops, json::array()));
  if (!Succeeded(reply)) {
    return Err(Status::Conflict(p->Where() + ": our lock " + held_id +
                                " was lost (lease expired or force-unlock); refusing to write"));
  }
  return serial;
}

Result<uint64_t> EtcdStore::ReplaceAll(const Snapshot& snapshot) {
  Batch check;
  for (const auto& [address, record] : snapshot.resources) check.puts.emplace_back(address, record);
  PP_RETURN_IF_ERROR_R(ValidateBatch(check));
  Impl* p = impl_.get();
  auto [held_id, held_value] = p->Held();
  if (held_id.empty()) {
    return Err(Status::FailedPrecondition("state: write without holding the state lock (call Lock first)"));
  }
  PP_ASSIGN_OR_RETURN(Head head, p->ReadHead());
  PP_ASSIGN_OR_RETURN(auto existing, ListAddresses());
  if (snapshot.lineage != head.lineage && !(head.serial == 0 && existing.empty())) {
    return Err(Status::Conflict("state: lineage mismatch: the store has lineage " + head.lineage +
                                " but the document has " + snapshot.lineage +
                                "; it belongs to another workspace's state"));
  }
  json ops = json::array();
  for (const auto& address : existing) {
    if (!snapshot.resources.contains(address)) ops.push_back(DelOp(p->K("resources/" + address)));
  }
  for (const auto& [address, record] : snapshot.resources) {
    ops.push_back(PutOp(p->K("resources/" + address), EncodeRecord(record)));
  }
  uint64_t serial = std::max(head.serial, snapshot.serial) + 1;
  ops.push_back(PutOp(p->K("meta/serial"), std::to_string(serial)));
  ops.push_back(PutOp(p->K("meta/lineage"), snapshot.lineage));
  PP_ASSIGN_OR_RETURN(json reply, p->Txn(json::array({CompareValue(p->K("lock"), held_value),
                                                       CompareValue(p->K("meta/serial"), std::to_string(head.serial))}),
                                         ops, json::array()));
  if (!Succeeded(reply)) {
    return Err(Status::Conflict(p->Where() + ": our lock was lost or the state changed; nothing pushed"));
  }
  return serial;
}

Status EtcdStore::AppendHistory(const json& entry) {
  Impl* p = impl_.get();
  std::string value = entry.dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string seq_key = p->K("meta/history_seq");
  for (int attempt = 0; attempt < 20; ++attempt) {
    PP_ASSIGN_OR_RETURN(auto kvs, p->Get(seq_key, false));
    uint64_t seq = 0;
    if (!kvs.empty()) std::from_chars(kvs[0].value.data(), kvs[0].value.data() + kvs[0].value.size(), seq);
    json guard = kvs.empty() ? CompareCreateRevision(seq_key, 0) : CompareModRevision(seq_key, kvs[0].mod_revision);
    char key[32];
    std::snprintf(key, sizeof key, "%020llu", static_cast<unsigned long long>(seq + 1));
    PP_ASSIGN_OR_RETURN(json reply, p->Txn(json::array({guard}),
                                           json::array({PutOp(p->K("history/") + key, value),
                                                        PutOp(seq_key, std::to_string(seq + 1))}),
                                           json::array()));
    if (Succeeded(reply)) return Status::Ok();
  }
  return Status::Conflict(p->Where() + ": could not append to the history (too much contention)");
}

Result<std::vector<json>> EtcdStore::ReadHistory() {
  Impl* p = impl_.get();
  PP_ASSIGN_OR_RETURN(auto kvs, p->Get(p->K("history/"), true));
  std::vector<json> out;
  for (const Kv& kv : kvs) {
    json j = json::parse(kv.value, nullptr, false);
    if (j.is_discarded()) return Err(Status::Corruption(p->Where() + ": history entry " + kv.key + " does not decode"));
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace paiplan::state
