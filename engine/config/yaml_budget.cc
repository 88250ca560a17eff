#include "engine/config/yaml_budget.h"

#include <yaml.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace paiplan::config {

namespace {

// Saturating: an anchor chain can describe more than 2^64 nodes.
uint64_t Add(uint64_t a, uint64_t b) { return std::min<uint64_t>(a + b, kMaxYamlNodes + 1); }

class BudgetScan {
 public:
  BudgetScan(const std::string& display, Diagnostics* diags) : display_(display), diags_(diags) {}

  // False once a limit is crossed (reported).
  bool Handle(const yaml_event_t& e) {
    switch (e.type) {
      case YAML_SCALAR_EVENT:
        return Node(1, Anchor(e.data.scalar.anchor), e);
      case YAML_ALIAS_EVENT: {
        auto it = anchors_.find(Anchor(e.data.alias.anchor));
        return Node(it == anchors_.end() ? 1 : it->second, "", e);
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        const yaml_char_t* a = e.type == YAML_SEQUENCE_START_EVENT ? e.data.sequence_start.anchor
                                                                   : e.data.mapping_start.anchor;
        stack_.push_back({1, Anchor(a)});
        if (stack_.size() <= kMaxYamlDepth) return true;
        return Fail(e, "maps and lists nested more than " + std::to_string(kMaxYamlDepth) + " levels deep",
                    "flatten the structure; the limit is " + std::to_string(kMaxYamlDepth) + " levels");
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        if (stack_.empty()) return true;
        Frame f = stack_.back();
        stack_.pop_back();
        return Node(f.nodes, f.anchor, e);
      }
      default:
        return true;
    }
  }

 private:
  struct Frame {
    uint64_t nodes;
    std::string anchor;
  };

  static std::string Anchor(const yaml_char_t* a) { return a ? reinterpret_cast<const char*>(a) : ""; }

  bool Node(uint64_t n, const std::string& anchor, const yaml_event_t& e) {
    if (!anchor.empty()) anchors_[anchor] = n;
    if (!stack_.empty()) stack_.back().nodes = Add(stack_.back().nodes, n);
    total_ = Add(total_, e.type == YAML_ALIAS_EVENT ? n : 0);
    if (total_ <= kMaxYamlNodes) return true;
    return Fail(e, "aliases expand to more than " + std::to_string(kMaxYamlNodes) + " nodes (the limit)",
                "write the values out instead of nesting aliases of aliases");
  }

  bool Fail(const yaml_event_t& e, const std::string& what, const std::string& hint) {
    diags_->Error({display_, int(e.start_mark.line) + 1, int(e.start_mark.column) + 1}, what, hint);
    return false;
  }

  const std::string& display_;
  Diagnostics* diags_;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, uint64_t> anchors_;
  uint64_t total_ = 0;  // nodes added by alias expansion
};

}  // namespace

bool CheckYamlSize(const std::string& text, const std::string& display, Diagnostics* diags) {
  if (text.size() <= kMaxYamlBytes) return true;
  diags->Error({display, 1, 1}, "file is " + std::to_string(text.size()) + " bytes; the limit for one YAML file is " +
                                    std::to_string(kMaxYamlBytes >> 20) + " MiB",
               "split the file or remove what paiplan does not need");
  return false;
}

bool CheckYamlBudget(const std::string& text, const std::string& display, Diagnostics* diags) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return true;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  BudgetScan scan(display, diags);
  bool ok = true;
  for (bool done = false; !done;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) break;  // the readers report syntax errors
    done = event.type == YAML_STREAM_END_EVENT;
    ok = scan.Handle(event);
    yaml_event_delete(&event);
    if (!ok) break;
  }
  yaml_parser_delete(&parser);
  return ok;
}

}  // namespace paiplan::config
