#include "engine/config/layout.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "engine/base/path_policy.h"

namespace paiplan::config {

bool IsMachineAttributeKey(const std::string& key) {
  static const std::set<std::string> kKeys = {
      "hostname", "hostip",   "machine-type", "nodename",  "k8s-role", "sshport",
      "username", "keyfile-path", "password", "transport", "proxy-jump", "etcdid", "docker-data"};
  return kKeys.count(key) > 0;
}

namespace {

bool ValidLabelKey(const std::string& k) {
  if (k.empty() || k.size() > 63) return false;
  for (char c : k) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return std::isalnum(static_cast<unsigned char>(k.front())) && std::isalnum(static_cast<unsigned char>(k.back()));
}

Machine ParseMachine(const ojson& m, size_t index) {
  Machine out;
  out.index = index;
  out.hostname = m["hostname"].get<std::string>();
  out.hostip = m["hostip"].get<std::string>();
  out.machine_type = m["machine-type"].get<std::string>();
  out.role = m["k8s-role"].get<std::string>();
  out.nodename = m.contains("nodename") ? m["nodename"].get<std::string>() : out.hostip;
  out.sshport = m.value("sshport", 22);
  out.username = m.value("username", "");
  out.keyfile_path = m.value("keyfile-path", "");
  if (m.contains("password")) out.password = m["password"].get<std::string>();
  out.proxy_jump = m.value("proxy-jump", "");
  out.local = m.value("transport", "ssh") == "local";
  out.etcdid = m.value("etcdid", "");
  out.docker_data = m.value("docker-data", "");
  out.dashboard = m.value("dashboard", "") == "true";
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (IsMachineAttributeKey(it.key())) continue;
    const auto& v = it.value();
    if ((v.is_string() && v.get<std::string>() == "true") || (v.is_boolean() && v.get<bool>())) {
      out.labels.push_back(it.key());
    }
  }
  std::sort(out.labels.begin(), out.labels.end());
  return out;
}

void CheckUnique(const std::vector<Machine>& ms, const YamlFile& layout, LoadContext* ctx,
                 const char* key, std::string Machine::*field) {
  std::unordered_map<std::string, size_t> first;
  first.reserve(ms.size());
  const ojson& list = layout.value["machine-list"];
  // nodename defaults to hostip, so a default can collide with an explicit one.
  auto where = [&](size_t i) {
    bool has = list[i].contains(key);
    return "/machine-list/" + std::to_string(i) + "/" + (has || std::string(key) != "nodename" ? key : "hostip");
  };
  for (const auto& m : ms) {
    auto [it, inserted] = first.emplace(m.*field, m.index);
    if (inserted) continue;
    bool nodename = std::string(key) == "nodename";
    bool explicit_here = list[m.index].contains(key), explicit_there = list[it->second].contains(key);
    if (nodename && !explicit_here && !explicit_there) continue;  // reported as a duplicate hostip
    SourceLoc prev = ctx->Loc(layout, where(it->second));
    bool implicit = nodename && !(explicit_here && explicit_there);
    ctx->diags->Error(ctx->Loc(layout, where(m.index)),
                      std::string("duplicate ") + key + " '" + m.*field + "' (first used at line " +
                          std::to_string(prev.line) + ")" +
                          (implicit ? "; a machine without nodename uses its hostip as nodename" : ""),
                      std::string("every machine needs its own ") + key);
  }
}

// etcdid names an etcd member (OpenPAI v0.14): two masters cannot share one.
void CheckEtcdIds(const std::vector<Machine>& ms, const YamlFile& layout, LoadContext* ctx) {
  std::map<std::string, size_t> first;
  for (const auto& m : ms) {
    if (m.etcdid.empty()) continue;
    auto [it, inserted] = first.emplace(m.etcdid, m.index);
    if (inserted) continue;
    SourceLoc prev = ctx->Loc(layout, "/machine-list/" + std::to_string(it->second) + "/etcdid");
    ctx->diags->Error(ctx->Loc(layout, "/machine-list/" + std::to_string(m.index) + "/etcdid"),
                      "duplicate etcdid '" + m.etcdid + "' (first used at line " + std::to_string(prev.line) + ")",
                      "every etcd member (master) needs its own etcdid, e.g. etcdid1, etcdid2, etcdid3");
  }
}

}  // namespace

