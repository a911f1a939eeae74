#pragma once
// LifRecurrent: a recurrent layer of leaky integrate-and-fire neurons (Bellec et al. 2020,
// Methods):
//   v^t = alpha v^{t-1} + W_in x^t + W_rec z^{t-1} - v_th z^{t-1},   alpha = exp(-dt / tau_mem)
//   z^t = H((v^t - v_th) / v_th)   (0 during the refractory period after a spike)
// The spike's gradient is the pseudo-derivative psi = gamma max(0, 1 - |v - v_th| / v_th) / v_th
// (surrogate_spike.h), so the layer trains by BPTT through autograd; spiking/eprop.h trains it
// forward in time instead.

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

/// Options for the LifRecurrent module.
///
/// Example:
/// ```
/// LifRecurrent lif(LifRecurrentOptions(20, 100).tau_mem(20).threshold(0.6));
/// ```
struct LifRecurrentOptions {
  LifRecurrentOptions(int64_t input_size, int64_t hidden_size)
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

/// A recurrent layer of N leaky integrate-and-fire neurons with surrogate gradients.
/// See LifRecurrentOptions for the constructor arguments.
///
/// Example:
/// ```
/// LifRecurrent lif(LifRecurrentOptions(20, 100));
/// auto x = (torch::rand({500, 8, 20}) < 0.05).to(torch::kFloat32); // [T, B, input_size]
/// auto out = lif->forward(x);                                      // out.spikes: [T, B, N]
/// out.spikes.mean().backward();                                    // BPTT
/// ```
class LifRecurrentImpl : public torch::nn::Cloneable<LifRecurrentImpl> {
public:
  LifRecurrentImpl(int64_t input_size, int64_t hidden_size)
      : LifRecurrentImpl(LifRecurrentOptions(input_size, hidden_size)) {}
  explicit LifRecurrentImpl(const LifRecurrentOptions& options);

  /// Checks the options, registers the parameters and calls reset_parameters().
  void reset() override;
  /// Draws W_in ~ N(0, 1 / input_size) and W_rec ~ N(0, 1 / hidden_size) (Bellec et al. 2020).
  void reset_parameters();

  /// Zero state (no spikes, v = 0) for `batch_size` sequences, on the layer's device and dtype.
  SpikingState initial_state(int64_t batch_size) const;
  /// One step: the state at t from x^t [B, input_size] and the state at t - 1.
  SpikingState step(const torch::Tensor& x_t, const SpikingState& state) const;
  /// The pseudo-derivative psi^t = dz^t/dv^t [B, N] of the state after a step.
  torch::Tensor pseudo_derivative(const SpikingState& state) const;
  /// The membrane decay per step, alpha = exp(-dt / tau_mem).
  double alpha() const;

  /// x: [T, B, input_size]; state: from initial_state or a previous call (zeros when omitted).
  SpikingOutput forward(const torch::Tensor& x, const std::optional<SpikingState>& state = {});

  /// Prints the options, e.g. `engram::LifRecurrent(input_size=20, hidden_size=100, ...)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  LifRecurrentOptions options;
  torch::Tensor w_in;  ///< [N, input_size]
  torch::Tensor w_rec; ///< [N, N], [post, pre]

protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(std::optional<SpikingState>())})

private:
  void check_options() const;
  detail::SpikingDynamics dynamics() const;
};

/// A ModuleHolder subclass for LifRecurrentImpl; see its documentation and
/// torch::nn::ModuleHolder for module storage semantics.
TORCH_MODULE(LifRecurrent);

} // namespace engram::layers::spiking
