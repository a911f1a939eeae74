#pragma once
// e-prop (Bellec et al. 2020, "A solution to the learning dilemma for recurrent networks of
// spiking neurons"): the gradient of a loss over time for a recurrent layer and a LeakyReadout,
// computed forward in time, without backpropagation through time. Each synapse keeps an
// eligibility trace e_ji^t = dz_j^t/dW_ji through its own neuron's state only:
//   LIF, leaky tanh:  eps_i^t = alpha eps_i^{t-1} + pre_i^t,      e_ji^t = psi_j^t eps_i^t
//   ALIF:             e_ji^t = psi_j^t (eps_i^t - beta epsa_ji^t),
//                     epsa_ji^{t+1} = psi_j^t eps_i^t + (rho - psi_j^t beta) epsa_ji^t
// (pre^t = x^t for W_in, z^{t-1} for W_rec; psi is the pseudo-derivative of the spike, or tanh')
// and a learning signal L_j^t = sum_k B_jk dE/dy_k^t broadcast from the output error, with
// B = W_outᵀ (symmetric e-prop) or a fixed random matrix (random e-prop). Since the outputs are
// leaky, the traces are low-pass filtered by kappa before meeting L:
//   dE/dW_ji ~= sum_t L_j^t ebar_ji^t,   ebar^t = kappa ebar^{t-1} + e^t.
// The readout's own gradient is exact. The approximation is only that a spike's effect on later
// steps through W_rec is left out: without recurrent weights (or with
// truncate_recurrent_gradient) e-prop's gradient equals BPTT's. Memory is O(B N (I + N)),
// independent of the sequence length.

#include <engram/layers/spiking/alif_recurrent.h>
#include <engram/layers/spiking/leaky_readout.h>
#include <engram/layers/spiking/leaky_tanh_recurrent.h>
#include <engram/layers/spiking/lif_recurrent.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace engram::layers::spiking {

/// Where e-prop's learning signal comes from.
enum class EpropFeedback {
  kSymmetric, ///< B = W_outᵀ, the readout's current weights
  kRandom,    ///< a fixed random B, drawn once (a registered buffer)
};

/// "symmetric" or "random".
std::string to_string(EpropFeedback feedback);
/// Parses "symmetric" or "random"; anything else throws naming `what` and the value.
EpropFeedback parse_eprop_feedback(const std::string& text, const std::string& what = "feedback");

/// The loss E = sum_t E^t(y^t) of a sequence, one step at a time: E^t as a scalar tensor from the
/// outputs y^t [B, K] at step t (0-based), or an undefined tensor where step t has no loss.
using StepLoss = std::function<torch::Tensor(int64_t t, const torch::Tensor& y_t)>;

/// Options for the Eprop module.
///
/// Example:
/// ```
/// Eprop eprop(EpropOptions(100, 2).feedback(EpropFeedback::kRandom));
/// ```
struct EpropOptions {
  EpropOptions(int64_t hidden_size, int64_t output_size)
      : hidden_size_(hidden_size), output_size_(output_size) {}

  /// The number of recurrent units N of the layer trained (> 0).
  TORCH_ARG(int64_t, hidden_size);
  /// The number of outputs K of its readout (> 0).
  TORCH_ARG(int64_t, output_size);
  /// Symmetric (B = W_outᵀ) or random (fixed B ~ N(0, 1 / N)) learning signals.
  TORCH_ARG(EpropFeedback, feedback) = EpropFeedback::kSymmetric;
};

/// What accumulate_gradients computed along the way.
struct EpropResult {
  torch::Tensor outputs; ///< [T, B, K] y^1 .. y^T (no autograd history)
  double loss = 0;       ///< sum_t E^t
};

/// e-prop for one recurrent layer (LifRecurrent, AlifRecurrent or LeakyTanhRecurrent) read by a
/// LeakyReadout, both starting from zero state. See EpropOptions.
///
/// Example:
/// ```
/// LifRecurrent lif(LifRecurrentOptions(20, 100));
/// LeakyReadout readout(LeakyReadoutOptions(100, 1));
/// Eprop eprop(EpropOptions(100, 1));
/// torch::optim::Adam adam(/* lif and readout parameters */);
/// adam.zero_grad();
/// eprop->accumulate_gradients(*lif, *readout, x, [&](int64_t t, const torch::Tensor& y) {
///   return 0.5 * (y - target[t]).pow(2).sum();
/// });
/// adam.step(); // the gradients are in .grad
/// ```
class EpropImpl : public torch::nn::Cloneable<EpropImpl> {
public:
  EpropImpl(int64_t hidden_size, int64_t output_size)
      : EpropImpl(EpropOptions(hidden_size, output_size)) {}
  explicit EpropImpl(const EpropOptions& options);

  /// Checks the options and registers the feedback buffer (random feedback only).
  void reset() override;
  /// Draws the random feedback matrix B [K, N] ~ N(0, 1 / N) (random feedback only).
  void reset_parameters();

  /// Runs x [T, B, input_size] through `layer` and `readout` without autograd and adds e-prop's
  /// estimate of dE/dθ to the `.grad` of every parameter of both (as backward() would).
  EpropResult accumulate_gradients(LifRecurrentImpl& layer, LeakyReadoutImpl& readout,
                                   const torch::Tensor& x, const StepLoss& loss);
  /// The same for ALIF neurons, with the adaptation's eligibility vector.
  EpropResult accumulate_gradients(AlifRecurrentImpl& layer, LeakyReadoutImpl& readout,
                                   const torch::Tensor& x, const StepLoss& loss);
  /// The same for leaky tanh units.
  EpropResult accumulate_gradients(LeakyTanhRecurrentImpl& layer, LeakyReadoutImpl& readout,
                                   const torch::Tensor& x, const StepLoss& loss);

  /// Prints the options, e.g. `engram::Eprop(hidden_size=100, output_size=2, feedback=random)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  EpropOptions options;
  /// B [K, N], the fixed random feedback (random feedback only; undefined otherwise).
  torch::Tensor feedback;

private:
  void check_options() const;
  void check_readout(const LeakyReadoutImpl& readout, int64_t hidden_size) const;
};

/// A ModuleHolder subclass for EpropImpl; see its documentation and torch::nn::ModuleHolder for
/// module storage semantics.
TORCH_MODULE(Eprop);

} // namespace engram::layers::spiking