// Fields that reach rendered files, command lines or ssh arguments are
// single lines, and nothing that ssh reads as an option starts with '-'.
void CheckMachineFields(const ojson& entry, const Machine& m, const YamlFile& layout, const std::string& base,
                        LoadContext* ctx) {
  for (const char* key : {"hostip", "nodename", "username", "keyfile-path", "proxy-jump", "machine-type", "k8s-role"}) {
    if (!entry.contains(key) || !entry[key].is_string()) continue;
    const std::string value = entry[key].get<std::string>();
    Status s = fs::CheckSingleLine(value, std::string("machine '") + m.hostname + "': " + key);
    if (s.ok() && !value.empty() && value[0] == '-' && std::string(key) != "machine-type") {
      s = Status::InvalidArgument(std::string("machine '") + m.hostname + "': " + key + " '" + value +
                                  "' starts with '-', which ssh would read as an option");
    }
    if (s.ok() && std::string(key) == "proxy-jump" && value.find("@-") != std::string::npos) {
      s = Status::InvalidArgument("machine '" + m.hostname + "': proxy-jump host '" + value +
                                  "' starts with '-', which ssh would read as an option");
    }
    if (!s.ok()) ctx->diags->Error(ctx->Loc(layout, base + "/" + key), s.message(), "fix the value in layout.yaml");
  }
}

void LoadMachines(const YamlFile& layout, LoadContext* ctx, Workspace* ws) {
  const ojson& list = layout.value["machine-list"];
  const ojson& skus = layout.value["machine-sku"];
  ws->machines.reserve(list.size());
  bool has_master = false;
  for (size_t i = 0; i < list.size(); ++i) {
    Machine m = ParseMachine(list[i], i);
    std::string base = "/machine-list/" + std::to_string(i);
    if (!skus.contains(m.machine_type)) {
      std::string known;
      for (auto it = skus.begin(); it != skus.end(); ++it) known += (known.empty() ? "" : ", ") + it.key();
      ctx->diags->Error(ctx->Loc(layout, base + "/machine-type"),
                        "machine '" + m.hostname + "': machine-type '" + m.machine_type +
                            "' names no machine-sku",
                        "use one of the skus defined under machine-sku: " + known);
    }
    for (auto it = list[i].begin(); it != list[i].end(); ++it) {
      if (IsMachineAttributeKey(it.key()) || ValidLabelKey(it.key())) continue;
      ctx->diags->Error(ctx->Loc(layout, base + "/" + it.key(), true),
                        "machine '" + m.hostname + "': '" + it.key() + "' is not a valid label key",
                        "label keys are 1-63 characters: letters, digits, '-', '_' and '.', starting and "
                        "ending with a letter or digit");
    }
    CheckMachineFields(list[i], m, layout, base, ctx);
    has_master = has_master || m.role == "master";
    ws->machines.push_back(std::move(m));
  }
  CheckUnique(ws->machines, layout, ctx, "hostname", &Machine::hostname);
  CheckUnique(ws->machines, layout, ctx, "hostip", &Machine::hostip);
  CheckUnique(ws->machines, layout, ctx, "nodename", &Machine::nodename);
  CheckEtcdIds(ws->machines, layout, ctx);
  if (!has_master && !list.empty()) {
    ctx->diags->Error(ctx->Loc(layout, "/machine-list", true), "no machine has k8s-role: master",
                      "set 'k8s-role: master' on at least one machine");
  }
  for (const auto& m : ws->machines) ws->machine_index.emplace(m.hostname, m.index);
}

}  // namespace paiplan::config
