#include "providers/kubernetes/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <sstream>

#include "engine/base/base64.h"
#include "engine/base/fs.h"
#include "engine/base/yaml_syntax.h"

namespace paiplan::kube {
namespace {

// One named entry (cluster, user or context) and the file that defined it.
struct Entry {
  YAML::Node body;
  std::string file;
};

struct Merged {
  std::vector<std::string> files;
  std::map<std::string, Entry> clusters, users, contexts;
  std::string current_context;
};

std::string JoinFiles(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f;
  return out;
}

Result<std::string> DecodeBase64(const std::string& in, const std::string& what) {
  auto out = Base64Decode(in);
  if (!out) return Err(Status::InvalidArgument(what + " is not valid base64"));
  return *out;
}

std::string Scalar(const YAML::Node& node, const char* key) {
  try {
    const YAML::Node v = node[key];
    if (v && v.IsScalar()) return v.as<std::string>();
  } catch (const YAML::Exception&) {
  }
  return "";
}

// Adds the entries of one list (`clusters`, `users`, `contexts`); first wins.
Status MergeList(const YAML::Node& root, const char* list, const char* body_key,
                 const std::string& file, std::map<std::string, Entry>* into) {
  const YAML::Node items = root[list];
  if (!items || items.IsNull()) return Status::Ok();
  if (!items.IsSequence()) {
    return Status::InvalidArgument(file + ": `" + list + "` must be a list");
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const YAML::Node item = items[i];
    std::string name = item.IsMap() ? Scalar(item, "name") : "";
    if (name.empty()) {
      return Status::InvalidArgument(file + ": " + list + "[" + std::to_string(i) +
                                     "] has no `name`");
    }
    YAML::Node body = item[body_key];
    if (!body || !body.IsMap()) {
      return Status::InvalidArgument(file + ": " + list + "[name=" + name + "] has no `" +
                                     body_key + "` map");
    }
    into->try_emplace(name, Entry{body, file});
  }
  return Status::Ok();
}

Status MergeFile(const std::string& file, const std::string& text, Merged* merged) {
  if (auto bad = FindYamlSyntaxError(text)) {  // yaml-cpp loops on some text libyaml refuses
    return Status::InvalidArgument(file + ":" + std::to_string(bad->line) + ":" + std::to_string(bad->column) +
                                   ": not a valid kubeconfig: " + bad->Describe() + "; " + bad->Hint(text));
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) +
                                   ": not a valid kubeconfig: " + e.msg);
  }
  merged->files.push_back(file);
  if (root.IsNull()) return Status::Ok();  // kubectl accepts empty files
  if (!root.IsMap()) return Status::InvalidArgument(file + ": a kubeconfig must be a YAML map");
  PP_RETURN_IF_ERROR(MergeList(root, "clusters", "cluster", file, &merged->clusters));
  PP_RETURN_IF_ERROR(MergeList(root, "users", "user", file, &merged->users));
  PP_RETURN_IF_ERROR(MergeList(root, "contexts", "context", file, &merged->contexts));
  if (merged->current_context.empty()) merged->current_context = Scalar(root, "current-context");
  return Status::Ok();
}

std::vector<std::string> SplitColons(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ':')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

// Reads the explicit or discovered files; nullopt when there are none.
Result<std::optional<Merged>> ReadFiles(const KubeConfigOptions& options) {
  Merged merged;
  if (!options.paths.empty()) {
    for (const auto& path : options.paths) {
      auto text = fs::ReadFile(path);
      if (!text) {
        return Err(Status(text.error().code(),
                          "kubeconfig " + path + " (from paiplan.yaml kubernetes.kubeconfig): " +
                              text.error().message()));
      }
      PP_RETURN_IF_ERROR_R(MergeFile(fs::Absolute(path), *text, &merged));
    }
    return merged;
  }
  const char* env = std::getenv("KUBECONFIG");
  std::string kubeconfig_env = options.kubeconfig_env.value_or(env ? env : "");
  std::vector<std::string> candidates = SplitColons(kubeconfig_env);
  if (candidates.empty()) {
    const char* home_env = std::getenv("HOME");
    std::string home = options.home.value_or(home_env ? home_env : "");
    if (home.empty()) return std::optional<Merged>();
    candidates.push_back(fs::Join(home, ".kube/config"));
  }
  for (const auto& path : candidates) {
    PP_ASSIGN_OR_RETURN(auto text, fs::ReadFileIfExists(path));
    if (!text) continue;  // kubectl skips KUBECONFIG entries that do not exist
    PP_RETURN_IF_ERROR_R(MergeFile(fs::Absolute(path), *text, &merged));
  }
  if (merged.files.empty()) return std::optional<Merged>();
  return merged;
}

