#pragma once
// The per-sequence state of a recurrent layer of spiking neurons (LifRecurrent, AlifRecurrent),
// carried between steps and between calls like torch::nn::LSTM's state.

#include <ATen/core/Tensor.h>

namespace engram::layers::spiking {

/// The state of B sequences of N spiking neurons after step t.
struct SpikingState {
  at::Tensor z;          ///< [B, N] spikes z^t (0 or 1)
  at::Tensor v;          ///< [B, N] membrane potentials v^t
  at::Tensor a;          ///< [B, N] threshold adaptation a^t (ALIF; zeros for LIF)
  at::Tensor refractory; ///< [B, N] steps for which each neuron is still refractory at t (>= 0)
};

/// The output of LifRecurrent::forward and AlifRecurrent::forward.
struct SpikingOutput {
  at::Tensor spikes;  ///< [T, B, N]: z^1 .. z^T
  SpikingState state; ///< after the last step
};

} // namespace engram::layers::spiking
