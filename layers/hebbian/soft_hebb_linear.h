#pragma once
// SoftHebbLinear: a fully connected layer trained by the SoftHebb rule (Journe et al. 2023) with
// no feedback. In training mode every forward(x) also applies one SoftHebb step to the weights
// (soft winner-take-all competition with a temperature, anti-Hebbian losers, the norm-dependent
// adaptive learning rate; layers/hebbian/soft_hebb_rule.h), under NoGradGuard. The weights are a
// registered buffer, not a parameter: no optimiser sees them, and the output carries no gradient,
// so a readout trained by backprop on top never changes them.

#include <engram/layers/hebbian/soft_hebb_rule.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <ostream>

namespace engram::layers {

/// Options for the SoftHebbLinear module.
///
/// Example:
/// ```
/// SoftHebbLinear layer(SoftHebbLinearOptions(784, 400).temperature(1.0).learning_rate(0.05));
/// ```
struct SoftHebbLinearOptions {
  SoftHebbLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}

  /// The number of input features (> 0).
  TORCH_ARG(int64_t, in_features);
  /// The number of competing output units (>= 2).
  TORCH_ARG(int64_t, out_features);
  /// Softmax temperature τ of the competition (finite, > 0): small τ is hard winner-take-all,
  /// large τ lets every unit learn from every input.
  TORCH_ARG(double, temperature) = 1.0;
  /// η (finite, >= 0): the base learning rate (0 freezes the weights).
  TORCH_ARG(double, learning_rate) = 0.05;
  /// Scale each neuron's rate by |‖w_k‖ - 1|^learning_rate_power (the paper's adaptive rate).
  TORCH_ARG(bool, adaptive_learning_rate) = true;
  /// The exponent of the adaptive rate (in (0, 4]; the paper uses 0.5).
  TORCH_ARG(double, learning_rate_power) = 0.5;
  /// Losers of the competition get the anti-Hebbian update -y (the 2023 rule); off: plain
  /// softmax-weighted Hebbian updates.
  TORCH_ARG(bool, anti_hebbian) = true;
  /// Divide each update by its largest magnitude (as the paper's code does).
  TORCH_ARG(bool, normalize_update) = true;
  /// Norm of every weight row at reset (finite, > 0). With the adaptive rate it must differ from
  /// 1: the rate is |‖w‖ - 1|^power.
  TORCH_ARG(double, init_radius) = 10.0;
  /// The output nonlinearity.
  TORCH_ARG(SoftHebbActivation, activation) = SoftHebbActivation::kTriangle;
  /// The triangle's exponent (in (0, 4]).
  TORCH_ARG(double, triangle_power) = 1.0;
};

/// A linear layer that learns by SoftHebb inside forward() in training mode.
/// See SoftHebbLinearOptions for the constructor arguments.
///
/// Example:
/// ```
/// SoftHebbLinear features(SoftHebbLinearOptions(784, 100));
/// features->train();
/// for (const auto& batch : loader) {
///   features->forward(batch.data.flatten(1));  // one SoftHebb step per call
/// }
/// features->eval();
/// auto codes = features->forward(images);     // [B, 100], no gradient
/// ```
class SoftHebbLinearImpl : public torch::nn::Cloneable<SoftHebbLinearImpl> {
public:
  SoftHebbLinearImpl(int64_t in_features, int64_t out_features)
      : SoftHebbLinearImpl(SoftHebbLinearOptions(in_features, out_features)) {}
  explicit SoftHebbLinearImpl(const SoftHebbLinearOptions& options);

  /// Checks the options, registers the buffers and calls reset_parameters().
  void reset() override;
  /// Gaussian weight rows of norm init_radius; zeroes the step counter.
  void reset_parameters();

  /// x: [B, in_features] -> [B, out_features], without gradient. In training mode, first one
  /// SoftHebb step on x (the output is computed with the weights before it).
  torch::Tensor forward(const torch::Tensor& x);
  /// The pre-activations x w^T [B, out_features].
  torch::Tensor preactivation(const torch::Tensor& x) const;
  /// One SoftHebb step on the batch x [B, in_features] (training mode or not).
  void learn(const torch::Tensor& x);

  int64_t steps() const { return step.item<int64_t>(); }
  /// Prints the options, e.g. `engram::SoftHebbLinear(in_features=784, out_features=400, ...)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  SoftHebbLinearOptions options;
  torch::Tensor weight; ///< [out_features, in_features], a buffer
  torch::Tensor step;   ///< int64 scalar: SoftHebb steps so far

private:
  void check_input(const torch::Tensor& x, const char* where) const;
  void apply_rule(const torch::Tensor& x, const torch::Tensor& u);
};

/// A ModuleHolder subclass for SoftHebbLinearImpl; see its documentation and
/// torch::nn::ModuleHolder for module storage semantics.
TORCH_MODULE(SoftHebbLinear);

} // namespace engram::layers
