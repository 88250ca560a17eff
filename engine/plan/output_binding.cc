#include "engine/plan/output_binding.h"

#include <set>

#include "engine/base/sha256.h"

namespace paiplan::plan {

Result<OutputBinding> BindOutputs(const std::vector<std::pair<std::string, std::string>>& refs,
                                  const OutputLookup& lookup) {
  OutputBinding b;
  std::set<std::string> producers;
  for (const auto& [address, key] : refs) {
    OutputLookupResult r = lookup(address, key);
    std::string name = address + "[" + key + "]";
    if (r.state == OutputState::kMissing) {
      return Err(Status::InvalidArgument(
          "outputs[\"" + address + "\"][\"" + key + "\"]: " + address + " published no output '" + key + "'" +
          (r.published.empty() ? " (it published none)" : " (it published: " + r.published + ")") +
          "; make its script write " + key + "=... to $PAIPLAN_OUTPUTS, or fix the name"));
    }
    producers.insert(address);
    if (!b.context.contains(address)) b.context[address] = nlohmann::ordered_json::object();
    if (r.state == OutputState::kUnknown) {
      b.context[address][key] = kKnownAfterApply;
      b.used[name] = kKnownAfterApply;
      b.deferred = true;
    } else {
      b.context[address][key] = r.value;
      b.used[name] = Sha256Hex(r.value);
    }
  }
  b.producers.assign(producers.begin(), producers.end());
  return b;
}

namespace {

std::string Published(const OutputValues& v) {
  std::string s;
  for (const auto& [k, _] : v) s += (s.empty() ? "" : ", ") + k;
  return s;
}

OutputLookupResult FromValues(const OutputValues& v, const std::string& key) {
  auto it = v.find(key);
  if (it == v.end()) return {OutputState::kMissing, "", Published(v)};
  return {OutputState::kValue, it->second, ""};
}

}  // namespace

OutputLookup PlanTimeLookup(const RecordedOutputs& recorded,
                            const std::function<std::string(const std::string&)>& desired_hash) {
  return [&recorded, desired_hash](const std::string& address, const std::string& key) -> OutputLookupResult {
    auto v = recorded.values.find(address);
    if (v == recorded.values.end()) return {OutputState::kUnknown, "", ""};
    std::string want = desired_hash(address);
    auto h = recorded.hashes.find(address);
    if (!want.empty() && h != recorded.hashes.end() && h->second != want) return {OutputState::kUnknown, "", ""};
    return FromValues(v->second, key);
  };
}

OutputLookup ApplyTimeLookup(const OutputRegistry& registry) {
  return [&registry](const std::string& address, const std::string& key) -> OutputLookupResult {
    auto v = registry.Get(address);
    if (!v) return {OutputState::kMissing, "", ""};
    return FromValues(*v, key);
  };
}

bool HasDeferredOutputs(const ojson& attributes) {
  if (!attributes.is_object() || !attributes.contains("outputs_used")) return false;
  for (const auto& v : attributes["outputs_used"]) {
    if (v == kKnownAfterApply) return true;
  }
  return false;
}

std::string ChangedOutputs(const ojson& before, const ojson& after) {
  auto used = [](const ojson& a) {
    return a.is_object() && a.contains("outputs_used") && a["outputs_used"].is_object() ? a["outputs_used"]
                                                                                         : ojson::object();
  };
  ojson b = used(before), a = used(after);
  std::string out;
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (b.contains(it.key()) && b[it.key()] == it.value()) continue;
    out += (out.empty() ? "" : ", ") + it.key();
  }
  for (auto it = b.begin(); it != b.end(); ++it) {
    if (!a.contains(it.key())) out += (out.empty() ? "" : ", ") + it.key() + " (no longer read)";
  }
  return out;
}

}  // namespace paiplan::plan
