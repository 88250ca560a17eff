// EtcdServer: a real etcd (/usr/bin/etcd, or $PAIPLAN_ETCD) started by the
// tests on 127.0.0.1 with free ports and a temporary data dir; stopped by pid.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "state/etcd/etcd_http.h"
#include "tests/state/state_test_util.h"

namespace paiplan::state::testing {

// A port that was free a moment ago (bind to 0, read, close).
inline int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class EtcdServer {
 public:
  ~EtcdServer() { Stop(); }

  // Starts etcd and waits until it answers. Returns an error text, or "".
  std::string Start() {
    const char* bin = std::getenv("PAIPLAN_ETCD");
    std::string etcd = bin && *bin ? bin : "/usr/bin/etcd";
    if (::access(etcd.c_str(), X_OK) != 0) return etcd + " is not installed";
    int client = FreePort(), peer = FreePort();
    endpoint_ = "http://127.0.0.1:" + std::to_string(client);
    std::string peer_url = "http://127.0.0.1:" + std::to_string(peer);
    std::vector<std::string> args = {etcd,
                                     "--name=test",
                                     "--data-dir=" + dir_.Sub("data"),
                                     "--listen-client-urls=" + endpoint_,
                                     "--advertise-client-urls=" + endpoint_,
                                     "--listen-peer-urls=" + peer_url,
                                     "--initial-advertise-peer-urls=" + peer_url,
                                     "--initial-cluster=test=" + peer_url,
                                     "--max-txn-ops=20000",
                                     "--max-request-bytes=33554432"};
    std::string log = dir_.Sub("etcd.log");
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    etcd::EtcdHttp http(endpoint_, 2000);
    for (int i = 0; i < 600; ++i) {  // up to a minute on a loaded machine
      if (http.Post("/v3/kv/range", {{"key", "AA=="}})) return "";
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "etcd exited at startup; see " + log;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "etcd did not answer on " + endpoint_;
  }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    WaitChild(pid_);
    pid_ = -1;
  }

  const std::string& endpoint() const { return endpoint_; }
  // etcd's own files (WAL, snapshots, bbolt db): what it keeps on disk.
  std::string data_dir() const { return dir_.Sub("data"); }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  std::string endpoint_;
};

}  // namespace paiplan::state::testing
