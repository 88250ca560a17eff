// SshPool: one SshTransport (one SSH session) per machine, shared by every
// action that touches that machine, with a bound on concurrent handshakes.
//
// Why: bootstrapping 50 machines in parallel opens 50 sessions at once; key
// exchange is CPU-heavy on both sides and sshd's MaxStartups (default 10:30:100)
// drops connections beyond its limit, so handshakes are throttled by a counting
// semaphore while established sessions run unthrottled.
//
// Keepalives: with keepalive_seconds > 0 a background thread wakes every
// keepalive_seconds / 2 and asks each transport to send an SSH-level keepalive
// if its session has been idle that long (SshTransport::SendKeepaliveIfIdle),
// so NAT boxes and firewalls between paiplan and a node do not drop a pooled
// session while other machines are being worked on, and a dead peer is found
// before the next action needs the session.
//
// Thread-safety: Get may be called from any thread. The returned pointers stay
// valid until the pool is destroyed (also when a later Get replaced the entry).
// Destroying the pool closes every session; no call may be running then.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "providers/ssh/ssh_transport.h"

namespace paiplan::providers::ssh {

class SshPool {
 public:
  static constexpr int kDefaultMaxHandshakes = 16;

  // REQUIRES: max_concurrent_handshakes >= 1, keepalive_seconds >= 0 (0: no
  // keepalive thread).
  explicit SshPool(int max_concurrent_handshakes = kDefaultMaxHandshakes, int keepalive_seconds = 0);
  ~SshPool();
  SshPool(const SshPool&) = delete;
  SshPool& operator=(const SshPool&) = delete;

  // The transport for machine `name`, created (not yet connected: that
  // happens on its first call) with `target` on the first Get. A later Get
  // with the same name and the same host/port/user/jump returns the same
  // transport; with a different one, a new transport replaces it for later
  // Gets (the old pointer stays valid until the pool is destroyed).
  Transport* Get(const std::string& name, const SshTarget& target);
  // Same, typed (for stats and Connect()).
  SshTransport* GetSsh(const std::string& name, const SshTarget& target);

  // Sum of the handshakes of all transports (for tests and benchmarks).
  int TotalHandshakes() const;
  // The most handshakes that ever ran at the same time (tests: the bound holds).
  int MaxConcurrentHandshakes() const { return handshakes_.max_concurrent(); }
  // Sum of the SSH keepalives sent by all transports (tests).
  int TotalKeepalives() const;
  // Closes all sessions now; transports reconnect on their next call.
  void DisconnectAll();

 private:
  void KeepaliveLoop(std::stop_token stop, int keepalive_seconds);
  std::vector<SshTransport*> Snapshot() const;

  HandshakeGate handshakes_;
  mutable std::mutex mu_;
  std::map<std::string, SshTransport*> by_name_;       // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<SshTransport>> owned_;  // GUARDED_BY(mu_)
  std::mutex wake_mu_;
  std::condition_variable_any wake_;
  std::jthread keepalive_;  // last member: stopped and joined before the transports go
};

}  // namespace paiplan::providers::ssh
