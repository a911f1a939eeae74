#pragma once
// PlasticLinear: a feed-forward layer with a fast Hebbian trace (Miconi et al. 2018),
//   y_j = f(Σ_i x_i (W[j, i] + alpha[j, i] · H[i, j]) + b_j)    (W, alpha [out, in]; H [in, out])
// then H <- rule(H, pre = x, post = y) on every forward. H is per-sample episode state
// ([B, in, out], [pre, post]), started by reset_state(batch_size); gradients flow through the
// trace across forwards, so W, alpha, b and eta train by backprop through the episode.
// With modulation kSimple a neuromodulator m ([B] or [B, out]) scales each update. With
// kRetroactive the rule writes an eligibility trace E instead, and m converts it into H
// (three-factor learning, Izhikevich 2007; Backpropamine, Miconi et al. 2019):
//   E <- rule(E, pre = x, post),   then   H <- clip(H + m E)   (no m: H unchanged)
// post is y unless given (e.g. the action an actor emitted, so E marks the synapses that chose it).
//
// The episode's traces are not module state: clone(), save/load and to() carry the parameters
// and buffers, and a new episode starts with reset_state() on the layer's device.

#include <engram/core/plasticity.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/common.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <ostream>

namespace engram::layers {

using engram::Activation;
using engram::AlphaShape;
using engram::HebbianRule;
using engram::Modulation;

/// Options for the PlasticLinear module.
///
/// Example:
/// ```
/// PlasticLinear layer(PlasticLinearOptions(16, 4).rule(HebbianRule::kOja).eta(0.05));
/// ```
struct PlasticLinearOptions {
  PlasticLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}

  /// The number of input features (> 0).
  TORCH_ARG(int64_t, in_features);
  /// The number of output units (> 0).
  TORCH_ARG(int64_t, out_features);
  /// The trace rule: HebbianRule::kHebb (decaying Hebbian trace) or kOja (self-normalising).
  TORCH_ARG(HebbianRule, rule) = HebbianRule::kHebb;
  /// The activation f of the output.
  TORCH_ARG(Activation, activation) = Activation::kTanh;
  /// The shape of alpha: per connection [out, in], per output unit [out], or one scalar.
  TORCH_ARG(AlphaShape, alpha_shape) = AlphaShape::kPerConnection;
  /// Whether the layer adds a learned bias b (initialised to zero).
  TORCH_ARG(bool, bias) = true;
  /// Initial plasticity rate η in [0, 1] (the eligibility's rate with kRetroactive).
  TORCH_ARG(double, eta) = 0.1;
  /// Whether η trains by backprop (a parameter) or stays fixed (a buffer).
  TORCH_ARG(bool, learn_eta) = true;
  /// Initial value of every plasticity coefficient alpha.
  TORCH_ARG(double, alpha_init) = 0.01;
  /// Clip H to [-clip, clip] after each update; 0 disables (>= 0).
  TORCH_ARG(double, clip) = 0.0;
  /// How a neuromodulator m enters: kNone accepts no m; kSimple: m (optional) scales the rule's
  /// update of H; kRetroactive: the rule updates the eligibility E and m gates E into H.
  TORCH_ARG(Modulation, modulation) = Modulation::kNone;
};

/// A linear layer whose effective weights W + alpha ⊙ H change at every forward of an episode.
/// See PlasticLinearOptions for the constructor arguments.
///
/// Example:
/// ```
/// PlasticLinear layer(PlasticLinearOptions(16, 4).modulation(Modulation::kSimple));
/// torch::optim::Adam optimizer(layer->parameters(), 1e-3);
/// layer->reset_state(/*batch_size=*/32);           // a new episode: H = 0
/// auto x = torch::randn({32, 16});
/// auto y1 = layer->forward(x);                      // imprints H from (x, y1)
/// auto y2 = layer->forward(x, torch::ones({32}));   // reads W + alpha ⊙ H, m = 1
/// y2.pow(2).mean().backward();                      // backprop through the episode
/// optimizer.step();
/// ```
class PlasticLinearImpl : public torch::nn::Cloneable<PlasticLinearImpl> {
public:
  PlasticLinearImpl(int64_t in_features, int64_t out_features)
      : PlasticLinearImpl(PlasticLinearOptions(in_features, out_features)) {}
  explicit PlasticLinearImpl(const PlasticLinearOptions& options);

  /// Checks the options, registers the parameters, calls reset_parameters() and ends any
  /// episode.
  void reset() override;
  /// Draws W uniform in ±1/√in_features; b = 0, alpha = alpha_init, η = eta.
  void reset_parameters();

  /// Starts an episode: H = 0 (and E = 0) for `batch_size` samples, on the layer's device and
  /// dtype.
  void reset_state(int64_t batch_size);
  /// E = 0, H kept (kRetroactive): a new trial within a lifetime whose fast weights persist.
  void reset_eligibility();

  /// x: [B, in_features] with B the batch of reset_state. modulation m: [B] or [B, out_features]
  /// multiplies the rule's increment (m = 0 leaves only Hebb's decay), or with kRetroactive gates
  /// E into H. post: [B, out_features], only with kRetroactive: the postsynaptic activity paired
  /// with x in E (default y). Returns y [B, out_features].
  torch::Tensor forward(const torch::Tensor& x, const std::optional<torch::Tensor>& modulation = {},
                        const std::optional<torch::Tensor>& post = {});

  /// y for x under the current W + alpha ⊙ H, without any plasticity (H and E unchanged).
  torch::Tensor respond(const torch::Tensor& x) const;

  /// H [B, in, out] ([pre, post]) of the current episode; undefined before reset_state().
  const torch::Tensor& trace() const { return trace_; }
  /// E [B, in, out] of the current episode (kRetroactive); undefined otherwise.
  const torch::Tensor& eligibility() const { return eligibility_; }

  /// Prints the options, e.g. `engram::PlasticLinear(in_features=16, out_features=4, ...)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  PlasticLinearOptions options;
  torch::Tensor weight; ///< [out, in] (LibTorch's layout): weight[j, i] is output j ← input i
  torch::Tensor bias;   ///< [out] or undefined
  torch::Tensor alpha;  ///< [out, in] (as weight), [out] or []
  torch::Tensor eta;    ///< []

protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(std::optional<torch::Tensor>())},
                           {2, torch::nn::AnyValue(std::optional<torch::Tensor>())})

private:
  void check_options() const;
  void check_input(const torch::Tensor& x, const char* fn) const;
  torch::Tensor trace_;       // [B, in, out]
  torch::Tensor eligibility_; // [B, in, out] with kRetroactive, else undefined
};

/// A ModuleHolder subclass for PlasticLinearImpl; see its documentation and
/// torch::nn::ModuleHolder for module storage semantics.
TORCH_MODULE(PlasticLinear);

} // namespace engram::layers
