// paiplan.yaml → Settings. The file has already passed its JSON Schema, so
// types are known to be right here.
#include "engine/config/settings.h"

#include <cstdlib>

#include "engine/base/duration.h"
#include "engine/base/fs.h"

namespace paiplan::config {
namespace {

std::string ResolvePath(const std::string& root, const std::string& p) {
  if (p.empty()) return p;
  if (p[0] == '~') {
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "") + p.substr(1);
  }
  return p[0] == '/' ? p : fs::Absolute(fs::Join(root, p));
}

double Num(const ojson& o, const char* key, double def) {
  return o.contains(key) && o[key].is_number() ? o[key].get<double>() : def;
}

std::string Str(const ojson& o, const char* key, const std::string& def) {
  return o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : def;
}

}  // namespace

Settings ParseSettings(const ojson& doc, const std::string& root, const std::string& builtin_dir) {
  Settings s;
  ojson v = doc.is_object() ? doc : ojson::object();
  if (v.contains("enabled-services")) s.enabled_services = v["enabled-services"].get<std::vector<std::string>>();
  if (v.contains("service-paths")) {
    for (const auto& p : v["service-paths"]) s.service_paths.push_back(ResolvePath(root, p.get<std::string>()));
  } else {
    s.service_paths = {fs::Join(root, "services"), builtin_dir};
  }
  s.allow_missing = v.value("allow-missing-prerequisites", false);
  s.parallelism = v.value("parallelism", 10);
  ojson st = v.value("state", ojson::object());
  s.state_backend = Str(st, "backend", "lmdb");
  s.state_path = ResolvePath(root, Str(st, "path", ".paiplan/state"));
  if (st.contains("endpoints")) s.etcd_endpoints = st["endpoints"].get<std::vector<std::string>>();
  s.etcd_prefix = Str(st, "prefix", "/paiplan");
  ojson k = v.value("kubernetes", ojson::object());
  s.kube_enabled = k.value("enabled", true);
  if (k.contains("kubeconfig")) {
    if (k["kubeconfig"].is_string()) s.kubeconfig.push_back(ResolvePath(root, k["kubeconfig"]));
    else for (const auto& p : k["kubeconfig"]) s.kubeconfig.push_back(ResolvePath(root, p.get<std::string>()));
  }
  // The admin kubeconfig a bootstrap handed to paiplan (docs/bootstrap.md)
  // when paiplan.yaml names none.
  if (s.kubeconfig.empty() && fs::Exists(fs::Join(root, ".paiplan/kubeconfig"))) {
    s.kubeconfig.push_back(fs::Join(root, ".paiplan/kubeconfig"));
  }
  s.kube_context = Str(k, "context", "");
  s.kube_namespace = Str(k, "namespace", "default");
  s.kube_timeout = Num(k, "timeout", 60);
  ojson ssh = v.value("ssh", ojson::object());
  s.ssh_known_hosts = ResolvePath(root, Str(ssh, "known-hosts", ""));
  s.ssh_identity = ResolvePath(root, Str(ssh, "identity", ""));
  s.ssh_username = Str(ssh, "username", "root");
  s.ssh_accept_new = ssh.contains("strict-host-keys") && ssh["strict-host-keys"] == "accept-new";
  s.ssh_connect_timeout = Num(ssh, "connect-timeout", 10);
  s.ssh_command_timeout = Num(ssh, "command-timeout", 1800);
  s.ssh_parallelism = ssh.value("parallelism", 16);
  s.ssh_keepalive = ssh.value("keepalive", 30);
  ojson nodes = v.value("nodes", ojson::object());
  s.node_state_dir = Str(nodes, "state-dir", "/var/lib/paiplan");
  s.bootstrap_timeout = Num(nodes, "bootstrap-timeout", 1800);
  s.drain_timeout = Num(nodes, "drain-timeout", 300);
  s.repair_after = Num(nodes, "repair-after", 600);
  if (nodes.contains("env") && nodes["env"].is_object()) {
    for (auto it = nodes["env"].begin(); it != nodes["env"].end(); ++it) {
      s.node_env[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    }
  }
  ojson scripts = v.value("scripts", ojson::object());
  s.script_timeout = Num(scripts, "timeout", 600);
  if (scripts.contains("timeouts")) {
    for (auto it = scripts["timeouts"].begin(); it != scripts["timeouts"].end(); ++it)
      s.script_timeouts[it.key()] = it.value().get<double>();
  }
  s.script_retries = scripts.value("retries", 0);
  s.script_retry_delay = Num(scripts, "retry-delay", 10);
  if (scripts.contains("service-retries")) {
    for (auto it = scripts["service-retries"].begin(); it != scripts["service-retries"].end(); ++it)
      s.script_service_retries[it.key()] = it.value().get<int>();
  }
  ojson retry = v.value("retry", ojson::object());
  s.retry_attempts = retry.value("attempts", 5);
  s.retry_backoff = Num(retry, "backoff", 2);
  s.retry_max_backoff = Num(retry, "max-backoff", 30);
  if (v.contains("lock-timeout")) {
    const ojson& lt = v["lock-timeout"];
    s.lock_timeout = lt.is_number() ? lt.get<double>() : ParseDuration(lt.get<std::string>()).value_or(0);
  }
  s.require_all = v.value("require-all", false);
  if (v.contains("ignore-scripted-objects"))
    for (const auto& g : v["ignore-scripted-objects"]) s.ignore_scripted_objects.push_back(g.get<std::string>());
  ojson conc = v.value("concurrency", ojson::object());
  s.ssh_parallelism = conc.value("ssh-handshakes", s.ssh_parallelism);
  s.actions_per_service = conc.value("actions-per-service", 4);
  s.kube_writes = conc.value("kubernetes-writes", 8);
  ojson rolling = v.value("rolling", ojson::object());
  if (rolling.contains("max-unavailable")) {
    const ojson& mu = rolling["max-unavailable"];
    s.max_unavailable = mu.is_string() ? mu.get<std::string>() : mu.dump();
  }
  s.max_failed_batches = rolling.value("max-failed-batches", 1);
  if (rolling.contains("health-timeout")) {
    const ojson& ht = rolling["health-timeout"];
    s.health_timeout = ht.is_number() ? ht.get<double>() : ParseDuration(ht.get<std::string>()).value_or(300);
  }
  ojson templates = v.value("templates", ojson::object());
  s.strict_templates = templates.value("strict", false);
  if (st.contains("encryption")) s.state_key_file = ResolvePath(root, Str(st["encryption"], "key-file", ""));
  if (v.contains("drift") && v["drift"].contains("ignore")) {
    for (const auto& r : v["drift"]["ignore"]) {
      s.drift_ignore.push_back({r.value("address", ""), r.value("attribute", ""), r.value("reason", "")});
    }
  }
  ojson parsers = v.value("config-parsers", ojson::object());
  s.parser_python = Str(parsers, "python", "python3");
  s.parser_timeout = Num(parsers, "timeout", 60);
  s.paictl_deploy_rules = Str(v, "deploy-rules-output", "paiplan") == "paictl";
  return s;
}

}  // namespace paiplan::config
