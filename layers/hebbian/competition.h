#pragma once
// Competition between output units: the post-synaptic signal g [B, O] the winner-take-all rules
// feed to rules::competitive, computed from the pre-activations u [B, O].

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace engram::layers::competition {

// SoftHebb (Journe et al. 2023): s = softmax(u / temperature); the winner (argmax) keeps +s, every
// other unit gets -anti_hebbian * s, which pushes losers away from the input.
at::Tensor soft_wta(const at::Tensor& u, double temperature, double anti_hebbian);

// Krotov & Hopfield (2019): the unit with the largest u gets +1, the unit ranked `rank` (2 = the
// runner-up) gets -delta, all others 0.
at::Tensor hard_wta(const at::Tensor& u, int64_t rank, double delta);

} // namespace engram::layers::competition
