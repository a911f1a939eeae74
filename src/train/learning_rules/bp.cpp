// bp: backpropagation, the default rule; the layers are the layer registry's own.
#include <engram/models/conv_layers.h>
#include <engram/train/learning_rule.h>

#include <torch/nn/modules/linear.h>

namespace engram::learning {
namespace {

torch::nn::AnyModule bp_linear(const LinearGeometry& g, RuleContext&) {
  return torch::nn::AnyModule(
      torch::nn::Linear(torch::nn::LinearOptions(g.in_features, g.out_features).bias(g.bias)));
}

torch::nn::AnyModule bp_conv2d(const Conv2dGeometry& g, RuleContext&) {
  return torch::nn::AnyModule(
      models::Conv2dLayer(models::Conv2dLayerOptions(g.in_channels, g.out_channels, g.kernel)
                              .stride(g.stride)
                              .padding(g.padding)
                              .bias(g.bias)));
}

} // namespace

ENGRAM_REGISTER_LAYER_RULE(
    "bp", "Backpropagation (the default): the exact gradient, Wᵀ in the backward pass.", bp_linear,
    bp_conv2d, nullptr);

} // namespace engram::learning
