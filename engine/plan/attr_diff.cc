#include "engine/plan/attr_diff.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "engine/config/workspace.h"

namespace paiplan::plan {

void Flatten(const nlohmann::json& v, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>* out) {
  if (v.is_object() && !v.empty()) {
    for (auto it = v.begin(); it != v.end(); ++it) Flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (v.is_array() && !v.empty() && !std::all_of(v.begin(), v.end(), [](const auto& x) { return x.is_primitive(); })) {
    for (size_t i = 0; i < v.size(); ++i) Flatten(v[i], prefix + "[" + std::to_string(i) + "]", out);
  } else {
    out->emplace_back(prefix, v.dump());
  }
}

namespace {
bool PathSensitive(const std::string& path) {
  std::string seg;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '.' || path[i] == '[') {
      if (!seg.empty() && config::IsSensitiveKey(seg)) return true;
      seg.clear();
    } else {
      seg += path[i];
    }
  }
  return false;
}
}  // namespace

std::vector<AttrChange> DiffAttributes(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<std::pair<std::string, std::string>> b, a;
  if (!before.is_null()) Flatten(before, "", &b);
  if (!after.is_null()) Flatten(after, "", &a);
  std::map<std::string, std::pair<std::string, std::string>> m;
  for (auto& [k, v] : b) m[k].first = v;
  for (auto& [k, v] : a) m[k].second = v;
  std::vector<AttrChange> out;
  for (auto& [k, v] : m) {
    if (v.first == v.second) continue;
    out.push_back({k, v.first, v.second, PathSensitive(k)});
  }
  return out;
}

namespace {
std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}
}  // namespace

std::string UnifiedDiff(const std::string& before, const std::string& after, const std::string& name) {
  auto x = Lines(before), y = Lines(after);
  size_t n = x.size(), m = y.size();
  if (n * m > 4'000'000) {
    return "(" + name + ": " + std::to_string(n) + " → " + std::to_string(m) + " lines; too large to diff)\n";
  }
  // LCS table, then walk it to produce edit operations.
  std::vector<std::vector<uint32_t>> L(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;) L[i][j] = x[i] == y[j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
  struct Op { char c; std::string line; size_t i, j; };
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] == y[j]) { ops.push_back({' ', x[i], i, j}); ++i; ++j; }
    else if (i < n && (j == m || L[i + 1][j] >= L[i][j + 1])) { ops.push_back({'-', x[i], i, j}); ++i; }
    else { ops.push_back({'+', y[j], i, j}); ++j; }
  }
  std::ostringstream o;
  o << "--- a/" << name << "\n+++ b/" << name << "\n";
  const size_t kCtx = 3;
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].c == ' ') { ++k; continue; }
    size_t start = k >= kCtx ? k - kCtx : 0, end = k;
    while (end < ops.size()) {
      if (ops[end].c != ' ') { ++end; continue; }
      size_t run = end;
      while (run < ops.size() && ops[run].c == ' ') ++run;
      if (run == ops.size() || run - end > 2 * kCtx) { end = std::min(end + kCtx, ops.size()); break; }
      end = run;
    }
    size_t bl = 0, al = 0;
    for (size_t q = start; q < end; ++q) { bl += ops[q].c != '+'; al += ops[q].c != '-'; }
    o << "@@ -" << ops[start].i + (bl ? 1 : 0) << "," << bl << " +" << ops[start].j + (al ? 1 : 0) << "," << al << " @@\n";
    for (size_t q = start; q < end; ++q) o << ops[q].c << ops[q].line << "\n";
    k = end;
  }
  return o.str();
}

std::string MaskSecrets(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.size() < 3) continue;  // too short to mask without mangling the text
    size_t pos = 0;
    while ((pos = text.find(s, pos)) != std::string::npos) {
      text.replace(pos, s.size(), "(sensitive)");
      pos += 11;
    }
  }
  return text;
}

void CollectSecrets(const nlohmann::ordered_json& v, std::vector<std::string>* out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (config::IsSensitiveKey(it.key()) && it.value().is_string()) out->push_back(it.value().get<std::string>());
      else CollectSecrets(it.value(), out);
    }
  } else if (v.is_array()) {
    for (const auto& x : v) CollectSecrets(x, out);
  }
}

}  // namespace paiplan::plan
