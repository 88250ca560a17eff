// The workspace model: what the operator's files say (desired state inputs),
// loaded and checked with no side effects (no network, nothing written).
//
// LoadWorkspace reads paiplan.yaml (optional), layout.yaml,
// services-configuration.yaml, kubernetes-configuration.yaml (optional) and
// the service definitions found on the service paths, validates each file
// against its JSON Schema, runs the semantic checks (unique hosts, skus,
// roles, deploy-rules, scripts and templates present, prerequisites defined),
// and builds the template context cluster_cfg as paictl did.
//
// Thread-safety: a loaded Workspace is immutable and may be read from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/diagnostics.h"
#include "engine/config/yaml_doc.h"

namespace paiplan::config {

struct Machine {
  std::string hostname;
  std::string hostip;
  std::string machine_type;
  std::string nodename;  // Kubernetes node name; defaults to hostip
  std::string role;      // master | worker | proxy
  int sshport = 22;
  std::string username;  // empty: paiplan.yaml ssh.username, else "root"
  std::string keyfile_path;
  std::optional<std::string> password;  // sensitive
  std::string proxy_jump;               // "user@host:port" of a bastion, optional
  std::string etcdid;                   // etcd member name of a master (OpenPAI v0.14), optional
  std::string docker_data;              // Docker's data root on the machine, optional
  bool dashboard = false;               // runs the Kubernetes dashboard (dashboard: "true")
  bool local = false;                   // transport: local
  std::vector<std::string> labels;      // keys whose value is "true", sorted
  size_t index = 0;                     // position in machine-list
};

struct DeployRule {
  std::string label;
  bool in = true;  // false: notin
  SourceLoc loc;
};

struct ServiceDef {
  std::string name;
  std::string root_dir;     // <path>/<name>
  std::string deploy_dir;   // <path>/<name>/deploy
  std::string service_yaml; // display path of service.yaml
  std::vector<std::string> prerequisites;
  std::vector<SourceLoc> prerequisite_locs;
  std::vector<std::string> templates;  // template-list entries (output names)
  std::string start_script, stop_script, delete_script, refresh_script;
  std::string status_script;  // optional probe: exit 0 = the service is healthy
  int ready_timeout = 300;    // seconds paiplan waits for the service's objects to be ready
  std::vector<DeployRule> deploy_rules;
  ojson defaults;  // config/<name>.yaml
  SourceLoc loc;   // service.yaml
};

struct DriftIgnoreRule {
  std::string address;    // glob (* and ?)
  std::string attribute;  // glob; empty = any
  std::string reason;
};

struct Settings {
  std::optional<std::vector<std::string>> enabled_services;
  std::vector<std::string> service_paths;  // absolute
  bool allow_missing = false;
  int parallelism = 10;
  std::string state_backend = "lmdb";
  std::string state_path;  // absolute; default <ws>/.paiplan/state
  std::vector<std::string> etcd_endpoints;
  std::string etcd_prefix = "/paiplan";
  bool kube_enabled = true;
  std::vector<std::string> kubeconfig;  // explicit files (absolute); empty: KUBECONFIG / ~/.kube/config
  std::string kube_context;
  std::string kube_namespace = "default";
  double kube_timeout = 60;             // seconds per API request (kubernetes.timeout)
  std::string ssh_known_hosts;  // absolute; empty: ~/.ssh/known_hosts
  std::string ssh_identity;
  std::string ssh_username = "root";
  bool ssh_accept_new = false;
  double ssh_connect_timeout = 10;
  double ssh_command_timeout = 1800;  // seconds, remote commands other than bootstrap.sh (clean.sh)
  int ssh_parallelism = 16;
  int ssh_keepalive = 30;  // seconds of idle before an SSH keepalive; 0: none
  std::string node_state_dir = "/var/lib/paiplan";
  double bootstrap_timeout = 1800;
  // Removing a machine drains its Node first; evictions a PodDisruptionBudget
  // refuses are retried this many seconds, then the removal fails.
  double drain_timeout = 300;
  // A Node NotReady (Ready False/Unknown) this many seconds is re-bootstrapped
  // and re-joined; 0: never (docs/bootstrap.md).
  double repair_after = 600;
  // nodes.env: extra environment of every role script (bootstrap.sh,
  // clean.sh, join-credentials.sh), e.g. PAIPLAN_BOOTSTRAP_MODE or a proxy.
  std::map<std::string, std::string> node_env;
  double script_timeout = 600;
  std::map<std::string, double> script_timeouts;  // per service
  // A failed script (non-zero exit; not a timeout) is run again up to this
  // many times, waiting script_retry_delay s, doubling each time.
  int script_retries = 0;
  double script_retry_delay = 10;
  std::map<std::string, int> script_service_retries;  // per service
  int retry_attempts = 5;
  double retry_backoff = 2;
  double retry_max_backoff = 30;
  std::vector<DriftIgnoreRule> drift_ignore;
  double lock_timeout = 0;   // seconds to wait for the state lock (lock-timeout)
  bool require_all = false;  // an unobserved resource fails the plan (require-all)
  // Services (globs) whose scripts' objects are not observed
  // (ignore-scripted-objects; docs/kubernetes-objects.md "Two modes").
  std::vector<std::string> ignore_scripted_objects;
  int actions_per_service = 4;  // concurrency.actions-per-service
  int kube_writes = 8;          // concurrency.kubernetes-writes
  // rolling: node replacements in batches (engine/plan/rolling.h).
  std::string max_unavailable = "25%";  // rolling.max-unavailable: a count or a percentage
  int max_failed_batches = 1;           // rolling.max-failed-batches: the roll halts after this many
  double health_timeout = 300;          // rolling.health-timeout: seconds a machine may take to be healthy
  // OpenPAI config parsers (config_parsers.h): the interpreter and the time
  // the whole adapter run may take (paiplan.yaml config-parsers).
  std::string parser_python = "python3";
  double parser_timeout = 60;
  // deploy-rules output of rendered manifests: false = paiplan's (default),
  // true = paictl's exact post-processing (paiplan.yaml deploy-rules-output: paictl).
  bool paictl_deploy_rules = false;
  // templates.strict (or --strict-templates): an undefined {{ value }} is an error, not a warning.
  bool strict_templates = false;
  // state.encryption.key-file (absolute; empty: none, PAIPLAN_STATE_KEY_FILE may give one).
  std::string state_key_file;
};

struct LoadOptions {
  bool allow_missing = false;  // --allow-missing: unknown prerequisites are warnings
  std::string builtin_dir;     // built-in catalogue root (services/); empty: default
  bool untrusted = false;      // --untrusted-workspace: operator-only settings ignored (untrusted.h)
};

struct Workspace {
  std::string root;  // absolute
  Settings settings;
  ojson layout;                     // layout.yaml as written
  std::vector<Machine> machines;    // machine-list order
  std::map<std::string, size_t> machine_index;  // hostname → index
  std::map<std::string, ServiceDef> services;   // enabled services, by name
  ojson services_config;            // services-configuration.yaml
  ojson kubernetes_config;          // kubernetes-configuration.yaml (null if absent)
  ojson k8s_role_definition;        // k8s-role-definition.yaml (null if absent)
  ojson cluster_cfg;                // the template context (see docs/workspace.md)
  std::vector<std::string> input_files;  // absolute paths that make up the workspace
  std::string roles_dir;            // where role packages are found for each role (workspace roles/ or built-in)
  std::string builtin_roles_dir;    // the built-in services/_roles/

  // The role package directory of k8s-role `role`: roles/<role>/ of the
  // workspace when it exists, else the built-in one (which may not exist either).
  std::string RoleDir(const std::string& role) const;

  const Machine* FindMachine(const std::string& hostname) const;
  // cluster_cfg[<service>] (null when the service has no config).
  const ojson& ServiceConfig(const std::string& service) const;
};

// Loads and checks the workspace at `dir`. All problems go to `diags`; the
// result is nullopt when any error was found.
std::optional<Workspace> LoadWorkspace(const std::string& dir, const LoadOptions& options,
                                       Diagnostics* diags);

// Directory of the built-in catalogue: PaiplanHome()/services (engine/config/home.h).
std::string BuiltinServicesDir();

// Whether a config key holds a secret: its name ends in password, token,
// secret or key (case-insensitive). Such values print as (sensitive).
bool IsSensitiveKey(const std::string& key);

// Deep merge: maps merge recursively, anything else in `over` replaces `base`.
ojson DeepMerge(const ojson& base, const ojson& over);

}  // namespace paiplan::config
