#pragma once
// The temporal-difference model of classical conditioning (Sutton & Barto 1990; the
// complete-serial-compound form of Montague, Dayan & Sejnowski 1996). A trial is T time steps;
// each cue i that comes on at time t0 activates one feature (i, t - t0) per step it stays on, so
// the prediction V_t = sum_i alpha_i-scaled w[i, t - t0_i] is a sum over the cues present
// (compound stimuli). Learning is TD(lambda) with accumulating traces: at the step into t,
//   delta_t = us_t + gamma V_t - V_{t-1},   w += rate * delta_t * e_{t-1},
//   e_t = gamma lambda e_{t-1} + alpha_i x_t,
// from a cue-free baseline before the trial (V = 0) to a terminal step after it (V = 0). The sum
// over present cues gives it Rescorla-Wagner's blocking, overshadowing and conditioned
// inhibition; bootstrapping from V_t gives what Rescorla-Wagner cannot: second-order conditioning
// (a cue that precedes a trained cue gains value without any US) and the timing of the prediction.
#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace engram::models::circuits {

struct TDConditioningOptions {
  TDConditioningOptions(int64_t num_cues, int64_t trial_length)
      : num_cues_(num_cues), trial_length_(trial_length) {}
  /// Number of conditioned stimuli (cues), >= 1.
  TORCH_ARG(int64_t, num_cues);
  /// Time steps T of a trial, >= 2 (a cue has one feature per step it can stay on).
  TORCH_ARG(int64_t, trial_length);
  /// Step size of the weights, in (0, 1].
  TORCH_ARG(double, learning_rate) = 0.1;
  /// Discount factor gamma, in [0, 1].
  TORCH_ARG(double, gamma) = 0.95;
  /// Trace decay lambda, in [0, 1]; 0 is TD(0).
  TORCH_ARG(double, lambda) = 0.8;
  /// Salience alpha_i of each cue, each in (0, 1]; empty gives every cue 1.
  TORCH_ARG(std::vector<double>, salience) = {};
};

/// The TD model of conditioning: weights [num_cues, trial_length] (buffer "weight", float64)
/// over a complete serial compound of each cue.
///
/// Example:
/// ```
/// TDConditioning td(TDConditioningOptions(/*num_cues=*/2, /*trial_length=*/12));
/// at::Tensor cues = torch::zeros({12, 2}, torch::kDouble);
/// cues.slice(0, 2, 8).select(1, 0).fill_(1); // cue 0 on from t = 2 to 7
/// at::Tensor us = torch::zeros({12}, torch::kDouble);
/// us[8] = 1;                                 // US at t = 8
/// for (int k = 0; k < 100; ++k)
///   td->trial(cues, us);
/// at::Tensor v = td->values(cues);          // [12]: the prediction ramps over the cue
/// ```
class TDConditioningImpl : public torch::nn::Cloneable<TDConditioningImpl> {
public:
  TDConditioningImpl(int64_t num_cues, int64_t trial_length)
      : TDConditioningImpl(TDConditioningOptions(num_cues, trial_length)) {}
  explicit TDConditioningImpl(TDConditioningOptions options_);

  /// Registers the "weight" and "salience" buffers, then calls reset_parameters().
  void reset() override;
  /// Every weight back to 0.
  void reset_parameters();

  /// The prediction V_t [T] over a trial of cues [T, num_cues] (values in [0, 1]); no learning.
  at::Tensor values(const at::Tensor& cues) const;
  /// values(cues).
  at::Tensor forward(const at::Tensor& cues) { return values(cues); }
  /// One trial: cues [T, num_cues] in [0, 1] and the US us [T] (>= 0) at each step; learns and
  /// returns the TD errors [T + 1] (delta_0 from the baseline into t = 0, ..., delta_T into the
  /// terminal step).
  at::Tensor trial(const at::Tensor& cues, const at::Tensor& us);

  /// w [num_cues, trial_length].
  const at::Tensor& weight() const { return weight_; }
  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  TDConditioningOptions options;

private:
  // The features x_t [T, num_cues, trial_length] of a trial (cue i on at t: 1 at (i, t - onset)).
  at::Tensor features(const char* fn, const at::Tensor& cues) const;

  at::Tensor weight_, salience_;
};

/// A `ModuleHolder` subclass for `TDConditioningImpl`.
TORCH_MODULE(TDConditioning);

} // namespace engram::models::circuits
