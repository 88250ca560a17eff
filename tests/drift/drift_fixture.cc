#include "tests/drift/drift_fixture.h"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "engine/base/fs.h"

namespace paiplan::drift_test {

std::string Quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'') o += "'\\''";
    else o += c;
  }
  return o + "'";
}

CmdResult Shell(const std::string& command) {
  CmdResult r;
  std::string err_file = kube::testing::MakeTempDir("drift-stderr");
  std::string err_path = err_file + "/stderr";
  std::string full = "(" + command + ") 2>" + Quote(err_path);
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) {
    r.err = "popen failed";
    return r;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto e = fs::ReadFile(err_path);
  if (e) r.err = *e;
  std::remove(err_path.c_str());
  std::remove(err_file.c_str());
  return r;
}

const std::vector<std::string>& DriftFixture::LocalNodeNames() {
  static const std::vector<std::string> kNames = {"127.0.0.11", "127.0.0.21", "127.0.0.22"};
  return kNames;
}

void DriftFixture::SetUp() {
  tmp_ = kube::testing::MakeTempDir("drift");
  ASSERT_FALSE(tmp_.empty());
  ws_ = tmp_ + "/ws";
}

void DriftFixture::TearDown() {
  server_.Stop();
  if (!HasFailure() && !tmp_.empty()) Shell("rm -rf " + Quote(tmp_));
  else if (!tmp_.empty()) std::fprintf(stderr, "kept %s for inspection\n", tmp_.c_str());
}

void DriftFixture::MakeWorkspace(const std::vector<std::string>& nodes, const std::string& extra_yaml) {
  std::string examples = std::string(PAIPLAN_TEST_DIR) + "/../examples/local";
  CmdResult cp = Shell("cp -r " + Quote(examples) + " " + Quote(ws_) + " && rm -rf " + Quote(ws_ + "/.paiplan") +
                 " " + Quote(ws_ + "/demo-output"));
  ASSERT_EQ(cp.rc, 0) << cp.all();
  Status st = server_.Start(tmp_ + "/kube", nodes);
  ASSERT_TRUE(st.ok()) << st.message();
  AppendTo("paiplan.yaml", "kubernetes:\n  kubeconfig: " + server_.kubeconfig_path() + "\n" + extra_yaml);
}

CmdResult DriftFixture::Paiplan(const std::string& args) const {
  return Shell("NO_COLOR=1 " + Quote(PAIPLAN_BINARY) + " -C " + Quote(ws_) + " " + args + " </dev/null");
}

CmdResult DriftFixture::Kubectl(const std::string& args) const {
  return Shell("kubectl --kubeconfig " + Quote(server_.kubeconfig_path()) + " " + args);
}

std::map<std::string, std::string> DriftFixture::NodeLabels(const std::string& node) const {
  CmdResult r = Kubectl("get node " + Quote(node) + " -o json");
  EXPECT_EQ(r.rc, 0) << r.all();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  std::map<std::string, std::string> out;
  if (j.is_discarded() || !j["metadata"].contains("labels")) return out;
  for (auto& [k, v] : j["metadata"]["labels"].items()) out[k] = v.get<std::string>();
  return out;
}

nlohmann::ordered_json DriftFixture::DriftJson(int* rc) const {
  CmdResult r = Paiplan("drift --json");
  if (rc) *rc = r.rc;
  auto j = nlohmann::ordered_json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "drift --json is not JSON:\n" << r.all();
  return j.is_discarded() ? nlohmann::ordered_json::object() : j;
}

void DriftFixture::AppendTo(const std::string& relative, const std::string& text) const {
  std::ofstream f(ws_ + "/" + relative, std::ios::app);
  f << text;
  ASSERT_TRUE(f.good()) << "cannot append to " << relative;
}

}  // namespace paiplan::drift_test
