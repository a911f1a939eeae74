#pragma once
// PlasticLinear: a feed-forward layer with a fast Hebbian trace (Miconi et al. 2018),
//   y = f(x (W + alpha * H) + b),   then   H <- rule(H, pre = x, post = y)   on every forward.
// H is per-sample episode state ([B, in, out]), started by reset_trace(batch_size); gradients
// flow through the trace across forwards, so W, alpha, b and eta train by backprop through the
// episode. An optional neuromodulator m ([B] or [B, out]) scales each update.
// With neuromodulation kRetroactive the rule writes an eligibility trace E instead, and m converts
// it into H (three-factor learning, Izhikevich 2007; Backpropamine, Miconi et al. 2019):
//   E <- rule(E, pre = x, post),   then   H <- clip(H + m E)   (no m: H unchanged)
// post is y unless given (e.g. the action an actor emitted, so E marks the synapses that chose it).

#include <engram/layers/plastic/plasticity.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <ostream>

namespace engram::layers {

enum class PlasticActivation { kNone, kTanh, kRelu, kSigmoid };

struct PlasticLinearOptions {
  PlasticLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}

  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(int64_t, out_features);
  TORCH_ARG(PlasticityRule, rule) = PlasticityRule::kHebb;
  TORCH_ARG(PlasticActivation, activation) = PlasticActivation::kTanh;
  TORCH_ARG(AlphaShape, alpha_shape) = AlphaShape::kPerConnection;
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(double, eta) = 0.1;
  TORCH_ARG(bool, learn_eta) = true;
  TORCH_ARG(double, alpha_init) = 0.01;
  // Clip H to [-clip, clip] after each update; 0 disables.
  TORCH_ARG(double, clip) = 0.0;
  // kSimple: m (optional) scales the rule's update of H; kNone: no m accepted; kRetroactive: the
  // rule updates the eligibility E (eta its rate) and m gates E into H.
  TORCH_ARG(Neuromodulation, neuromodulation) = Neuromodulation::kSimple;
};

class PlasticLinearImpl : public torch::nn::Cloneable<PlasticLinearImpl> {
public:
  PlasticLinearImpl(int64_t in_features, int64_t out_features)
      : PlasticLinearImpl(PlasticLinearOptions(in_features, out_features)) {}
  explicit PlasticLinearImpl(const PlasticLinearOptions& options);

  void reset() override;

  // Starts an episode: H = 0 (and E = 0) for `batch_size` samples, on the layer's device and dtype.
  void reset_trace(int64_t batch_size);
  // E = 0, H kept (kRetroactive): a new trial within a lifetime whose fast weights persist.
  void reset_eligibility();

  // x: [B, in_features] with B the batch of reset_trace. modulation m: [B] or [B, out_features]
  // multiplies the rule's increment (m = 0 leaves only Hebb's decay), or with kRetroactive gates
  // E into H. post: [B, out_features], only with kRetroactive: the postsynaptic activity paired
  // with x in E (default y). Returns y [B, out_features].
  torch::Tensor forward(const torch::Tensor& x, const std::optional<torch::Tensor>& modulation = {},
                        const std::optional<torch::Tensor>& post = {});

  // y for x under the current W + alpha * H, without any plasticity (H and E unchanged).
  torch::Tensor respond(const torch::Tensor& x) const;

  const torch::Tensor& trace() const { return trace_; }
  const torch::Tensor& eligibility() const { return eligibility_; } // [B, in, out]; kRetroactive

  void pretty_print(std::ostream& stream) const override;

  PlasticLinearOptions options;
  torch::Tensor weight; // [in, out]: the layout of the trace, x (W + alpha * H)
  torch::Tensor bias;   // [out] or undefined
  torch::Tensor alpha;  // [in, out], [out] or []
  torch::Tensor eta;    // []

private:
  void check_options() const;
  void check_input(const torch::Tensor& x, const char* fn) const;
  torch::Tensor trace_;       // [B, in, out]
  torch::Tensor eligibility_; // [B, in, out] with kRetroactive, else undefined
};

TORCH_MODULE(PlasticLinear);

} // namespace engram::layers
