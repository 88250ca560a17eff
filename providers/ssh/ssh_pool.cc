#include "providers/ssh/ssh_pool.h"

#include "engine/base/check.h"

namespace paiplan::providers::ssh {
namespace {

bool SameEndpoint(const SshTarget& a, const SshTarget& b) {
  auto jump = [](const SshTarget& t) {
    return t.proxy_jump ? t.proxy_jump->user + "@" + t.proxy_jump->host + ":" +
                              std::to_string(t.proxy_jump->port)
                        : std::string();
  };
  return a.host == b.host && a.port == b.port && a.user == b.user &&
         a.identity_file == b.identity_file && a.known_hosts_file == b.known_hosts_file &&
         jump(a) == jump(b);
}

}  // namespace

SshPool::SshPool(int max_concurrent_handshakes) : handshakes_(max_concurrent_handshakes) {
  PP_CHECK(max_concurrent_handshakes >= 1);
}

SshPool::~SshPool() = default;  // owned_ closes every session

Transport* SshPool::Get(const std::string& name, const SshTarget& target) {
  return GetSsh(name, target);
}

SshTransport* SshPool::GetSsh(const std::string& name, const SshTarget& target) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(name);
  if (it != by_name_.end() && SameEndpoint(it->second->target(), target)) return it->second;
  owned_.push_back(std::make_unique<SshTransport>(target, &handshakes_));
  by_name_[name] = owned_.back().get();
  return owned_.back().get();
}

int SshPool::TotalHandshakes() const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const auto& t : owned_) n += t->stats().handshakes;
  return n;
}

void SshPool::DisconnectAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& t : owned_) t->Disconnect();
}

}  // namespace paiplan::providers::ssh
