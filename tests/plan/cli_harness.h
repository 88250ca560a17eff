// Runs the real paiplan binary (PAIPLAN_BINARY) on a copy of examples/local
// in a temporary directory, with a clean environment (no KUBECONFIG, HOME in
// the temporary directory, so Kubernetes is never configured by accident),
// and compares normalised output with golden files.
//
// Thread-safety: none (tests are single-threaded).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace paiplan::testing_util {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class LocalWorkspace {
 public:
  // Copies examples/local into a fresh temporary directory.
  LocalWorkspace();
  ~LocalWorkspace();
  LocalWorkspace(const LocalWorkspace&) = delete;
  LocalWorkspace& operator=(const LocalWorkspace&) = delete;

  const std::string& root() const { return root_; }
  std::string Path(const std::string& rel) const { return root_ + "/" + rel; }

  // Runs `paiplan -C <root> args...`; stdin is /dev/null.
  CliResult Run(const std::vector<std::string>& args) const;

  std::string Read(const std::string& rel) const;
  void Write(const std::string& rel, const std::string& text) const;
  // Replaces the one occurrence of `from` in file `rel` (fails the test if
  // it does not occur exactly once).
  void Replace(const std::string& rel, const std::string& from, const std::string& to) const;
  // Every line the demo scripts and role scripts logged (demo-output/*.log
  // and each local node's bootstrap.log), as "file: line", sorted by file.
  std::vector<std::string> ScriptCalls() const;

  // Replaces volatile parts (the temporary path, times, lineage, workspace
  // hash, log directory ids) with placeholders.
  std::string Normalize(std::string text) const;

 private:
  std::string base_;  // temporary directory: root_ and home/
  std::string root_;
};

// Compares `actual` with the golden file tests/testdata/plan/<name>; with
// UPDATE_GOLDEN=1 in the environment, rewrites the file instead.
void ExpectGolden(const std::string& name, const std::string& actual);

}  // namespace paiplan::testing_util