std::string Resolve(const std::string& path, const std::string& kubeconfig_file) {
  if (path.empty() || path[0] == '/') return path;
  return fs::Join(fs::Dirname(kubeconfig_file), path);
}

// Reads `<key>-data` (base64) or `<key>` (a path) of `entry`.
Result<std::string> DataOrFile(const Entry& entry, const std::string& key,
                               const std::string& where, std::string* source) {
  std::string data = Scalar(entry.body, (key + "-data").c_str());
  if (!data.empty()) {
    *source = key + "-data of " + where + " in " + entry.file;
    return DecodeBase64(data, entry.file + ": " + where + " " + key + "-data");
  }
  std::string path = Scalar(entry.body, key.c_str());
  if (path.empty()) return std::string();
  path = Resolve(path, entry.file);
  *source = path + " (" + key + " of " + where + " in " + entry.file + ")";
  auto bytes = fs::ReadFile(path);
  if (!bytes) {
    return Err(Status::IOError(entry.file + ": " + where + " " + key + " " + path + ": " +
                               bytes.error().message()));
  }
  return bytes;
}

Status FillCluster(const Entry& e, KubeConfig* out) {
  const std::string where = "cluster \"" + out->cluster_name + "\"";
  out->server = Scalar(e.body, "server");
  if (out->server.empty()) {
    return Status::InvalidArgument(e.file + ": " + where + " has no `server` (clusters[name=" +
                                   out->cluster_name + "].cluster.server)");
  }
  while (!out->server.empty() && out->server.back() == '/') out->server.pop_back();
  PP_ASSIGN_OR_RETURN(out->ca_pem, DataOrFile(e, "certificate-authority", where, &out->ca_source));
  if (out->ca_pem.empty()) out->ca_source = "the system trust store";
  std::string insecure = Scalar(e.body, "insecure-skip-tls-verify");
  if (insecure == "true") {
    out->insecure_skip_tls_verify = true;
    out->warnings.push_back(e.file + ": " + where +
                            " sets insecure-skip-tls-verify: the API server's certificate is "
                            "NOT verified");
  }
  return Status::Ok();
}

Status FillUser(const Entry& e, KubeConfig* out) {
  const std::string where = "user \"" + out->user_name + "\"";
  for (const char* unsupported : {"exec", "auth-provider", "username"}) {
    if (e.body[unsupported]) {
      return Status::InvalidArgument(e.file + ": " + where + " uses `" + unsupported +
                                     "`, which paiplan does not support; use a token, tokenFile "
                                     "or client certificate");
    }
  }
  std::string cert_source, key_source;
  PP_ASSIGN_OR_RETURN(out->client_cert_pem, DataOrFile(e, "client-certificate", where, &cert_source));
  PP_ASSIGN_OR_RETURN(out->client_key_pem, DataOrFile(e, "client-key", where, &key_source));
  if (out->client_cert_pem.empty() != out->client_key_pem.empty()) {
    return Status::InvalidArgument(e.file + ": " + where + " has a client certificate without a "
                                   "key or a key without a certificate (client-certificate[-data] "
                                   "and client-key[-data] go together)");
  }
  out->token = Scalar(e.body, "token");
  std::string token_desc = "token from kubeconfig " + where + " (" + e.file + ")";
  if (out->token.empty()) {
    std::string token_file = Resolve(Scalar(e.body, "tokenFile"), e.file);
    if (!token_file.empty()) {
      auto bytes = fs::ReadFile(token_file);
      if (!bytes) {
        return Status::IOError(e.file + ": " + where + " tokenFile " + token_file + ": " +
                               bytes.error().message());
      }
      out->token = *bytes;
      while (!out->token.empty() && std::isspace(static_cast<unsigned char>(out->token.back()))) {
        out->token.pop_back();
      }
      token_desc = "token from tokenFile " + token_file + " of kubeconfig " + where;
    }
  }
  for (size_t i = 0; i < out->token.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(out->token[i]);
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(token_desc + ": the token has a control character (e.g. a line break) at byte " +
                                     std::to_string(i + 1) + "; a bearer token is a single line; fix the token");
    }
  }
  std::vector<std::string> parts;
  if (!out->token.empty()) parts.push_back(token_desc);
  if (!out->client_cert_pem.empty()) parts.push_back("client certificate " + cert_source);
  out->credential_source = parts.empty() ? "no credentials (kubeconfig " + where + " in " +
                                               e.file + " has neither token nor client certificate)"
                                         : parts[0] + (parts.size() > 1 ? " and " + parts[1] : "");
  return Status::Ok();
}

