#pragma once
// The convolutional layer types of presets, each a LibTorch module over per-sample shapes:
//   "conv2d"              Conv2dLayer: torch::nn::Conv2d (out_channels, kernel, stride, padding,
//                         bias), optionally frozen (a pre-trained feature extractor);
//   "maxpool2d"           torch::nn::MaxPool2d (kernel, stride = kernel, padding);
//   "avgpool2d"           torch::nn::AvgPool2d (kernel, stride = kernel, padding);
//   "adaptive_avgpool2d"  torch::nn::AdaptiveAvgPool2d to output_size x output_size (default 1);
//   "dropout"             torch::nn::Dropout (p), on any shape;
//   "flatten"             [C, H, W] -> [C*H*W].
// Output sizes follow LibTorch: floor((H + 2 padding - kernel) / stride) + 1; a kernel that does
// not fit its input is an error naming the layer and both shapes.

#include <engram/models/layer_registry.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <map>
#include <string>

namespace engram::models {

struct Conv2dLayerOptions {
  Conv2dLayerOptions(int64_t in_channels, int64_t out_channels, int64_t kernel)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_(kernel) {}
  /// Channels of the [B, C, H, W] input (>= 1).
  TORCH_ARG(int64_t, in_channels);
  /// Channels of the output (>= 1).
  TORCH_ARG(int64_t, out_channels);
  /// Side of the square kernel (>= 1).
  TORCH_ARG(int64_t, kernel);
  /// Step between kernel positions (>= 1).
  TORCH_ARG(int64_t, stride) = 1;
  /// Zeros added on each side of the input (>= 0).
  TORCH_ARG(int64_t, padding) = 0;
  /// Whether the layer has a bias.
  TORCH_ARG(bool, bias) = true;
  /// Weights fixed: gradients flow through the layer to the ones before, never into it.
  TORCH_ARG(bool, frozen) = false;
};

class Conv2dLayerImpl : public torch::nn::Cloneable<Conv2dLayerImpl> {
public:
  explicit Conv2dLayerImpl(const Conv2dLayerOptions& options);
  void reset() override;
  void reset_parameters();
  // x: [B, in_channels, H, W] -> [B, out_channels, H', W'].
  at::Tensor forward(const at::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  Conv2dLayerOptions options;
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Conv2dLayer);

// Output side of a convolution or pooling window: floor((in + 2 padding - kernel) / stride) + 1.
int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding);

// Adds the types above to a layer-type table.
void add_conv_layer_types(std::map<std::string, LayerType>& types);

} // namespace engram::models
