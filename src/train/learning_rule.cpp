#include <engram/train/learning_rule.h>

#include <engram/core/join.h>
#include <engram/models/conv_layers.h>
#include <engram/models/layer_registry.h>

#include <c10/util/Exception.h>
#include <torch/nn/modules/linear.h>

#include <map>
#include <mutex>
#include <sstream>

namespace engram::learning {

const char* to_string(RuleKind kind) {
  return kind == RuleKind::kLayer ? "per-layer" : "model";
}

std::string LearningRuleInfo::applies_to() const {
  if (kind == RuleKind::kModel)
    return "whole network";
  std::vector<std::string> parts;
  if (linear)
    parts.push_back("linear");
  if (conv2d)
    parts.push_back("conv2d");
  if (head)
    parts.push_back("head");
  return join(parts, ", ") + (head ? "" : " (head: bp)");
}

namespace {

std::map<std::string, LearningRuleInfo>& registry() {
  static std::map<std::string, LearningRuleInfo> r;
  return r;
}

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

} // namespace

void register_learning_rule(LearningRuleInfo info) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  TORCH_CHECK(!info.name.empty(), "register_learning_rule: a rule needs a name");
  TORCH_CHECK(info.kind != RuleKind::kModel || info.gradient,
              "register_learning_rule: model-level rule '", info.name,
              "' needs a gradient function");
  TORCH_CHECK(info.kind != RuleKind::kLayer || info.linear || info.conv2d,
              "register_learning_rule: per-layer rule '", info.name,
              "' needs a linear or a conv2d builder");
  const std::string name = info.name;
  TORCH_CHECK(registry().emplace(name, std::move(info)).second, "register_learning_rule: rule '",
              name, "' is registered twice");
}

std::vector<std::string> learning_rule_names() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<std::string> names;
  for (const auto& kv : registry())
    names.push_back(kv.first);
  return names;
}

const LearningRuleInfo* find_learning_rule(const std::string& name) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

const LearningRuleInfo& learning_rule_info(const std::string& name, const std::string& what) {
  const LearningRuleInfo* info = find_learning_rule(name);
  TORCH_CHECK(info != nullptr, what, ": unknown learning rule '", name,
              "' (expected one of: ", join(learning_rule_names()), ")");
  return *info;
}

bool takes_learning_rule(const std::string& layer_type) {
  return layer_type == "linear" || layer_type == "conv2d";
}

std::string model_rule(const models::Preset& preset) {
  return preset.learning.empty() ? "bp" : preset.learning;
}

std::string effective_rule(const models::Preset& preset, const models::LayerSpec& spec) {
  if (!spec.learning.empty())
    return spec.learning;
  // The model's rule reaches the layers that take one; a frozen conv2d layer keeps its weights.
  const bool frozen = spec.flags.count("freeze") && spec.flags.at("freeze");
  if (!takes_learning_rule(spec.type) || frozen)
    return "bp";
  const LearningRuleInfo* info = find_learning_rule(model_rule(preset));
  // A model-level rule leaves the layers as they are (its gradient replaces backward()).
  if (info == nullptr || info->kind == RuleKind::kModel)
    return "bp";
  return model_rule(preset);
}

ModelGradientFn model_gradient(const models::Preset& preset) {
  const LearningRuleInfo& info = learning_rule_info(model_rule(preset), "$.learning");
  return info.kind == RuleKind::kModel ? info.gradient : ModelGradientFn{};
}

