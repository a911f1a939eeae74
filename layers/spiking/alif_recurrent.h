#pragma once
// AlifRecurrent: a recurrent layer of adaptive leaky integrate-and-fire neurons (ALIF; Bellec et
// al. 2020, Methods), whose threshold rises after each spike and decays back:
//   v^t = alpha v^{t-1} + W_in x^t + W_rec z^{t-1} - v_th z^{t-1},   alpha = exp(-dt / tau_mem)
//   a^t = rho a^{t-1} + z^{t-1},   A^t = v_th + beta a^t,             rho = exp(-dt / tau_a)
//   z^t = H((v^t - A^t) / v_th)   (0 during the refractory period after a spike)
// The spike's gradient is the pseudo-derivative psi = gamma max(0, 1 - |v - A| / v_th) / v_th
// (surrogate_spike.h), so the layer trains by BPTT through autograd (through a as well);
// spiking/eprop.h trains it forward in time instead. The slow threshold a is a memory on the
// time scale tau_a, which LIF neurons lack.

#include <engram/layers/spiking/spiking_state.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/common.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <ostream>

namespace engram::layers::spiking {

namespace detail {
struct SpikingDynamics; // the one-step update (internal)
} // namespace detail

/// Options for the AlifRecurrent module.
///
/// Example:
/// ```
/// AlifRecurrent alif(AlifRecurrentOptions(20, 100).tau_adaptation(200).beta(1.8));
/// ```
struct AlifRecurrentOptions {
  AlifRecurrentOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}

  /// The number of input channels of x^t (> 0).
  TORCH_ARG(int64_t, input_size);
  /// The number of neurons N (> 0).
  TORCH_ARG(int64_t, hidden_size);
  /// The simulation time step dt, in ms (> 0).
  TORCH_ARG(double, dt) = 1.0;
  /// The membrane time constant tau_m, in ms (> 0); the decay per step is alpha = exp(-dt / tau_m).
  TORCH_ARG(double, tau_mem) = 20.0;
  /// The firing threshold v_th (> 0), also subtracted from v at each spike.
  TORCH_ARG(double, threshold) = 0.6;
  /// The adaptation time constant tau_a, in ms (> 0); the decay per step is rho = exp(-dt / tau_a).
  TORCH_ARG(double, tau_adaptation) = 200.0;
  /// The adaptation strength beta (>= 0): each spike raises the threshold by beta (decaying).
  TORCH_ARG(double, beta) = 1.8;
  /// The dampening factor gamma of the pseudo-derivative (> 0; 0.3 in Bellec et al. 2020).
  TORCH_ARG(double, dampening) = 0.3;
  /// Steps after a spike during which a neuron cannot spike and its pseudo-derivative is 0 (>= 0).
  TORCH_ARG(int64_t, refractory_steps) = 0;
  /// No gradient through the reset term -v_th z^{t-1} (true, as in e-prop's derivation, so that
  /// BPTT and e-prop differentiate the same model); false differentiates it too.
  TORCH_ARG(bool, detach_reset) = true;
  /// No gradient through the recurrent input W_rec z^{t-1} into later steps (false: full BPTT;
  /// true: the truncation whose gradient e-prop computes exactly).
  TORCH_ARG(bool, truncate_recurrent_gradient) = false;
};

/// A recurrent layer of N adaptive leaky integrate-and-fire neurons with surrogate gradients.
/// See AlifRecurrentOptions for the constructor arguments.
///
/// Example:
/// ```
/// AlifRecurrent alif(AlifRecurrentOptions(20, 100));
/// auto x = (torch::rand({500, 8, 20}) < 0.05).to(torch::kFloat32); // [T, B, input_size]
/// auto out = alif->forward(x);                                      // out.spikes: [T, B, N]
/// out.spikes.mean().backward();                                    // BPTT
/// ```
class AlifRecurrentImpl : public torch::nn::Cloneable<AlifRecurrentImpl> {
public:
  AlifRecurrentImpl(int64_t input_size, int64_t hidden_size)
      : AlifRecurrentImpl(AlifRecurrentOptions(input_size, hidden_size)) {}
  explicit AlifRecurrentImpl(const AlifRecurrentOptions& options);

  /// Checks the options, registers the parameters and calls reset_parameters().
  void reset() override;
  /// Draws W_in ~ N(0, 1 / input_size) and W_rec ~ N(0, 1 / hidden_size) (Bellec et al. 2020).
  void reset_parameters();

  /// Zero state (no spikes, v = 0, a = 0) for `batch_size` sequences, on the layer's device and
  /// dtype.
  SpikingState initial_state(int64_t batch_size) const;
  /// One step: the state at t from x^t [B, input_size] and the state at t - 1.
  SpikingState step(const torch::Tensor& x_t, const SpikingState& state) const;
  /// The pseudo-derivative psi^t = dz^t/dv^t [B, N] of the state after a step.
  torch::Tensor pseudo_derivative(const SpikingState& state) const;
  /// The membrane decay per step, alpha = exp(-dt / tau_mem).
  double alpha() const;
  /// The adaptation decay per step, rho = exp(-dt / tau_adaptation).
  double rho() const;

  /// x: [T, B, input_size]; state: from initial_state or a previous call (zeros when omitted).
  SpikingOutput forward(const torch::Tensor& x, const std::optional<SpikingState>& state = {});

  /// Prints the options, e.g. `engram::AlifRecurrent(input_size=20, hidden_size=100, ...)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  AlifRecurrentOptions options;
  torch::Tensor w_in;  ///< [N, input_size]
  torch::Tensor w_rec; ///< [N, N], [post, pre]

protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(std::optional<SpikingState>())})

private:
  void check_options() const;
  detail::SpikingDynamics dynamics() const;
};

/// A ModuleHolder subclass for AlifRecurrentImpl; see its documentation and
/// torch::nn::ModuleHolder for module storage semantics.
TORCH_MODULE(AlifRecurrent);

} // namespace engram::layers::spiking
