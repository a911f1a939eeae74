#pragma once
// The Rescorla-Wagner model of Pavlovian conditioning (Rescorla & Wagner 1972). Each conditioned
// stimulus (CS) i has an associative strength V_i; on a trial with the cues x (1 present, 0
// absent; a compound is several cues at once) and the unconditioned stimulus (US) of magnitude us,
// every present cue learns from the error of the summed prediction:
//   dV_i = alpha_i * beta * (lambda * us - sum_j V_j x_j) * x_i.
// The summed error is what produces blocking, overshadowing and conditioned inhibition. What the
// rule cannot produce, because V is its only state and absent cues never change: latent
// inhibition (pre-exposure to a CS alone leaves V = 0 and later acquisition unchanged), savings or
// spontaneous recovery after extinction (extinction is unlearning, and the model has no time),
// renewal of an extinguished response in the acquisition context, second-order conditioning (a
// CS paired with a trained CS and no US becomes an inhibitor instead), and the resistance of a
// conditioned inhibitor to extinction (the rule predicts that X- trials erase it; in animals they
// do not, Zimmer-Hart & Rescorla 1974).
#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace engram::models::circuits {

struct RescorlaWagnerOptions {
  explicit RescorlaWagnerOptions(int64_t num_cues) : num_cues_(num_cues) {}
  /// Number of conditioned stimuli (cues), >= 1.
  TORCH_ARG(int64_t, num_cues);
  /// Learning rate of the US, beta, in (0, 1].
  TORCH_ARG(double, beta) = 0.2;
  /// Asymptote of associative strength that a US of magnitude 1 supports, lambda > 0.
  TORCH_ARG(double, lambda) = 1.0;
  /// Salience alpha_i of each cue, each in (0, 1]; empty gives every cue 1.
  TORCH_ARG(std::vector<double>, salience) = {};
};

/// Rescorla-Wagner associative strengths, one per cue, held in the buffer "strength" (float64).
///
/// Example:
/// ```
/// RescorlaWagner rw(RescorlaWagnerOptions(2).beta(0.3));
/// for (int k = 0; k < 20; ++k)
///   rw->trial(torch::tensor({1.0, 0.0}), /*us=*/1.0); // A+
/// double v = rw->predict(torch::tensor({1.0, 0.0})).item<double>(); // near lambda
/// ```
class RescorlaWagnerImpl : public torch::nn::Cloneable<RescorlaWagnerImpl> {
public:
  explicit RescorlaWagnerImpl(int64_t num_cues)
      : RescorlaWagnerImpl(RescorlaWagnerOptions(num_cues)) {}
  explicit RescorlaWagnerImpl(RescorlaWagnerOptions options_);

  /// Registers the "strength" and "salience" buffers, then calls reset_parameters().
  void reset() override;
  /// Every associative strength back to 0.
  void reset_parameters();

  /// Summed prediction sum_j V_j x_j of cues [num_cues] (a scalar) or [B, num_cues] ([B]).
  at::Tensor predict(const at::Tensor& cues) const;
  /// predict(cues).
  at::Tensor forward(const at::Tensor& cues) { return predict(cues); }
  /// One trial of cues [num_cues] in [0, 1] followed by a US of magnitude `us` (>= 0, 0 for a
  /// non-reinforced trial); returns the prediction error lambda * us - sum_j V_j x_j.
  double trial(const at::Tensor& cues, double us);

  /// V [num_cues].
  const at::Tensor& strength() const { return strength_; }
  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  RescorlaWagnerOptions options;

private:
  at::Tensor strength_, salience_;
};

/// A `ModuleHolder` subclass for `RescorlaWagnerImpl`.
TORCH_MODULE(RescorlaWagner);

} // namespace engram::models::circuits
