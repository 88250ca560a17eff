// `paiplan state mv SRC DST` (Terraform's state mv): the object recorded
// as SRC is recorded as DST from now on, so a renamed machine or service is
// adopted instead of destroyed and created again. Nothing on the cluster is
// touched. Checks: SRC is in the state, DST is not, both name the same kind.
// The move is one commit (DST put, SRC deleted, references to SRC in other
// records' depends_on rewritten) plus an entry in the state history.
//
// A node's record is rewritten for its new name (attributes.hostname,
// machine, and the hash recomputed the way the planner computes it), and
// remembers the hash of the marker the machine still carries (marker_hash):
// the marker keeps the old hostname until the machine is next bootstrapped,
// and the node's observation accepts it (docs/state-mv.md).
#include <random>

#include "engine/cli/commands.h"
#include "engine/cli/runtime.h"
#include "engine/graph/resource_graph.h"
#include "engine/plan/desired.h"

namespace paiplan::cli {
namespace {

int Refuse(const GlobalOptions& g, const std::string& why) {
  PrintError(g, "state mv: " + why + " Nothing was changed.");
  return kExitError;
}

// The checks Terraform makes; "" when the move may go ahead.
std::string CheckMove(const state::Snapshot& snap, const std::string& src, const std::string& dst) {
  auto sk = graph::KindOfAddress(src), dk = graph::KindOfAddress(dst);
  if (!sk) return src + " is not a resource address (node.H, label.H, config.cluster, render.S/F, service.S).";
  if (!dk) return dst + " is not a resource address (node.H, label.H, config.cluster, render.S/F, service.S).";
  if (src == dst) return "the source and the destination are the same address (" + src + ").";
  if (*sk != *dk)
    return "cannot move a " + std::string(graph::KindName(*sk)) + " to a " + graph::KindName(*dk) + " address (" + src +
           " -> " + dst + "); both must be of the same kind.";
  if (*sk == graph::Kind::kConfig) return "config.cluster is the only resource of its kind; there is nowhere to move it.";
  if (!snap.resources.count(src)) return src + " is not in the state; list the addresses with: paiplan state list.";
  if (snap.resources.count(dst))
    return dst + " is already in the state; remove it first (paiplan state rm " + dst + ") if it is the one to forget.";
  return "";
}

// SRC's record as DST's.
state::ResourceRecord MovedRecord(state::ResourceRecord rec, const std::string& dst) {
  auto kind = graph::KindOfAddress(dst);
  std::string name = dst.substr(dst.find('.') + 1);
  if (*kind == graph::Kind::kNode || *kind == graph::Kind::kLabel) {
    if (rec.contains("machine")) rec["machine"] = name;
  }
  if (*kind == graph::Kind::kNode && rec.contains("attributes") && rec["attributes"].is_object() &&
      rec["attributes"].contains("hostname")) {
    if (!rec.contains("marker_hash")) rec["marker_hash"] = rec.value("hash", "");
    rec["attributes"]["hostname"] = name;
    rec["hash"] = plan::NodeHash(rec["attributes"]);
  }
  return rec;
}

}  // namespace

int CmdStateMv(const GlobalOptions& g, const std::string& src, const std::string& dst) {
  Diagnostics diags;
  auto ws = LoadWorkspaceOrReport(g, &diags);
  if (!ws) return Refuse(g, "the workspace has errors (above); fix them first, state mv needs its state settings.");
  auto store = OpenStateStore(ws->settings, false);
  if (!store) return Refuse(g, store.error().message());
  auto lock = (*store)->Lock("state mv");
  if (!lock) return Refuse(g, lock.error().message());
  struct U { state::StateStore* s; std::string id; ~U() { (void)s->Unlock(id); } } u{store->get(), lock->id};
  auto snap = (*store)->ReadSnapshot();
  if (!snap) return Refuse(g, snap.error().message());
  if (std::string why = CheckMove(*snap, src, dst); !why.empty()) return Refuse(g, why);

  state::Batch b;
  state::ResourceRecord moved = MovedRecord(snap->resources.at(src), dst);
  moved["moved_from"] = src;
  b.puts.emplace_back(dst, moved);
  b.deletes.push_back(src);
  for (const auto& [addr, rec] : snap->resources) {
    if (addr == src || !rec.contains("depends_on") || !rec["depends_on"].is_array()) continue;
    state::ResourceRecord r = rec;
    bool changed = false;
    for (auto& d : r["depends_on"]) {
      if (d.is_string() && d.get<std::string>() == src) { d = dst; changed = true; }
    }
    if (changed) b.puts.emplace_back(addr, std::move(r));
  }
  std::string started = NowRfc3339();
  auto serial = (*store)->Commit(b);
  if (!serial) return Refuse(g, serial.error().message());
  char rnd[16];
  std::snprintf(rnd, sizeof rnd, "%08x", std::random_device{}());
  nlohmann::json hist = {{"id", started.substr(0, 19) + "-" + rnd}, {"operation", "state mv"},
                         {"who", lock->who + "@" + lock->host}, {"started", started}, {"finished", NowRfc3339()},
                         {"actions", nlohmann::json::array()}};
  hist["actions"].push_back({{"address", dst}, {"action", "move"}, {"outcome", "done"}, {"from", src}});
  Status h = (*store)->AppendHistory(hist);
  if (!h.ok()) PrintWarning(g, "the move is recorded, but not in the state's history: " + h.message());
  std::cout << "Moved " << src << " to " << dst << " (state serial " << *serial
            << "); nothing on the cluster was touched.\n";
  return kExitOk;
}

}  // namespace paiplan::cli
