#pragma once
// SoftHebbConv2d: a convolutional layer trained by the SoftHebb rule (Journe et al. 2023) with no
// feedback. The competition runs over the output channels at every position of every image; the
// update of a kernel sums the rule over all (image, position) patches, computed batched on the
// unfolded input (one [B*L, C*k*k] patch matrix). In training mode every forward(x) applies one
// step under NoGradGuard; the kernels are a registered buffer and the output carries no gradient.

#include <engram/layers/hebbian/soft_hebb_rule.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <ostream>

namespace engram::layers {

/// Options for the SoftHebbConv2d module.
///
/// Example:
/// ```
/// SoftHebbConv2d conv(SoftHebbConv2dOptions(1, 96, 5).padding(2).temperature(1.0));
/// ```
struct SoftHebbConv2dOptions {
  SoftHebbConv2dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}

  /// Input channels C (> 0).
  TORCH_ARG(int64_t, in_channels);
  /// Competing output channels (>= 2).
  TORCH_ARG(int64_t, out_channels);
  /// Square kernel size k (>= 1).
  TORCH_ARG(int64_t, kernel_size);
  /// Stride (>= 1).
  TORCH_ARG(int64_t, stride) = 1;
  /// Zero padding on each side (>= 0).
  TORCH_ARG(int64_t, padding) = 0;
  /// Softmax temperature τ of the competition over channels (finite, > 0).
  TORCH_ARG(double, temperature) = 1.0;
  /// η (finite, >= 0): the base learning rate (0 freezes the kernels).
  TORCH_ARG(double, learning_rate) = 0.08;
  /// Scale each kernel's rate by |‖w_k‖ - 1|^learning_rate_power (the paper's adaptive rate).
  TORCH_ARG(bool, adaptive_learning_rate) = true;
  /// The exponent of the adaptive rate (in (0, 4]; the paper uses 0.5).
  TORCH_ARG(double, learning_rate_power) = 0.5;
  /// Losers of the competition get the anti-Hebbian update -y (the 2023 rule).
  TORCH_ARG(bool, anti_hebbian) = true;
  /// Divide each update by its largest magnitude (as the paper's code does).
  TORCH_ARG(bool, normalize_update) = true;
  /// Norm of every kernel at reset (finite, > 0; != 1 for the adaptive rate to act).
  TORCH_ARG(double, init_radius) = 10.0;
  /// The output nonlinearity (over channels, at each position).
  TORCH_ARG(SoftHebbActivation, activation) = SoftHebbActivation::kTriangle;
  /// The triangle's exponent (in (0, 4]; the paper uses 0.7 in its first layer).
  TORCH_ARG(double, triangle_power) = 1.0;
};

/// A convolution that learns by SoftHebb inside forward() in training mode.
/// See SoftHebbConv2dOptions for the constructor arguments.
///
/// Example:
/// ```
/// SoftHebbConv2d conv(SoftHebbConv2dOptions(1, 32, 5).padding(2));
/// conv->train();
/// auto maps = conv->forward(torch::rand({8, 1, 28, 28}));  // [8, 32, 28, 28], one step
/// ```
class SoftHebbConv2dImpl : public torch::nn::Cloneable<SoftHebbConv2dImpl> {
public:
  explicit SoftHebbConv2dImpl(const SoftHebbConv2dOptions& options);

  /// Checks the options, registers the buffers and calls reset_parameters().
  void reset() override;
  /// Gaussian kernels of norm init_radius; zeroes the step counter.
  void reset_parameters();

  /// x: [B, C, H, W] -> [B, out_channels, H', W'], without gradient. In training mode, first one
  /// SoftHebb step on x (the output is computed with the kernels before it).
  torch::Tensor forward(const torch::Tensor& x);
  /// The convolution's pre-activations [B, out_channels, H', W'].
  torch::Tensor preactivation(const torch::Tensor& x) const;
  /// One SoftHebb step on the images x [B, C, H, W] (training mode or not).
  void learn(const torch::Tensor& x);

  int64_t steps() const { return step.item<int64_t>(); }
  /// Prints the options, e.g. `engram::SoftHebbConv2d(1, 32, kernel_size=5, ...)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  SoftHebbConv2dOptions options;
  torch::Tensor weight; ///< [out_channels, in_channels, k, k], a buffer
  torch::Tensor step;   ///< int64 scalar: SoftHebb steps so far

private:
  void check_input(const torch::Tensor& x, const char* where) const;
  void apply_rule(const torch::Tensor& x, const torch::Tensor& u);
};

/// A ModuleHolder subclass for SoftHebbConv2dImpl; see its documentation and
/// torch::nn::ModuleHolder for module storage semantics.
TORCH_MODULE(SoftHebbConv2d);

} // namespace engram::layers