Result<const Entry*> Find(const std::map<std::string, Entry>& m, const std::string& name,
                          const char* what, const Merged& merged) {
  auto it = m.find(name);
  if (it == m.end()) {
    return Err(Status::NotFound(std::string(what) + " \"" + name + "\" is not defined in " +
                                JoinFiles(merged.files)));
  }
  return &it->second;
}

}  // namespace

Result<std::optional<KubeConfig>> LoadKubeConfig(const KubeConfigOptions& options) {
  PP_ASSIGN_OR_RETURN(std::optional<Merged> merged, ReadFiles(options));
  if (!merged) return std::optional<KubeConfig>();
  KubeConfig out;
  out.files = merged->files;
  out.context_name = options.context.empty() ? merged->current_context : options.context;
  if (out.context_name.empty()) {
    return Err(Status::InvalidArgument(
        "no current-context in " + JoinFiles(merged->files) +
        "; set kubernetes.context in paiplan.yaml or current-context in the kubeconfig"));
  }
  PP_ASSIGN_OR_RETURN(const Entry* context, Find(merged->contexts, out.context_name, "context",
                                                 *merged));
  out.cluster_name = Scalar(context->body, "cluster");
  out.user_name = Scalar(context->body, "user");
  if (out.cluster_name.empty()) {
    return Err(Status::InvalidArgument(context->file + ": context \"" + out.context_name +
                                       "\" has no `cluster`"));
  }
  PP_ASSIGN_OR_RETURN(const Entry* cluster, Find(merged->clusters, out.cluster_name, "cluster",
                                                 *merged));
  PP_RETURN_IF_ERROR_R(FillCluster(*cluster, &out));
  if (!out.user_name.empty()) {
    PP_ASSIGN_OR_RETURN(const Entry* user, Find(merged->users, out.user_name, "user", *merged));
    PP_RETURN_IF_ERROR_R(FillUser(*user, &out));
  } else {
    out.credential_source = "no credentials (context \"" + out.context_name + "\" names no user)";
  }
  return std::optional<KubeConfig>(std::move(out));
}

Status RequireVerifiedServer(const KubeConfig& cfg) {
  std::string where = "cluster \"" + cfg.cluster_name + "\" (" + cfg.server + ")";
  std::string hint = "; with --untrusted-workspace paiplan talks only to https API servers whose CA the "
                     "kubeconfig names (docs/security.md)";
  if (!cfg.server.starts_with("https://")) {
    return Status::FailedPrecondition(where + " is not an https server" + hint);
  }
  if (cfg.insecure_skip_tls_verify) {
    return Status::FailedPrecondition(where + " sets insecure-skip-tls-verify" + hint);
  }
  if (cfg.ca_pem.empty()) {
    return Status::FailedPrecondition(where + " names no certificate-authority" + hint);
  }
  return Status::Ok();
}

}  // namespace paiplan::kube
