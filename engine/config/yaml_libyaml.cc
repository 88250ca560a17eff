// The libyaml reader of yaml_paths.h: builds the ojson value straight from
// libyaml's parser events, as JsonBuilder (yaml_doc.cc) does from yaml-cpp's.
// Syntax errors are libyaml's own (YamlSyntaxError); on anything else
// unusual it gives up and yaml-cpp, which knows how to word the diagnostic
// (duplicate keys, several documents ...), reads the text again: only text
// libyaml accepted, since yaml-cpp 0.7 loops on some malformed input.
#include <yaml.h>
#include <yaml-cpp/null.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/yaml_syntax.h"
#include "engine/config/yaml_paths.h"
#include "engine/config/yaml_scalar.h"

namespace paiplan::config::yaml_paths {
namespace {

// Deeper documents go to yaml-cpp, which has its own depth limit and message.
constexpr size_t kMaxDepth = 200;

std::string AsString(const yaml_char_t* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

// The value of a scalar event, by the rules of JsonBuilder::ScalarValue:
// plain untagged scalars are resolved as PyYAML does; quoted and block ones,
// and those tagged ! or !!str, are strings; any other tag resolves the text.
ojson ScalarValue(const yaml_event_t& e, const std::string& text) {
  const auto& s = e.data.scalar;
  if (!s.tag) return s.style == YAML_PLAIN_SCALAR_STYLE ? ResolvePlainScalar(text) : ojson(text);
  std::string tag = AsString(s.tag);
  if (tag == "!" || tag == YAML_STR_TAG) return text;
  return ResolvePlainScalar(text);
}

// yaml-cpp reports a plain untagged null spelling (`~`, `null`, nothing) as a
// null node, which it refuses as a map key; every other scalar is a key.
bool UsableAsKey(const yaml_event_t& e, const std::string& text) {
  const auto& s = e.data.scalar;
  return s.tag || s.style != YAML_PLAIN_SCALAR_STYLE || !YAML::IsNullString(text);
}

// Whether `e` is a block scalar that keeps trailing blank lines (`|+`,
// `>+`; only keep chomping ends a block scalar in "\n\n"). yaml-cpp drops
// one of them before a following key where libyaml (and PyYAML) keep them
// all, so these are left to yaml-cpp, whose values stay as they were.
bool KeepsTrailingBlankLines(const yaml_event_t& e, const std::string& value) {
  auto style = e.data.scalar.style;
  return (style == YAML_LITERAL_SCALAR_STYLE || style == YAML_FOLDED_SCALAR_STYLE) && value.ends_with("\n\n");
}

class LibyamlBuilder {
 public:
  // Feeds one event; false when the document is one to leave to yaml-cpp.
  bool Handle(const yaml_event_t& e) {
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        return ++documents_ == 1;
      case YAML_ALIAS_EVENT:
        return Alias(AsString(e.data.alias.anchor));
      case YAML_SCALAR_EVENT: {
        std::string text(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        if (KeepsTrailingBlankLines(e, text)) return false;
        const std::string* key = UsableAsKey(e, text) ? &text : nullptr;
        return Emit(ScalarValue(e, text), key, AsString(e.data.scalar.anchor));
      }
      case YAML_SEQUENCE_START_EVENT:
        return Push(ojson::array(), AsString(e.data.sequence_start.anchor));
      case YAML_MAPPING_START_EVENT:
        return Push(ojson::object(), AsString(e.data.mapping_start.anchor));
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        return Pop();
      default:  // stream start/end, document end
        return true;
    }
  }

  ojson Take() { return std::move(root_); }

 private:
  struct Frame {
    ojson value;
    std::string anchor;
    bool want_key = true;  // maps: the next value is a key
    std::string key{};
    MapKeys keys{};
  };

  bool Alias(const std::string& anchor) {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return false;  // e.g. an alias inside its own anchor
    return Emit(it->second, nullptr, "");
  }

  bool Push(ojson v, std::string anchor) {
    if (stack_.size() >= kMaxDepth) return false;
    stack_.push_back(Frame{std::move(v), std::move(anchor)});
    return true;
  }

  bool Pop() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return Emit(std::move(f.value), nullptr, f.anchor);
  }

  // A complete value: the root, an item, a key (`key` set when usable as
  // one) or a map value.
  bool Emit(ojson v, const std::string* key, const std::string& anchor) {
    if (!anchor.empty()) anchors_[anchor] = v;
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& f = stack_.back();
    if (f.value.is_array()) {
      f.value.push_back(std::move(v));
    } else if (f.want_key) {
      if (!key || !f.keys.Add(f.value, *key)) return false;
      f.key = *key;
      f.want_key = false;
    } else {
      AppendUnique(&f.value, std::move(f.key), std::move(v));
      f.want_key = true;
    }
    return true;
  }

  int documents_ = 0;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, ojson> anchors_;
  ojson root_;
};

}  // namespace

std::optional<ojson> ParseWithLibyaml(const std::string& text, std::optional<YamlSyntaxError>* error) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return std::nullopt;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  LibyamlBuilder builder;
  bool building = true;  // false once the document is one for yaml-cpp: the rest is only checked
  for (bool done = false; !done;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      if (error) *error = YamlSyntaxErrorOf(parser, text);
      building = false;
      break;
    }
    done = event.type == YAML_STREAM_END_EVENT;
    building = building && builder.Handle(event);
    yaml_event_delete(&event);
    if (!building && !error) break;
  }
  yaml_parser_delete(&parser);
  if (!building) return std::nullopt;
  return builder.Take();
}

std::optional<ojson> ParseWithLibyaml(const std::string& text) { return ParseWithLibyaml(text, nullptr); }

}  // namespace paiplan::config::yaml_paths
