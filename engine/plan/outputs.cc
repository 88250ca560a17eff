#include "engine/plan/outputs.h"

#include <cctype>
#include <regex>
#include <set>

namespace paiplan::plan {
namespace {

bool ValidKey(const std::string& k) {
  if (k.empty() || !(std::isalpha(static_cast<unsigned char>(k[0])) || k[0] == '_')) return false;
  for (char c : k) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

bool Succeeded(const state::ResourceRecord& r) {
  return r.is_object() && r.value("last_outcome", "success") != "failed";
}

}  // namespace

Result<OutputValues> ParseOutputs(const std::string& text, const std::string& source) {
  OutputValues out;
  size_t pos = 0;
  for (int line_no = 1; pos < text.size(); ++line_no) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    std::string where = source + ":" + std::to_string(line_no) + ": ";
    if (eq == std::string::npos) {
      return Err(Status::InvalidArgument(where + "an output line must be key=value (no '=' found); "
                                         "write one output per line, e.g. echo \"ca_cert_hash=$h\" >> \"$PAIPLAN_OUTPUTS\""));
    }
    std::string key = line.substr(0, eq);
    if (!ValidKey(key)) {
      return Err(Status::InvalidArgument(where + "output key '" + key.substr(0, 64) +
                                         "' is not a name: use letters, digits, '_', '.', '-', starting with a letter or '_'"));
    }
    out[key] = line.substr(eq + 1);
  }
  return out;
}

std::string OutputEnvName(const std::string& address, const std::string& key) {
  std::string name = "PAIPLAN_OUTPUT_";
  for (const std::string* part : {&address, &key}) {
    if (part == &key) name += '_';
    for (char c : *part) {
      unsigned char u = static_cast<unsigned char>(c);
      name += std::isalnum(u) ? char(std::toupper(u)) : '_';
    }
  }
  return name;
}

std::vector<std::pair<std::string, std::string>> FindOutputRefs(const std::string& text) {
  if (text.find("outputs") == std::string::npos) return {};  // cheap path for almost every template
  static const std::regex kRef(R"(outputs\s*\[\s*(["'])([^"'\]]+)\1\s*\]\s*\[\s*(["'])([^"'\]]+)\3\s*\])");
  std::set<std::pair<std::string, std::string>> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kRef); it != std::sregex_iterator(); ++it) {
    found.emplace((*it)[2].str(), (*it)[4].str());
  }
  return {found.begin(), found.end()};
}

OutputValues RecordOutputs(const state::ResourceRecord& r) {
  OutputValues out;
  if (!r.is_object() || !r.contains("outputs") || !r["outputs"].is_object()) return out;
  for (auto it = r["outputs"].begin(); it != r["outputs"].end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

RecordedOutputs RecordedOutputs::FromSnapshot(const state::Snapshot& snapshot) {
  RecordedOutputs r;
  for (const auto& [address, rec] : snapshot.resources) {
    if (!Succeeded(rec)) continue;
    r.values[address] = RecordOutputs(rec);
    r.hashes[address] = rec.value("hash", "");
  }
  return r;
}

void OutputRegistry::Load(const state::Snapshot& snapshot) {
  std::lock_guard<std::mutex> l(mu_);
  values_.clear();
  for (const auto& [address, rec] : snapshot.resources) {
    if (!Succeeded(rec) || !rec.contains("outputs")) continue;
    values_[address] = RecordOutputs(rec);
  }
}

void OutputRegistry::Set(const std::string& address, OutputValues values) {
  std::lock_guard<std::mutex> l(mu_);
  values_[address] = std::move(values);
}

void OutputRegistry::Erase(const std::string& address) {
  std::lock_guard<std::mutex> l(mu_);
  values_.erase(address);
}

std::optional<OutputValues> OutputRegistry::Get(const std::string& address) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = values_.find(address);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace paiplan::plan
