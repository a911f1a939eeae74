#pragma once
// The basic residual block of ResNet-18 (He et al. 2016) as the continual-learning literature
// uses it (Lopez-Paz & Ranzato 2017; Mammoth's resnet18 and reduced_resnet18):
//   out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
// with 3x3 convolutions without bias (conv1 with the block's stride, conv2 with stride 1) and a
// shortcut that is the identity, or a 1x1 convolution with the stride followed by BatchNorm when
// the stride is not 1 or the channels change. Its BatchNorms follow the block's BatchNormStats.
// Preset type "basic_block": out_channels, stride (default 1), bn_stats (default "running").

#include <engram/models/continual_batch_norm.h>
#include <engram/models/layer_registry.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <map>
#include <string>

namespace engram::models {

struct BasicBlockOptions {
  BasicBlockOptions(int64_t in_channels, int64_t out_channels)
      : in_channels_(in_channels), out_channels_(out_channels) {}
  /// Channels of the [B, C, H, W] input (>= 1).
  TORCH_ARG(int64_t, in_channels);
  /// Channels of the output (>= 1).
  TORCH_ARG(int64_t, out_channels);
  /// Stride of the first convolution and of the shortcut (>= 1): 2 halves height and width.
  TORCH_ARG(int64_t, stride) = 1;
  /// What the block's BatchNorms do with their running statistics across tasks.
  TORCH_ARG(BatchNormStats, bn_stats) = BatchNormStats::kRunning;
};

class BasicBlockImpl : public torch::nn::Cloneable<BasicBlockImpl> {
public:
  explicit BasicBlockImpl(const BasicBlockOptions& options);
  void reset() override;
  void reset_parameters();
  // x: [B, in_channels, H, W] -> [B, out_channels, H', W'] (H' = floor((H - 1) / stride) + 1).
  at::Tensor forward(const at::Tensor& x);
  // Whether the shortcut is a 1x1 convolution (stride != 1 or in_channels != out_channels).
  bool has_projection() const { return !shortcut_conv.is_empty(); }
  void pretty_print(std::ostream& stream) const override;

  BasicBlockOptions options;
  torch::nn::Conv2d conv1{nullptr};
  ContinualBatchNorm2d bn1{nullptr};
  torch::nn::Conv2d conv2{nullptr};
  ContinualBatchNorm2d bn2{nullptr};
  torch::nn::Conv2d shortcut_conv{nullptr}; // null for the identity shortcut
  ContinualBatchNorm2d shortcut_bn{nullptr};
};
TORCH_MODULE(BasicBlock);

// Adds "basic_block" to a layer-type table.
void add_residual_layer_types(std::map<std::string, LayerType>& types);

} // namespace engram::models
