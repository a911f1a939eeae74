#pragma once
// A linear layer with slow weights W (trained by backprop like any parameter) and fast plastic
// weights H that follow a three-factor learning rule: a Hebbian coincidence of presynaptic
// activity and postsynaptic activity leaves an eligibility trace, and a broadcast neuromodulator
// m(t), here the TD error delta of a critic, decides whether and how much of it becomes a weight
// change (Izhikevich 2007; Fremaux & Gerstner 2016; Backpropamine, Miconi et al. 2019):
//   E <- trace_decay * E + post (x) pre          (accumulate)
//   H <- clip((1 - forgetting) * H + eta * m * E) (modulate)
//   y  = x (W + gain * H)^T + b
// H and E are buffers: state of the learner, saved with the module, not trained by gradients.
// This is engram's own minimal three-factor layer; the plastic-layer family (layers/plastic) is
// where the general PlasticLinear / PlasticRNN live.

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace engram::rl {

struct ThreeFactorLinearOptions {
  ThreeFactorLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(int64_t, out_features);
  TORCH_ARG(double, eta) = 0.5;         // plasticity rate of H
  TORCH_ARG(double, trace_decay) = 0.0; // eligibility decay per accumulate (0: this step only)
  TORCH_ARG(double, forgetting) = 0.0;  // decay of H per modulate
  TORCH_ARG(double, gain) = 1.0;        // weight of H in the effective weights
  TORCH_ARG(double, clip) = 5.0;        // |H| bound; 0 disables
};

class ThreeFactorLinearImpl : public torch::nn::Module {
public:
  explicit ThreeFactorLinearImpl(ThreeFactorLinearOptions options);

  // x [in] or [B, in] -> [out] or [B, out]; differentiable in W and b (H is a constant).
  at::Tensor forward(const at::Tensor& x);
  // E <- trace_decay E + post (x) pre; pre [in], post [out].
  void accumulate(const at::Tensor& pre, const at::Tensor& post);
  // H <- clip((1 - forgetting) H + eta * modulation * E).
  void modulate(double modulation);
  void reset_eligibility();
  void reset_plastic();
  void pretty_print(std::ostream& stream) const override;

  const ThreeFactorLinearOptions& options() const { return options_; }
  at::Tensor weight;      // W [out, in]
  at::Tensor bias;        // [out]
  at::Tensor plastic;     // H [out, in]
  at::Tensor eligibility; // E [out, in]

private:
  ThreeFactorLinearOptions options_;
};

TORCH_MODULE(ThreeFactorLinear);

} // namespace engram::rl
