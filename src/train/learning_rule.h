#pragma once
// Learning rules by name: how a network's weights get their gradients. Two kinds:
//  - per-layer rules (bp, fa, dfa, usf, brsf, frsf, ...): each builds the module that replaces a
//    preset's `linear` or `conv2d` layer (and, where the rule has one, the head's rule), so that
//    backward() computes the rule's updates;
//  - model-level rules (pc, ...): replace the gradient of the task's loss for the whole network;
//    the trainer calls the rule's ModelGradientFn instead of backward() on the task loss (any term
//    a strategy adds to the loss is still differentiated by autograd and added).
// A preset selects a rule for the whole model (`"learning": "fa"` at the top level: every linear
// and conv2d layer of the body and the head) or per layer (`"learning"` in a layer object; it
// wins over the model's). Adding a rule is one file under src/train/learning_rules/ with one
// registration line:
//
//   ENGRAM_REGISTER_LAYER_RULE("fa", "Lillicrap et al. 2016: ...", linear_builder,
//                              conv2d_builder, head_builder);
//   ENGRAM_REGISTER_MODEL_RULE("pc", "Whittington & Bogacz 2017: ...", gradient_fn);
//
// A builder that is null means the rule does not apply to that layer type (head: the head keeps
// backprop). `engram learning-rules` lists what is registered; `--markdown` prints the table of
// docs/learning-rules.md.

#include <engram/layers/feedback/feedback_functions.h>
#include <engram/models/network.h>
#include <engram/models/preset.h>

#include <ATen/core/Tensor.h>
#include <torch/nn/modules/container/any.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace engram::learning {

// The task's loss of a batch, from the network's logits.
using TaskLoss = std::function<at::Tensor(const at::Tensor& logits)>;
// Sets the .grad of the network's parameters (a descent direction, like a gradient) for the task
// loss of the batch x.
using ModelGradientFn =
    std::function<void(models::NetworkImpl& net, const at::Tensor& x, const TaskLoss& task_loss)>;

// A linear layer as the preset describes it.
struct LinearGeometry {
  int64_t in_features = 0;
  int64_t out_features = 0;
  bool bias = true;
};
// A conv2d layer as the preset describes it, with its per-sample input shape [C, H, W].
struct Conv2dGeometry {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t kernel = 0;
  int64_t stride = 1;
  int64_t padding = 0;
  bool bias = true;
  models::Shape input_shape;
};
// What the layers of one network share while it is built.
struct RuleContext {
  int64_t num_outputs = 0;
  // Where the head keeps the output error for direct feedback (dfa).
  layers::OutputError output_error = layers::make_output_error();
  bool output_error_read = false;     // set by a builder whose layer reads it
  bool output_error_provided = false; // set by the head builder that keeps it
};

using LinearRuleBuilder =
    std::function<torch::nn::AnyModule(const LinearGeometry& geometry, RuleContext& context)>;
using Conv2dRuleBuilder =
    std::function<torch::nn::AnyModule(const Conv2dGeometry& geometry, RuleContext& context)>;
using HeadRuleBuilder =
    std::function<std::shared_ptr<models::HeadRule>(int64_t in_features, RuleContext& context)>;

enum class RuleKind { kLayer, kModel };
// "per-layer" or "model".
const char* to_string(RuleKind kind);

struct LearningRuleInfo {
  std::string name;
  std::string summary;
  RuleKind kind = RuleKind::kLayer;
  LinearRuleBuilder linear; // kLayer; null: not for linear layers
  Conv2dRuleBuilder conv2d; // kLayer; null: not for conv2d layers
  HeadRuleBuilder head;     // kLayer; null: the head keeps backprop
  ModelGradientFn gradient; // kModel
  // "linear, conv2d, head", "linear, conv2d (head: bp)" or "whole network".
  std::string applies_to() const;
};

// Adds a rule; a second one of the same name is an error.
void register_learning_rule(LearningRuleInfo info);
// Sorted.
std::vector<std::string> learning_rule_names();
// nullptr when unknown.
const LearningRuleInfo* find_learning_rule(const std::string& name);
// Throws "<what>: unknown learning rule 'xx' (expected one of: bp, dfa, ...)".
const LearningRuleInfo& learning_rule_info(const std::string& name,
                                           const std::string& what = "learning");

// The layer types a per-layer rule replaces.
bool takes_learning_rule(const std::string& layer_type);

// `bp_layer` (built by the layer registry from `spec`, over inputs of `in_shape`) under `rule`:
// a module of the rule with the same weights, or `bp_layer` itself for bp. An error names the
// layer when the rule does not apply to it.
models::NetworkLayer apply_layer_rule(const std::string& rule, const models::LayerSpec& spec,
                                      const models::Shape& in_shape, models::NetworkLayer bp_layer,
                                      RuleContext& context);
// Gives `net`'s head the rule's head rule (none for bp and model-level rules), and checks that a
// layer reading the output error has a head providing it.
void apply_head_rule(const std::string& rule, models::NetworkImpl& net, RuleContext& context,
                     const std::string& preset_source);

// The rule a layer learns by: its own, else the model's (for linear and conv2d layers that are
// not frozen; model-level rules leave the layers to bp), else "bp".
std::string effective_rule(const models::Preset& preset, const models::LayerSpec& spec);
// The model's rule ("bp" when none is set).
std::string model_rule(const models::Preset& preset);
// The model-level rule's gradient function when the preset's model rule is model-level, else
// null.
ModelGradientFn model_gradient(const models::Preset& preset);

// The Markdown table of docs/learning-rules.md: rule, kind, applies to, summary.
std::string format_learning_rule_table_markdown();
// One paragraph per rule, for `engram learning-rules` and --help.
std::string format_learning_rule_list();

namespace detail {
bool register_layer_rule(const char* name, const char* summary, LinearRuleBuilder linear,
                         Conv2dRuleBuilder conv2d, HeadRuleBuilder head);
bool register_model_rule(const char* name, const char* summary, ModelGradientFn gradient);
} // namespace detail

} // namespace engram::learning

#define ENGRAM_LEARNING_CONCAT_INNER(a, b) a##b
#define ENGRAM_LEARNING_CONCAT(a, b) ENGRAM_LEARNING_CONCAT_INNER(a, b)

// Registers a per-layer rule when the library is loaded (namespace scope, once per rule).
#define ENGRAM_REGISTER_LAYER_RULE(name, summary, linear, conv2d, head)                            \
  namespace {                                                                                      \
  [[maybe_unused]] const bool ENGRAM_LEARNING_CONCAT(engram_layer_rule_registered_, __LINE__) =    \
      ::engram::learning::detail::register_layer_rule(name, summary, linear, conv2d, head);        \
  }

// Registers a model-level rule when the library is loaded (namespace scope, once per rule).
#define ENGRAM_REGISTER_MODEL_RULE(name, summary, gradient)                                        \
  namespace {                                                                                      \
  [[maybe_unused]] const bool ENGRAM_LEARNING_CONCAT(engram_model_rule_registered_, __LINE__) =    \
      ::engram::learning::detail::register_model_rule(name, summary, gradient);                    \
  }
