#pragma once
// Pattern completion (Miconi et al. 2018, "Differentiable plasticity", section 4.2): an episode
// shows a few random +-1 patterns in sequence, then one of them with half its bits zeroed; the
// network must output the full pattern. New patterns every episode, so the patterns themselves
// cannot be learned into fixed weights: only fast, within-episode memory solves it.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace engram::tasks {

struct PatternCompletionOptions {
  int64_t patterns = 5;
  int64_t bits = 1000;
  int64_t cycles = 2;      // presentations of the whole sequence
  int64_t show_steps = 6;  // steps each pattern is shown
  int64_t gap_steps = 4;   // zero-input steps after each pattern
  int64_t probe_steps = 6; // steps the degraded probe is shown (the answer is read at the last)
  // Inputs are multiplied by this gain so that a shown bit saturates its neuron (tanh(20) = 1):
  // the network state is then the pattern itself and the Hebbian trace stores it exactly.
  double input_gain = 20.0;
};

struct PatternCompletionBatch {
  at::Tensor inputs;  // [T, B, bits]
  at::Tensor targets; // [B, bits]: the probed pattern, complete
  at::Tensor erased;  // [B, bits], bool: the bits zeroed in the probe
};

// Steps of one episode: cycles * patterns * (show + gap) + probe.
int64_t episode_length(const PatternCompletionOptions& options);

// A batch of independent episodes, drawn from the global generator (torch::manual_seed). As in
// the paper, every pattern has exactly half of its bits +1, each cycle shows the patterns in a
// new random order, and the probe keeps exactly half of its bits.
PatternCompletionBatch make_pattern_completion_batch(const PatternCompletionOptions& options,
                                                     int64_t batch_size);

// Fraction of erased bits whose sign in `outputs` [B, bits] differs from the target.
double erased_bit_error(const at::Tensor& outputs, const PatternCompletionBatch& batch);

} // namespace engram::tasks
