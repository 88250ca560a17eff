// DriftFixture: a temp copy of examples/local (three `transport: local`
// machines, three demo services) wired to a fresh Kubernetes API test server
// (tests/kube/serve) whose node names match layout.yaml's nodenames, and
// helpers that run the REAL paiplan binary and the real kubectl against it.
//
// Every test gets its own workspace and server; the server is stopped by pid
// in TearDown (KubeTestServer's destructor).
//
// Thread-safety: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/kube/kube_server_fixture.h"

namespace paiplan::drift_test {

// Result of one command: exit status, stdout, stderr (kept apart so --json
// output parses).
struct CmdResult {
  int rc = -1;
  std::string out, err;
  std::string all() const { return out + err; }
};

// Runs `command` with /bin/sh; stdout and stderr captured separately.
CmdResult Shell(const std::string& command);

// Single-quotes `s` for /bin/sh.
std::string Quote(const std::string& s);

class DriftFixture : public ::testing::Test {
 protected:
  // Node names of examples/local's machines (its `nodename`s).
  static const std::vector<std::string>& LocalNodeNames();

  void SetUp() override;
  void TearDown() override;

  // Copies examples/local into <tmp>/ws, starts the test server with `nodes`
  // and points paiplan.yaml's kubernetes.kubeconfig at it. `extra_yaml` is
  // appended to paiplan.yaml. Fails the test (fatal) on error.
  void MakeWorkspace(const std::vector<std::string>& nodes, const std::string& extra_yaml = "");

  // `paiplan -C <ws> ARGS` (ARGS are passed to the shell as written).
  CmdResult Paiplan(const std::string& args) const;
  // `kubectl --kubeconfig <server kubeconfig> ARGS`.
  CmdResult Kubectl(const std::string& args) const;
  // Labels of one node as seen through kubectl (`get node -o json`).
  std::map<std::string, std::string> NodeLabels(const std::string& node) const;
  // `paiplan drift --json`, parsed with key order kept; fails the test if it
  // does not parse.
  nlohmann::ordered_json DriftJson(int* rc = nullptr) const;
  // Appends text to a file of the workspace.
  void AppendTo(const std::string& relative, const std::string& text) const;

  std::string tmp_;  // per-test temp dir
  std::string ws_;   // workspace root
  kube::testing::KubeTestServer server_;
};

}  // namespace paiplan::drift_test
