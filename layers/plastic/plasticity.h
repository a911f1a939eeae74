#pragma once
// Shared vocabulary of the differentiable-plasticity layers (Miconi et al. 2018, 2019): effective
// weights W + alpha * H where the fast Hebbian trace H changes at every step of an episode.
// Traces are laid out [batch, pre, post], weights [pre, post]: the recurrent input of post unit j
// is sum_i h_i (W_ij + alpha_ij H_ij).

#include <ATen/core/Tensor.h>

#include <string>

namespace engram::layers {

enum class PlasticityRule {
  kHebb, // H <- (1 - eta) H + eta * pre (x) post              (decaying Hebbian trace)
  kOja,  // H <- H + eta * post_j (pre_i - post_j H_ij)          (self-normalising)
};

enum class Neuromodulation {
  kNone,        // eta drives the trace
  kSimple,      // a modulator m_t (an input, or tanh of a learned read-out of h_t) replaces eta
  kRetroactive, // m_t gates an eligibility trace E into H: H <- H + m_t E; E <- (1-eta) E + eta D
};

// Shape of the plasticity coefficients alpha.
enum class AlphaShape { kPerConnection, kPerNeuron, kScalar };

std::string to_string(PlasticityRule rule);
std::string to_string(Neuromodulation modulation);
std::string to_string(AlphaShape shape);

namespace plasticity {

// The rule's update direction D [B, pre, post] for traces H [B, pre, post], pre [B, pre],
// post [B, post]: pre (x) post for Hebb, post_j (pre_i - post_j H_ij) for Oja. Differentiable.
at::Tensor rule_direction(PlasticityRule rule, const at::Tensor& trace, const at::Tensor& pre,
                          const at::Tensor& post);

// alpha broadcast against [.., pre, post]: [pre, post] as is, [post] as [1, post], scalar as is.
at::Tensor broadcast_alpha(const at::Tensor& alpha, AlphaShape shape);

} // namespace plasticity
} // namespace engram::layers
