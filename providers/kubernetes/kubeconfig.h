// Kubeconfig loading, as kubectl does it.
//
// Where from: the explicit paths (paiplan.yaml `kubernetes.kubeconfig`) if any,
// else the colon-separated `KUBECONFIG` (files merged, the first file to define
// a cluster/user/context name or current-context wins; missing files are
// skipped as kubectl skips them), else `~/.kube/config`. The context is the
// explicit one (paiplan.yaml `kubernetes.context`) or `current-context`.
// Relative paths inside a file (certificate-authority, client-certificate,
// client-key, tokenFile) are relative to the directory of the file that
// defined the entry. Files referenced by the chosen context are read here, so
// a KubeConfig is self-contained (PEM bytes, token) and needs no disk later.
//
// "No kubeconfig at all" is std::nullopt (the engine then runs without
// Kubernetes), never an error; an explicit path that is missing is an error.
//
// Thread-safety: stateless functions; KubeConfig is a value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace paiplan::kube {

// What the engine knows from paiplan.yaml, plus the environment (injectable
// for tests; unset fields are read from the process environment).
struct KubeConfigOptions {
  std::vector<std::string> paths;          // paiplan.yaml kubernetes.kubeconfig; empty: not set
  std::string context;                     // paiplan.yaml kubernetes.context; empty: current-context
  std::optional<std::string> kubeconfig_env;  // nullopt: getenv("KUBECONFIG")
  std::optional<std::string> home;             // nullopt: getenv("HOME")
};

// Everything needed to talk to one API server. Secrets (token, key) are held
// here but never appear in messages: use the *_source fields to name them.
struct KubeConfig {
  std::vector<std::string> files;  // the kubeconfig files that were merged, in order
  std::string context_name;
  std::string cluster_name;
  std::string user_name;
  std::string server;              // e.g. https://127.0.0.1:6443 (no trailing '/')

  // TLS: CA bytes (PEM) if the cluster names one, else the system trust store.
  std::string ca_pem;
  std::string ca_source;           // "certificate-authority-data of cluster X in FILE", a path, or "system trust store"
  bool insecure_skip_tls_verify = false;

  // Client certificate (PEM), if the user has one.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Bearer token (from `token` or `tokenFile`), if the user has one.
  std::string token;
  // Human description of the credential used, e.g. `token from kubeconfig user "admin" (FILE)`.
  std::string credential_source;

  // Things the operator should see (e.g. insecure-skip-tls-verify is on).
  std::vector<std::string> warnings;
};

// Loads and resolves the kubeconfig.
// Returns nullopt when no kubeconfig exists (no explicit paths, every
// KUBECONFIG entry missing or KUBECONFIG unset, and no ~/.kube/config).
// Fails: NotFound (an explicit path is missing; the context, cluster or user
// named is not defined — message names the files), InvalidArgument (a file is
// not valid YAML or lacks a required key such as `server`: names the file and
// the key; an unsupported auth method such as `exec`), IOError (a referenced
// certificate/key/token file cannot be read: names it and the kubeconfig).
// A bearer token with a control character (a line break would inject HTTP
// headers) is refused with InvalidArgument naming where it came from, never
// its value.
Result<std::optional<KubeConfig>> LoadKubeConfig(const KubeConfigOptions& options);

// For an untrusted workspace (docs/security.md): FailedPrecondition unless
// the server is https, TLS verification is on and the cluster names its CA.
Status RequireVerifiedServer(const KubeConfig& cfg);

}  // namespace paiplan::kube
