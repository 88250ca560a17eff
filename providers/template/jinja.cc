#include "providers/template/jinja.h"

#include "providers/template/parser.h"
#include "providers/template/render.h"

namespace paiplan::tmpl {

struct Template::Impl {
  std::string name;
  Body body;
};

Template::Template(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

Result<Template> Template::Parse(std::string_view text, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  PP_ASSIGN_OR_RETURN(impl->body, ParseTemplate(text, impl->name));
  return Template(std::move(impl));
}

std::string DescribeUndefined(const std::string& name, const UndefinedOutput& u) {
  return name + ":" + std::to_string(u.line) + ":" + std::to_string(u.col) + ": '{{ " + u.expression +
         " }}' is undefined and renders as empty";
}

Result<std::string> Template::Render(const nlohmann::ordered_json& context) const {
  return Render(context, nullptr);
}

Result<std::string> Template::Render(const nlohmann::ordered_json& context,
                                     std::vector<UndefinedOutput>* undefined) const {
  if (!context.is_object() && !context.is_null()) {
    return Err(Status::InvalidArgument(impl_->name + ": the render context must be a JSON object"));
  }
  ContainerArena arena;  // frees self-referential lists/dicts built by the template
  Renderer renderer(impl_->name, context);
  renderer.CollectUndefined(undefined);
  std::string out;
  PP_RETURN_IF_ERROR_R(renderer.Render(impl_->body, out));
  return out;
}

Result<std::string> Template::Render(const nlohmann::json& context) const {
  return Render(nlohmann::ordered_json::parse(context.dump()));
}

const std::string& Template::name() const { return impl_->name; }

Result<std::string> Render(std::string_view text, const nlohmann::ordered_json& context, std::string name) {
  PP_ASSIGN_OR_RETURN(Template t, Template::Parse(text, std::move(name)));
  return t.Render(context);
}

Result<std::string> Render(std::string_view text, const nlohmann::json& context, std::string name) {
  PP_ASSIGN_OR_RETURN(Template t, Template::Parse(text, std::move(name)));
  return t.Render(context);
}

Result<std::string> Render(std::string_view text, const nlohmann::ordered_json& context, std::string name,
                           std::vector<UndefinedOutput>* undefined) {
  PP_ASSIGN_OR_RETURN(Template t, Template::Parse(text, std::move(name)));
  return t.Render(context, undefined);
}

}  // namespace paiplan::tmpl
