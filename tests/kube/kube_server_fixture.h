// KubeTestServer: starts and stops tests/kube/serve (the Kubernetes API test
// server) for C++ tests. Any test target may use it: add
// tests/kube/kube_server_fixture.cc to its SOURCES and link pp_kube (libcurl).
//
//   paiplan::kube::testing::KubeTestServer server;
//   ASSERT_TRUE(server.Start(tmp_dir, {"node-a", "node-b"}).ok());
//   setenv("KUBECONFIG", server.kubeconfig_path().c_str(), 1);
//   ...
//   server.Stop();   // also done by the destructor
//
// The server listens on 127.0.0.1 (free port), writes DIR/kubeconfig with
// contexts `test` (bearer token, current) and `certs` (client certificate),
// DIR/certs/{ca,client}.{crt,key}, and exposes a plain-HTTP admin port
// (stats, add nodes, inject ConfigMap write conflicts; see tests/kube/serve).
// It is stopped by the pid of the child process, never by name.
//
// Thread-safety: one thread drives a KubeTestServer.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace paiplan::kube::testing {

class KubeTestServer {
 public:
  KubeTestServer() = default;
  ~KubeTestServer() { Stop(); }
  KubeTestServer(const KubeTestServer&) = delete;
  KubeTestServer& operator=(const KubeTestServer&) = delete;

  // Starts `tests/kube/serve --dir DIR --nodes a,b ... EXTRA_ARGS` and waits
  // (up to 60 s) until DIR/kubeconfig exists. Fails Unavailable with the
  // server's output if it exits or never gets ready.
  Status Start(const std::string& dir, const std::vector<std::string>& nodes,
               const std::vector<std::string>& extra_args = {});
  // SIGTERM to the child, wait; SIGKILL after 10 s. Safe to call twice.
  void Stop();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  std::string kubeconfig_path() const { return dir_ + "/kubeconfig"; }
  std::string ca_cert_path() const { return dir_ + "/certs/ca.crt"; }
  const std::string& dir() const { return dir_; }
  const std::string& server_url() const { return server_url_; }  // https://127.0.0.1:PORT
  const std::string& token() const { return token_; }
  const std::string& admin_url() const { return admin_url_; }    // http://127.0.0.1:PORT

  // Admin port calls (plain HTTP). Post("/conflict?namespace=default&name=x&count=2").
  Result<nlohmann::json> AdminGet(const std::string& path) const;
  Status AdminPost(const std::string& path) const;
  // Counters: requests, node_list_requests (logical LISTs), node_list_pages,
  // patches, configmap_puts, unauthorized.
  Result<nlohmann::json> Stats() const { return AdminGet("/stats"); }

  // Path of the server script (tests/kube/serve in the source tree).
  static std::string ScriptPath();

 private:
  std::string dir_;
  std::string server_url_, token_, admin_url_;
  pid_t pid_ = -1;
};

// A fresh directory under $TMPDIR (or /tmp) named for `tag`; empty on failure.
std::string MakeTempDir(const std::string& tag);

// Runs `command` with /bin/sh, returns (exit status, stdout+stderr).
std::pair<int, std::string> RunCommand(const std::string& command);

}  // namespace paiplan::kube::testing
