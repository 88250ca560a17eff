#include "engine/plan/plan_review.h"

#include <cctype>
#include <cstdio>

#include "engine/plan/attr_diff.h"
#include "engine/plan/plan_io.h"

namespace paiplan::plan {
namespace {

// Attribute changes as diff lines: an update shows the old value removed and
// the new one added, so both forms highlight the same way.
std::string AttributeDiff(const Action& a, const std::vector<std::string>& secrets) {
  std::string out;
  for (const auto& ch : DiffAttributes(a.before, a.after)) {
    if (ch.path == "content") continue;
    auto show = [&](const std::string& v) { return ch.sensitive ? std::string("(sensitive)") : MaskSecrets(ShortHash(v), secrets); };
    if (!ch.before.empty()) out += "- " + ch.path + " = " + show(ch.before) + "\n";
    if (!ch.after.empty()) out += "+ " + ch.path + " = " + show(ch.after) + "\n";
  }
  return out;
}

std::string DiffOf(const Action& a, const std::vector<std::string>& secrets) {
  if (a.kind == graph::Kind::kRender) {
    std::string file = a.after.is_object() ? a.after.value("file", std::string()) : std::string();
    if (file.empty()) file = a.address.substr(a.address.find('/') + 1);
    if (!a.diff.empty()) return MaskSecrets(a.diff, secrets);
    if (a.type == ActionType::kCreate && !a.content.empty()) return MaskSecrets(UnifiedDiff("", a.content, file), secrets);
  }
  return AttributeDiff(a, secrets);
}

void Count(ActionType t, KindCounts* c) {
  if (t == ActionType::kCreate || t == ActionType::kReplace) ++c->add;
  if (t == ActionType::kUpdate) ++c->change;
  if (t == ActionType::kDelete || t == ActionType::kReplace) ++c->destroy;
}

}  // namespace

std::string AnchorOf(const std::string& address) {
  std::string out = "a-";
  for (unsigned char c : address) {
    if (std::isalnum(c) || c == '_') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "-%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string ServiceOfAddress(const std::string& address) {
  auto dot = address.find('.');
  if (dot == std::string::npos) return "";
  std::string prefix = address.substr(0, dot), rest = address.substr(dot + 1);
  if (prefix == "service") return rest;
  if (prefix == "render" || prefix == "object") return rest.substr(0, rest.find('/'));
  return "";
}

std::vector<std::string> PlanSecrets(const Plan& plan) {
  std::vector<std::string> secrets;
  for (const auto& a : plan.actions) {
    CollectSecrets(nlohmann::ordered_json(a.before), &secrets);
    CollectSecrets(nlohmann::ordered_json(a.after), &secrets);
  }
  return secrets;
}

Review MakeReview(const Plan& plan, const std::vector<std::string>& secrets) {
  Review r;
  r.summary_line = SummaryLine(plan);
  for (const auto& a : plan.actions) {
    if (a.type == ActionType::kNoOp) continue;
    ReviewItem it;
    it.address = a.address;
    it.kind = graph::KindName(a.kind);
    it.action = ActionName(a.type);
    it.symbol = ActionSymbol(a.type);
    it.service = ServiceOfAddress(a.address);
    it.anchor = AnchorOf(a.address);
    it.reason = MaskSecrets(a.reason, secrets);
    for (const auto& n : a.notes) it.notes.push_back(MaskSecrets(n, secrets));
    it.depends_on = a.depends_on;
    it.diff = DiffOf(a, secrets);
    Count(a.type, &r.kinds[it.kind]);
    Count(a.type, &r.total);
    r.items.push_back(std::move(it));
  }
  for (const auto& w : plan.warnings) r.warnings.push_back(MaskSecrets(w, secrets));
  for (const auto& e : plan.errors) r.errors.push_back(MaskSecrets(e, secrets));
  return r;
}

}  // namespace paiplan::plan
