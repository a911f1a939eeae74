#pragma once
// HebbianLinear: a linear layer that learns without backpropagation. forward(x) is
// activation(x W^T + b); learn(x) applies the local rule chosen in the options to W, under
// NoGradGuard. W is a registered parameter, so the layer can also be fine-tuned by backprop.

#include <engram/layers/hebbian/hebbian_rule.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <ostream>

namespace engram::layers {

/// Options for the HebbianLinear module.
///
/// Example:
/// ```
/// HebbianLinear layer(HebbianLinearOptions(784, 400).rule(HebbianRule::kSoftWta)
///                         .weight_normalization(WeightNormalization::kUnitNorm));
/// ```
struct HebbianLinearOptions {
  HebbianLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}

  /// The number of input features (> 0).
  TORCH_ARG(int64_t, in_features);
  /// The number of output units (> 0; >= 2 for the competitive rules).
  TORCH_ARG(int64_t, out_features);
  /// The local rule learn() applies (any engram::HebbianRule; see hebbian_rule_table()).
  TORCH_ARG(HebbianRule, rule) = HebbianRule::kOja;
  /// The activation f of forward(): y = f(x Wᵀ + b).
  TORCH_ARG(Activation, activation) = Activation::kNone;
  /// A bias in forward(); the rules never change it.
  TORCH_ARG(bool, bias) = false;
  /// η_0 (finite, >= 0), scaled by the schedule.
  TORCH_ARG(double, learning_rate) = 1e-2;
  /// How η decays with the number of learn() calls.
  TORCH_ARG(LearningRateSchedule, schedule) = LearningRateSchedule::kConstant;
  /// The schedule's time constant s in learn() calls (> 0).
  TORCH_ARG(int64_t, schedule_steps) = 1000;
  /// kHebb: passive decay of W per step (dW = eta * <y x^T> - decay * W).
  TORCH_ARG(double, decay) = 0.0;
  /// kBcm: rate of the sliding threshold theta <- theta + bcm_rate * (<y^2> - theta); it must be
  /// faster than the weights' learning for the threshold to stabilise them.
  TORCH_ARG(double, bcm_rate) = 0.1;
  /// kCovariance: rate of the running means of x and y.
  TORCH_ARG(double, mean_rate) = 0.01;
  /// kSoftWta: softmax temperature (finite, > 0).
  TORCH_ARG(double, temperature) = 1.0;
  /// kSoftWta: strength (>= 0) of the anti-Hebbian update of the losers.
  TORCH_ARG(double, anti_hebbian) = 1.0;
  /// kSoftWta / kHardWta: rate of the homeostatic threshold (DeSieno's "conscience"): each unit
  /// competes with u - b, b <- b + homeostasis * (its share of wins - 1 / out_features). Units that
  /// never win lower their threshold until they do, so no unit stays dead; 0 turns it off.
  TORCH_ARG(double, homeostasis) = 0.0;
  /// kHardWta: the rank pushed away (2 = runner-up, <= out_features).
  TORCH_ARG(int64_t, wta_rank) = 2;
  /// kHardWta: the strength Δ (>= 0) with which that rank is pushed away.
  TORCH_ARG(double, wta_delta) = 0.4;
  /// kHardWta: divide each update by its largest magnitude (Krotov & Hopfield's normalisation).
  TORCH_ARG(bool, normalize_update) = true;
  /// Renormalise every row of W after each learning step (kUnitNorm) or not.
  TORCH_ARG(WeightNormalization, weight_normalization) = WeightNormalization::kNone;
};

/// A linear layer that learns by a local rule, without backpropagation.
/// See HebbianLinearOptions for the constructor arguments.
///
/// Example:
/// ```
/// HebbianLinear pca(HebbianLinearOptions(16, 4).rule(HebbianRule::kSanger).learning_rate(1e-3));
/// for (int step = 0; step < 1000; ++step) {
///   pca->learn(torch::randn({64, 16}));   // one local update of W, no autograd
/// }
/// auto components = pca->forward(torch::randn({8, 16}));  // [8, 4]
/// ```
class HebbianLinearImpl : public torch::nn::Cloneable<HebbianLinearImpl> {
public:
  HebbianLinearImpl(int64_t in_features, int64_t out_features)
      : HebbianLinearImpl(HebbianLinearOptions(in_features, out_features)) {}
  explicit HebbianLinearImpl(const HebbianLinearOptions& options);

  /// Checks the options, registers parameters and buffers, and calls reset_parameters().
  void reset() override;
  /// Small random weights, rows of norm 1 when weight_normalization is kUnitNorm; zeroes the
  /// rule state (theta, running means) and the step counter.
  void reset_parameters();

  /// x: [..., in_features] -> [..., out_features].
  torch::Tensor forward(const torch::Tensor& x);

  /// One learning step on the batch x [B, in_features] (or [in_features]); returns the outputs
  /// the rule used. Requires training mode. Not differentiable.
  torch::Tensor learn(const torch::Tensor& x);

  /// η at the current step.
  double current_learning_rate() const;
  int64_t steps() const { return step.item<int64_t>(); }

  /// Prints the options, e.g. `engram::HebbianLinear(in_features=16, out_features=4, ...)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  HebbianLinearOptions options;
  torch::Tensor weight;                ///< [out_features, in_features]
  torch::Tensor bias;                  ///< [out_features] or undefined
  torch::Tensor theta;                 ///< [out_features], BCM's sliding threshold
  torch::Tensor mean_x;                ///< [in_features], covariance rule's running mean of x
  torch::Tensor mean_y;                ///< [out_features], covariance rule's running mean of y
  torch::Tensor competition_threshold; ///< [out_features], WTA rules' homeostatic threshold b
  torch::Tensor step;                  ///< int64 scalar: learn() calls so far

private:
  void check_options() const;
  torch::Tensor preactivation(const torch::Tensor& x) const;
  torch::Tensor activate(const torch::Tensor& u) const;
};

/// A ModuleHolder subclass for HebbianLinearImpl; see its documentation and
/// torch::nn::ModuleHolder for module storage semantics.
TORCH_MODULE(HebbianLinear);

} // namespace engram::layers
