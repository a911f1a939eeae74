#pragma once
// PlasticLinear: a feed-forward layer with a fast Hebbian trace (Miconi et al. 2018),
//   y = f(x (W + alpha * H) + b),   then   H <- rule(H, pre = x, post = y)   on every forward.
// H is per-sample episode state ([B, in, out]), started by reset_trace(batch_size); gradients
// flow through the trace across forwards, so W, alpha, b and eta train by backprop through the
// episode. An optional neuromodulator m ([B] or [B, out]) scales each update.

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
};

class PlasticLinearImpl : public torch::nn::Cloneable<PlasticLinearImpl> {
public:
  PlasticLinearImpl(int64_t in_features, int64_t out_features)
      : PlasticLinearImpl(PlasticLinearOptions(in_features, out_features)) {}
  explicit PlasticLinearImpl(const PlasticLinearOptions& options);

  void reset() override;

  // Starts an episode: H = 0 for `batch_size` samples, on the layer's device and dtype.
  void reset_trace(int64_t batch_size);

  // x: [B, in_features] with B the batch of reset_trace. modulation m: [B] or [B, out_features]
  // multiplies the rule's increment (m = 0 leaves only Hebb's decay). Returns y [B, out_features].
  torch::Tensor forward(const torch::Tensor& x,
                        const std::optional<torch::Tensor>& modulation = {});

  const torch::Tensor& trace() const { return trace_; }

  void pretty_print(std::ostream& stream) const override;

  PlasticLinearOptions options;
  torch::Tensor weight; // [in, out]: the layout of the trace, x (W + alpha * H)
  torch::Tensor bias;   // [out] or undefined
  torch::Tensor alpha;  // [in, out], [out] or []
  torch::Tensor eta;    // []

private:
  void check_options() const;
  torch::Tensor trace_; // [B, in, out]
};

TORCH_MODULE(PlasticLinear);

} // namespace engram::layers
