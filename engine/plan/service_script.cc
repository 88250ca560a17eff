#include "engine/plan/service_script.h"

#include "engine/base/fs.h"
#include "engine/base/path_policy.h"
#include "engine/plan/attr_diff.h"

namespace paiplan::plan {
namespace {

// The last non-empty line of `text`, at most 200 bytes.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "(no output)";
  size_t begin = text.rfind('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(begin, std::min<size_t>(end + 1 - begin, 200));
}

Observation Failed(int exit, const std::string& message) {
  Observation o;
  o.observed = true;
  o.exists = true;
  o.attributes = {{"status", {{"exit", exit}, {"message", message}}}};
  return o;
}

}  // namespace

std::string ServiceWorkdir(const Env& env, const std::string& name) {
  return fs::Join(env.paiplan_dir, "rendered/" + name);
}

double ServiceScriptTimeout(const config::Settings& s, const std::string& name) {
  auto t = s.script_timeouts.find(name);
  return t == s.script_timeouts.end() ? s.script_timeout : t->second;
}

script::ProcessRequest ServiceScriptRequest(const Env& env, const std::string& name, const std::string& action,
                                            const std::string& script) {
  script::ProcessRequest p;
  p.argv = {"/bin/bash", script};
  p.cwd = ServiceWorkdir(env, name);
  p.env = {{"PAIPLAN_SERVICE", name}, {"PAIPLAN_WORKSPACE", env.ws->root}, {"PAIPLAN_ACTION", action}};
  if (!env.kubeconfig_path.empty()) p.env["KUBECONFIG"] = env.kubeconfig_path;
  p.timeout = std::chrono::milliseconds(int64_t(ServiceScriptTimeout(env.ws->settings, name) * 1000));
  return p;
}

Observation ProbeServiceStatus(const Env& env, const std::string& name, const std::string& script) {
  script::ProcessRequest p = ServiceScriptRequest(env, name, "status", script);
  if (!fs::Exists(p.cwd)) return Failed(-1, "status probe not run: working copy " + p.cwd + " is missing");
  Status name_ok = fs::CheckSingleName(name, "service name");
  if (name_ok.ok()) name_ok = fs::CheckRelativeName(script, "status-script of service " + name);
  if (!name_ok.ok()) return Failed(-1, "status probe not run: " + name_ok.message());
  auto fd = fs::OpenPaiplanFileForWrite(fs::Join(env.paiplan_dir, "status/" + name + ".log"), false);
  if (!fd) return Failed(-1, "status probe not run: " + fd.error().message());
  fs::FdWriter log(*fd);
  log.Write("$ bash " + script + "  (status-script, in " + p.cwd + ")\n");
  p.on_output = [&](std::string_view chunk, bool) { log.Write(MaskSecrets(std::string(chunk), env.secrets)); };
  auto res = script::RunProcess(p);
  if (!res) {
    Observation o;
    o.error = "status probe " + script + " of service " + name + " could not run: " + res.error().message();
    return o;
  }
  log.Write("# exit " + std::to_string(res->exit_status) + (res->timed_out ? " (timed out)" : "") + "\n");
  std::string last = MaskSecrets(LastLine(res->output_tail), env.secrets);
  if (res->timed_out) {
    int secs = int(ServiceScriptTimeout(env.ws->settings, name));
    return Failed(res->exit_status, "status probe timed out after " + std::to_string(secs) + " s: " + last);
  }
  if (res->exit_status != 0) {
    return Failed(res->exit_status, "status probe failed (exit " + std::to_string(res->exit_status) + "): " + last);
  }
  Observation o;
  o.observed = true;
  o.exists = true;
  return o;
}

std::string LastOutputText(const std::string& tail) {
  if (tail.find_first_not_of(" \t\r\n") == std::string::npos) return "; it printed nothing";
  return "; last output:\n" + tail;
}

}  // namespace paiplan::plan
