// A throw-away paiplan workspace for integration tests: one local machine
// (transport: local, so no SSH), Kubernetes disabled, the recording test
// services of tests/testdata/services/ (or generated ones), and helpers to
// run the real binary on it and read what the services' scripts recorded.
//
// Thread-safety: none; one test thread per workspace.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/run_util.h"

namespace paiplan::integration {

// One script call as recorded by tests/testdata/services/_lib/record.sh.
struct Call {
  std::string service;
  std::string action;   // start | stop | refresh | delete
  int64_t start_ns = 0;
  int64_t end_ns = 0;   // 0: never finished (killed, hung, or still running)
  std::string cfg;      // hash of the rendered files it ran with
  std::string pid;
  std::string status;   // ok | fail | "" (unfinished)
  bool Finished() const { return end_ns != 0; }
  // Still running: not finished and its process is alive (a script killed
  // with its paiplan never logs an end).
  bool Running() const;
};

class TestWorkspace {
 public:
  // Creates a fresh directory under /tmp with layout.yaml, the test roles and
  // testlib/record.sh; `services` are copied from tests/testdata/services/.
  explicit TestWorkspace(const std::vector<std::string>& services = {"t-base", "t-store", "t-cache", "t-app", "t-side"});
  ~TestWorkspace();  // removes the directory unless the test failed (then it is kept and printed)

  const std::string& root() const { return root_; }
  std::string Path(const std::string& rel) const { return root_ + "/" + rel; }

  // Writes paiplan.yaml: enabled-services = the services, Kubernetes off,
  // retry attempts 1, plus `extra` YAML lines (e.g. "scripts: {timeout: 2}"),
  // which later rewrites (AddService) keep.
  void WriteSettings(const std::string& extra);
  // Writes services-configuration.yaml.
  void WriteServicesConfig(const std::string& yaml);
  // Adds a generated recording service (same scripts as the test services).
  void AddService(const std::string& name, const std::vector<std::string>& prerequisites);

  // A control switch for record.sh: control/<service>.<action>.<kind>.
  void Set(const std::string& service, const std::string& action, const std::string& kind,
           const std::string& content = "1");
  void Clear(const std::string& service, const std::string& action, const std::string& kind);

  // Runs paiplan -C root ARGS... (NO_COLOR, no KUBECONFIG, HOME = root).
  RunResult Paiplan(const std::vector<std::string>& args, int timeout_s = 120) const;
  // Starts paiplan in the background.
  std::unique_ptr<Child> Start(const std::vector<std::string>& args) const;
  RunOptions Options(int timeout_s = 120) const;

  // Calls recorded so far, in log order of their begin line.
  std::vector<Call> Calls() const;
  std::vector<Call> Calls(const std::string& action) const;
  // The first call of service/action, or nullopt.
  std::optional<Call> Find(const std::string& service, const std::string& action) const;
  // Clears the call log.
  void ResetCalls();

  // `paiplan state pull` parsed (ADD_FAILURE and {} when it fails).
  nlohmann::json StatePull() const;
  // `paiplan --json plan`: address -> {action, reason} of every action that
  // is not a no-op (ADD_FAILURE and {} when it fails).
  std::map<std::string, std::pair<std::string, std::string>> Plan() const;

 private:
  std::string root_;
  std::vector<std::string> services_;
  std::string extra_settings_;
};

// Waits (bounded: a safety net, not a criterion) until `service action` has
// begun in the background `apply`. Fails the test when the apply ended first.
bool WaitForBegin(const TestWorkspace& ws, Child& apply, const std::string& service, const std::string& action);

}  // namespace paiplan::integration