models::NetworkLayer apply_layer_rule(const std::string& rule, const models::LayerSpec& spec,
                                      const models::Shape& in_shape, models::NetworkLayer bp_layer,
                                      RuleContext& context) {
  if (rule == "bp")
    return bp_layer;
  const std::string where = models::layer_label(spec) + ".learning";
  const LearningRuleInfo& info = learning_rule_info(rule, where);
  TORCH_CHECK(info.kind == RuleKind::kLayer, where, ": '", rule,
              "' is a model-level rule; set it for the whole model ($.learning)");
  TORCH_CHECK(takes_learning_rule(spec.type), where, ": layer type '", spec.type,
              "' takes no learning rule (rules apply to linear and conv2d layers)");
  at::NoGradGuard no_grad;
  torch::nn::AnyModule module;
  if (spec.type == "linear") {
    TORCH_CHECK(info.linear != nullptr, where, ": rule '", rule,
                "' does not apply to linear layers");
    auto lin = bp_layer.module.get<torch::nn::Linear>();
    LinearGeometry g{lin->options.in_features(), lin->options.out_features(), lin->options.bias()};
    module = info.linear(g, context);
  } else {
    TORCH_CHECK(info.conv2d != nullptr, where, ": rule '", rule,
                "' does not apply to conv2d layers");
    auto conv = bp_layer.module.get<models::Conv2dLayer>();
    const auto& o = conv->options;
    TORCH_CHECK(!o.frozen(), where, ": a frozen conv2d layer (\"freeze\": true) learns by no rule");
    Conv2dGeometry g{o.in_channels(), o.out_channels(), o.kernel(), o.stride(),
                     o.padding(),     o.bias(),         in_shape};
    module = info.conv2d(g, context);
  }
  // The rule's layer starts from the weights backprop's would have: the rules differ only in how
  // they learn.
  auto from = bp_layer.module.ptr()->named_parameters(/*recurse=*/true);
  auto to = module.ptr()->named_parameters(/*recurse=*/true);
  for (const auto& p : from) {
    const std::string leaf = p.key().substr(p.key().rfind('.') + 1);
    for (auto& q : to) {
      const std::string other = q.key().substr(q.key().rfind('.') + 1);
      if (other == leaf && q.value().sizes() == p.value().sizes())
        q.value().copy_(p.value());
    }
  }
  models::NetworkLayer layer = std::move(bp_layer);
  layer.module = std::move(module);
  layer.type = spec.type + "+" + rule;
  return layer;
}

void apply_head_rule(const std::string& rule, models::NetworkImpl& net, RuleContext& context,
                     const std::string& preset_source) {
  const LearningRuleInfo& info =
      learning_rule_info(rule, "preset " + preset_source + ": $.learning");
  if (info.kind == RuleKind::kLayer && info.head)
    net.set_head_rule(info.head(net.head()->options.in_features(), context));
  TORCH_CHECK(!context.output_error_read || context.output_error_provided, "preset ", preset_source,
              ": a dfa layer needs the output error of a head under dfa: set \"learning\": "
              "\"dfa\" for the whole model ($.learning)");
}

std::string format_learning_rule_table_markdown() {
  std::ostringstream s;
  s << "| Rule | Kind | Applies to | Summary |\n|---|---|---|---|\n";
  for (const auto& name : learning_rule_names()) {
    const LearningRuleInfo& info = *find_learning_rule(name);
    s << "| `" << name << "` | " << to_string(info.kind) << " | " << info.applies_to() << " | "
      << info.summary << " |\n";
  }
  return s.str();
}

std::string format_learning_rule_list() {
  std::ostringstream s;
  for (const auto& name : learning_rule_names()) {
    const LearningRuleInfo& info = *find_learning_rule(name);
    s << name << " (" << to_string(info.kind) << "; " << info.applies_to() << ")\n  "
      << info.summary << "\n";
  }
  return s.str();
}

namespace detail {

bool register_layer_rule(const char* name, const char* summary, LinearRuleBuilder linear,
                         Conv2dRuleBuilder conv2d, HeadRuleBuilder head) {
  LearningRuleInfo info;
  info.name = name;
  info.summary = summary;
  info.kind = RuleKind::kLayer;
  info.linear = std::move(linear);
  info.conv2d = std::move(conv2d);
  info.head = std::move(head);
  register_learning_rule(std::move(info));
  return true;
}

bool register_model_rule(const char* name, const char* summary, ModelGradientFn gradient) {
  LearningRuleInfo info;
  info.name = name;
  info.summary = summary;
  info.kind = RuleKind::kModel;
  info.gradient = std::move(gradient);
  register_learning_rule(std::move(info));
  return true;
}

} // namespace detail

} // namespace engram::learning
