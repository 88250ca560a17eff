// EtcdHttp: JSON-over-HTTP calls to etcd's v3 gRPC gateway (POST /v3/...),
// with libcurl. Only EtcdStore uses it.
//
// Thread-safety: Post may be called from several threads at once (each call
// uses its own curl handle).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace paiplan::state::etcd {

class EtcdHttp {
 public:
  // `endpoint` like "http://127.0.0.1:2379"; `timeout_ms` per request.
  EtcdHttp(std::string endpoint, long timeout_ms) : endpoint_(std::move(endpoint)), timeout_ms_(timeout_ms) {}

  // POSTs `body` to endpoint + `path` ("/v3/kv/range") and returns the JSON
  // reply. Fails: Unavailable (cannot connect), Timeout, and for an error
  // reply the gateway's message as FailedPrecondition (e.g. "too many
  // operations in txn request") or NotFound ("requested lease not found").
  Result<nlohmann::json> Post(std::string_view path, const nlohmann::json& body) const;

  const std::string& endpoint() const { return endpoint_; }

 private:
  std::string endpoint_;
  long timeout_ms_;
};

// Standard base64 (etcd's JSON encoding of keys and values).
std::string Base64Encode(std::string_view in);
// Fails: Corruption for invalid input.
Result<std::string> Base64Decode(std::string_view in);
// The smallest key greater than every key starting with `prefix` (range_end).
std::string PrefixEnd(std::string prefix);

}  // namespace paiplan::state::etcd
