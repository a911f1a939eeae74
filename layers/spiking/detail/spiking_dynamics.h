#pragma once
// The one-step update shared by LifRecurrent and AlifRecurrent (Bellec et al. 2020, Methods):
//   v^t = alpha v^{t-1} + W_in x^t + W_rec z^{t-1} - v_th z^{t-1}       (reset by subtraction)
//   a^t = rho a^{t-1} + z^{t-1},   A^t = v_th + beta a^t                (ALIF; beta = 0 for LIF)
//   z^t = H((v^t - A^t) / v_th), 0 while refractory
// with the surrogate gradient of surrogate_spike.h. Internal to the layers and e-prop.

#include <engram/layers/spiking/spiking_state.h>

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace engram::layers::spiking::detail {

struct SpikingDynamics {
  double alpha = 0; // membrane decay exp(-dt / tau_mem)
  double rho = 0;   // adaptation decay exp(-dt / tau_adaptation) (ALIF)
  double beta = 0;  // adaptation strength (0: LIF)
  double v_th = 1;  // baseline threshold
  double gamma = 0.3;
  int64_t refractory_steps = 0;
  bool detach_reset = true;
  bool truncate_recurrent_gradient = false;
};

SpikingState zero_spiking_state(int64_t batch, int64_t hidden, const at::Tensor& like);
void check_spiking_state(const std::string& layer, const SpikingState& s, int64_t batch,
                         int64_t hidden);
// x: [T, B, input_size] with w_in's dtype and device.
void check_sequence_input(const std::string& layer, const at::Tensor& x, int64_t input_size,
                          const at::Tensor& w_in);

// One step: the state at t from x^t [B, I] and the state at t - 1.
SpikingState spiking_step(const at::Tensor& x_t, const SpikingState& s, const at::Tensor& w_in,
                          const at::Tensor& w_rec, const SpikingDynamics& d);
// psi^t = dz^t/dv^t (zero while refractory) for the state after a step.
at::Tensor spiking_pseudo_derivative(const SpikingState& s, const SpikingDynamics& d);
// All steps of x [T, B, I] from `s`.
SpikingOutput run_spiking(const at::Tensor& x, SpikingState s, const at::Tensor& w_in,
                          const at::Tensor& w_rec, const SpikingDynamics& d);

} // namespace engram::layers::spiking::detail
