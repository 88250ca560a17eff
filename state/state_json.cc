#include "state/state_json.h"

#include "engine/base/json_errors.h"
#include "state/store_util.h"

namespace paiplan::state {

nlohmann::json SnapshotToJson(const Snapshot& snapshot) {
  nlohmann::json resources = nlohmann::json::object();
  for (const auto& [address, record] : snapshot.resources) resources[address] = record;
  return {{"format_version", kStateDocumentVersion},
          {"lineage", snapshot.lineage},
          {"serial", snapshot.serial},
          {"resources", std::move(resources)}};
}

Result<Snapshot> SnapshotFromJson(const nlohmann::json& doc, std::string source_name) {
  auto bad = [&](const std::string& what) {
    return Err(Status::InvalidArgument(source_name + ": " + what));
  };
  if (!doc.is_object()) return bad("a state document must be a JSON object");
  auto version = doc.find("format_version");
  if (version == doc.end()) return bad("missing \"format_version\"");
  if (!version->is_number_integer() || version->get<int64_t>() != kStateDocumentVersion) {
    return bad("unsupported format_version " + version->dump() + " (this paiplan reads " +
               std::to_string(kStateDocumentVersion) + ")");
  }
  auto lineage = doc.find("lineage");
  if (lineage == doc.end() || !lineage->is_string() || lineage->get<std::string>().empty()) {
    return bad("\"lineage\" must be a non-empty string");
  }
  auto serial = doc.find("serial");
  if (serial == doc.end() || !serial->is_number_integer() ||
      (serial->is_number_integer() && !serial->is_number_unsigned() && serial->get<int64_t>() < 0)) {
    return bad("\"serial\" must be a non-negative integer");
  }
  auto resources = doc.find("resources");
  if (resources == doc.end() || !resources->is_object()) {
    return bad("\"resources\" must be an object keyed by resource address");
  }
  Snapshot snap;
  snap.lineage = lineage->get<std::string>();
  snap.serial = serial->get<uint64_t>();
  for (const auto& [address, record] : resources->items()) {
    if (!record.is_object()) return bad("resource " + address + " must be a JSON object");
    if (address.empty() || address.size() > kMaxAddressBytes) {
      return bad("resource address \"" + address.substr(0, 80) + "\" is empty or too long");
    }
    snap.resources.emplace_hint(snap.resources.end(), address, record);
  }
  return snap;
}

Result<Snapshot> SnapshotFromText(std::string_view text, std::string source_name) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Err(Status::InvalidArgument(source_name + ": " + JsonErrorText(e)));
  }
  return SnapshotFromJson(doc, std::move(source_name));
}

}  // namespace paiplan::state
