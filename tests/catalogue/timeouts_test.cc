// Readiness waits of the built-in catalogue fit in the script timeouts: a
// script killed at its timeout never prints the diagnostics (pod status,
// events) its own expired wait would have printed.
//
// Each catalogue script bounds its waits with --timeout="${READY_TIMEOUT}s"
// (READY_TIMEOUT rendered from the service's `ready-timeout`). The waits of a
// script are counted statically: every such --timeout outside a function,
// plus the waits of each shell function per call, plus those of a script it
// runs with `bash ./other.sh`. (A wait inside a loop would be counted once;
// the catalogue has none.)
#include <yaml-cpp/yaml.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/fs.h"

namespace paiplan {
namespace {

const std::string kRepo = std::string(PAIPLAN_TEST_DIR) + "/..";
const std::string kCatalogue = kRepo + "/services";
// Time a script needs besides its waits: kubectl apply, the diagnostics of a
// failed wait (describe pods, events), helm status.
constexpr double kMarginSeconds = 60;
constexpr double kDefaultScriptTimeout = 600;  // engine/config/settings.cc

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

int CountMatches(const std::string& s, const std::regex& re) {
  return int(std::distance(std::sregex_iterator(s.begin(), s.end(), re), std::sregex_iterator()));
}

int CountWaits(const std::string& deploy_dir, const std::string& script, int depth = 0);

// Waits of the top-level lines of `path` (a script of deploy_dir, or the
// script library it sources: services/_lib/); the functions it defines go
// into `functions` (name -> waits per call).
int ScanWaits(const std::string& deploy_dir, const std::string& path, std::map<std::string, int>& functions,
              int depth) {
  static const std::regex kWait(R"(--timeout[= ]"\$\{READY_TIMEOUT\}s")");
  static const std::regex kFunction(R"(^([A-Za-z_][A-Za-z0-9_]*)\(\)\s*\{)");
  static const std::regex kRunScript(R"(bash \./([A-Za-z0-9_.-]+\.sh))");
  static const std::regex kSourceLib(R"(^source \./(_lib/[A-Za-z0-9_.-]+\.sh)$)");
  EXPECT_LT(depth, 5) << "scripts run each other in a cycle: " << path;
  if (depth >= 5) return 0;
  std::istringstream in(fs::ReadFile(path).value());
  std::string current;                    // function being defined
  int total = 0;
  for (std::string line; std::getline(in, line);) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    std::smatch m;
    if (std::regex_search(t, m, kSourceLib)) {  // the library paiplan copies into the working copy
      ScanWaits(deploy_dir, deploy_dir + "/../../" + m[1].str(), functions, depth + 1);
      continue;
    }
    if (std::regex_search(t, m, kFunction)) {
      current = m[1];
      functions[current] = 0;
      continue;
    }
    if (!current.empty() && t == "}") {
      current.clear();
      continue;
    }
    int waits = CountMatches(t, kWait);
    for (const auto& [name, per_call] : functions) {
      if (name != current && std::regex_search(t, std::regex("(^|[\\s;!&|(])" + name + "(\\s|$)"))) waits += per_call;
    }
    if (std::regex_search(t, m, kRunScript)) waits += CountWaits(deploy_dir, m[1], depth + 1);
    (current.empty() ? total : functions[current]) += waits;
  }
  return total;
}

// Readiness waits one run of deploy_dir/script can make (see the header).
int CountWaits(const std::string& deploy_dir, const std::string& script, int depth) {
  std::map<std::string, int> functions;
  return ScanWaits(deploy_dir, deploy_dir + "/" + script, functions, depth);
}

std::vector<std::string> ServiceNames() {
  std::vector<std::string> names;
  const std::vector<std::string> entries = fs::ListDir(kCatalogue).value();  // not a temporary's reference
  for (const auto& n : entries) {
    if (n[0] != '_' && n[0] != '.' && fs::IsDirectory(kCatalogue + "/" + n)) names.push_back(n);
  }
  return names;
}

YAML::Node LoadOrEmpty(const std::string& path) { return fs::Exists(path) ? YAML::LoadFile(path) : YAML::Node(); }

// A workspace's effective script timeouts and service overrides; an empty
// dir stands for a workspace that sets nothing (paiplan's defaults).
struct WorkspaceSettings {
  std::string name;
  YAML::Node paiplan, services_config;

