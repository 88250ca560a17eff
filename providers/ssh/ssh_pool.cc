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

SshPool::SshPool(int max_concurrent_handshakes, int keepalive_seconds)
    : handshakes_(max_concurrent_handshakes) {
  PP_CHECK(keepalive_seconds >= 0);
  if (keepalive_seconds > 0) {
    keepalive_ = std::jthread([this, keepalive_seconds](std::stop_token stop) {
      KeepaliveLoop(stop, keepalive_seconds);
    });
  }
}

// keepalive_ (declared last) is stopped and joined first; then owned_ closes
// every session.
SshPool::~SshPool() = default;

void SshPool::KeepaliveLoop(std::stop_token stop, int keepalive_seconds) {
  auto tick = std::chrono::milliseconds(keepalive_seconds * 500);
  std::unique_lock<std::mutex> lock(wake_mu_);
  while (!stop.stop_requested()) {
    if (wake_.wait_for(lock, stop, tick, [] { return false; })) break;
    if (stop.stop_requested()) break;
    for (SshTransport* t : Snapshot()) t->SendKeepaliveIfIdle();
  }
}

std::vector<SshTransport*> SshPool::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SshTransport*> out;
  for (const auto& t : owned_) out.push_back(t.get());
  return out;
}

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

int SshPool::TotalKeepalives() const {
  int n = 0;
  for (SshTransport* t : Snapshot()) n += t->stats().keepalives;
  return n;
}

void SshPool::DisconnectAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& t : owned_) t->Disconnect();
}

}  // namespace paiplan::providers::ssh
