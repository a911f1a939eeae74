#pragma once
// The spike nonlinearity of LIF and ALIF neurons with the pseudo-derivative of Bellec et al. 2020
// ("A solution to the learning dilemma for recurrent networks of spiking neurons", Methods):
//   z = H(u),   u = (v - A) / v_th,   dz/du := gamma * max(0, 1 - |u|)
// so that dz/dv = psi = gamma * max(0, 1 - |v - A| / v_th) / v_th and dz/dA = -psi. The forward
// pass is the Heaviside step (a spike when v exceeds the threshold A); the backward pass uses the
// pseudo-derivative in place of the step's derivative, which is zero almost everywhere.

#include <ATen/core/Tensor.h>

namespace engram::layers::spiking {

/// H(u) (1 where u > 0, else 0) with the surrogate gradient gamma * max(0, 1 - |u|) (gamma > 0).
at::Tensor spike_with_surrogate(const at::Tensor& u, double gamma);

/// psi = gamma * max(0, 1 - |v - threshold| / v_th) / v_th: the pseudo-derivative dz/dv of a spike
/// z = H((v - threshold) / v_th). `threshold` is A (v_th for LIF, v_th + beta * a for ALIF).
at::Tensor spike_pseudo_derivative(const at::Tensor& v, const at::Tensor& threshold, double v_th,
                                   double gamma);

} // namespace engram::layers::spiking