  explicit WorkspaceSettings(const std::string& dir)
      : name(dir.empty() ? "defaults" : dir),
        paiplan(dir.empty() ? YAML::Node() : LoadOrEmpty(dir + "/paiplan.yaml")),
        services_config(dir.empty() ? YAML::Node() : LoadOrEmpty(dir + "/services-configuration.yaml")) {}

  double ScriptTimeout(const std::string& service) const {
    YAML::Node scripts = paiplan["scripts"];
    if (scripts && scripts["timeouts"] && scripts["timeouts"][service]) return scripts["timeouts"][service].as<double>();
    if (scripts && scripts["timeout"]) return scripts["timeout"].as<double>();
    return kDefaultScriptTimeout;
  }

  double ReadyTimeout(const std::string& service) const {
    YAML::Node over = services_config[service];
    if (over && over["ready-timeout"]) return over["ready-timeout"].as<double>();
    YAML::Node defaults = YAML::LoadFile(kCatalogue + "/" + service + "/config/" + service + ".yaml");
    return defaults["ready-timeout"] ? defaults["ready-timeout"].as<double>() : 300;  // service.env's default(300)
  }
};

TEST(CatalogueTimeoutsTest, WaitCounterSeesFunctionsAndScriptsRunByScripts) {
  EXPECT_EQ(CountWaits(kCatalogue + "/drivers/deploy", "start.sh"), 1);    // one wait_rollout call
  EXPECT_EQ(CountWaits(kCatalogue + "/hdfs/deploy", "start.sh"), 2);       // helm --wait, kubectl wait
  EXPECT_EQ(CountWaits(kCatalogue + "/hdfs/deploy", "refresh.sh"), 2);     // exec bash ./start.sh
  EXPECT_EQ(CountWaits(kCatalogue + "/prometheus/deploy", "delete.sh"), 2);  // bash ./stop.sh + the cleaner
}

TEST(CatalogueTimeoutsTest, EveryServiceTemplatesItsReadyTimeout) {
  for (const auto& s : ServiceNames()) {
    YAML::Node def = YAML::LoadFile(kCatalogue + "/" + s + "/deploy/service.yaml");
    if (!def["start-script"]) continue;  // native: paiplan waits, with the config's ready-timeout
    auto env = fs::ReadFile(kCatalogue + "/" + s + "/deploy/service.env.template");
    ASSERT_TRUE(env.has_value()) << s;
    EXPECT_NE(env->find("READY_TIMEOUT={{ cluster_cfg['" + s + "']['ready-timeout']"), std::string::npos)
        << s << ": READY_TIMEOUT does not come from its ready-timeout; this test's arithmetic would be wrong";
  }
}

TEST(CatalogueTimeoutsTest, ReadinessWaitsFitInTheEffectiveScriptTimeout) {
  int checked = 0;
  for (const std::string dir : {std::string(), kRepo + "/examples/cluster"}) {
    WorkspaceSettings ws(dir);
    for (const auto& s : ServiceNames()) {
      std::string deploy = kCatalogue + "/" + s + "/deploy";
      YAML::Node def = YAML::LoadFile(deploy + "/service.yaml");
      double ready = ws.ReadyTimeout(s), limit = ws.ScriptTimeout(s);
      for (const char* key : {"start-script", "stop-script", "delete-script", "refresh-script"}) {
        if (!def[key]) continue;
        std::string script = def[key].as<std::string>();
        int waits = CountWaits(deploy, script);
        EXPECT_LE(waits * ready + kMarginSeconds, limit)
            << ws.name << ": " << s << "/" << script << " waits " << waits << " x " << ready
            << " s (ready-timeout), which with " << kMarginSeconds << " s for its diagnostics exceeds its "
            << limit << " s script timeout";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace paiplan
