// softhebb: SoftHebb layers (no feedback); the head stays backprop.
#include <engram/layers/hebbian/soft_hebb_conv2d.h>
#include <engram/layers/hebbian/soft_hebb_linear.h>
#include <engram/train/learning_rule.h>

namespace engram::learning {

ENGRAM_REGISTER_LAYER_RULE(
    "softhebb",
    "SoftHebb (Journé et al. 2023): soft winner-take-all Hebbian learning inside forward, no "
    "gradient to or through the layer (the layer's default options); the head learns by bp.",
    [](const LinearGeometry& g, RuleContext&) {
      return torch::nn::AnyModule(
          layers::SoftHebbLinear(layers::SoftHebbLinearOptions(g.in_features, g.out_features)));
    },
    [](const Conv2dGeometry& g, RuleContext&) {
      return torch::nn::AnyModule(layers::SoftHebbConv2d(
          layers::SoftHebbConv2dOptions(g.in_channels, g.out_channels, g.kernel)
              .stride(g.stride)
              .padding(g.padding)));
    },
    nullptr);

} // namespace engram::learning
