#pragma once
// PlasticRNN: a recurrent layer with differentiable Hebbian plasticity (Miconi et al. 2018) and
// optional neuromodulation (Backpropamine, Miconi et al. 2019):
//   h_t = tanh(W_in x_t + b + h_{t-1} (W + alpha * H_{t-1}))
//   H_t = rule(H_{t-1}, pre = h_{t-1}, post = h_t)   (see plasticity.h for rules and modulation)
// Runs on the fused op engram::ops::plastic_rnn (CPU and CUDA), whose backward recomputes the
// traces from checkpoints. W, alpha, eta, W_in, b (and the modulator head) train by BPTT; H is
// per-sample state of the episode, returned with h (and E) so an episode continues across calls.

#include <engram/layers/plastic/plasticity.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <ostream>

namespace engram::layers {

struct PlasticRNNOptions {
  PlasticRNNOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}

  TORCH_ARG(int64_t, input_size);
  TORCH_ARG(int64_t, hidden_size);
  TORCH_ARG(PlasticityRule, rule) = PlasticityRule::kHebb;
  TORCH_ARG(Neuromodulation, modulation) = Neuromodulation::kNone;
  TORCH_ARG(AlphaShape, alpha_shape) = AlphaShape::kPerConnection;
  // Initial plasticity rate; a parameter when learn_eta, a buffer otherwise.
  TORCH_ARG(double, eta) = 0.01;
  TORCH_ARG(bool, learn_eta) = true;
  // Initial alpha (every coefficient).
  TORCH_ARG(double, alpha_init) = 0.01;
  // Clip H (and the modulated update) to [-clip, clip]; 0 disables clipping.
  TORCH_ARG(double, clip) = 0.0;
  // Steps between kept traces for the backward pass of the fused op (0: about sqrt(T)).
  TORCH_ARG(int64_t, chunk_size) = 0;
  // The fused op engram::ops::plastic_rnn (memory O(T/chunk * B * N^2)); false runs its unrolled
  // ATen reference, every step kept by autograd (for comparison and debugging).
  TORCH_ARG(bool, fused) = true;
};

// The state an episode carries between calls.
struct PlasticRNNState {
  torch::Tensor h;           // [B, N]
  torch::Tensor trace;       // H [B, N, N]
  torch::Tensor eligibility; // E [B, N, N] (retroactive modulation; zeros otherwise)
};

struct PlasticRNNOutput {
  torch::Tensor outputs; // [T, B, N]: h_1 .. h_T
  PlasticRNNState state; // after the last step
};

class PlasticRNNImpl : public torch::nn::Cloneable<PlasticRNNImpl> {
public:
  PlasticRNNImpl(int64_t input_size, int64_t hidden_size)
      : PlasticRNNImpl(PlasticRNNOptions(input_size, hidden_size)) {}
  explicit PlasticRNNImpl(const PlasticRNNOptions& options);

  void reset() override;

  // Zero state for a new episode of `batch_size` sequences.
  PlasticRNNState initial_state(int64_t batch_size) const;

  // x: [T, B, input_size]. state: from initial_state or a previous call (zeros when omitted).
  // modulation: [T, B], the modulator m_t given as input instead of the learned head (only with
  // simple or retroactive modulation).
  PlasticRNNOutput forward(const torch::Tensor& x, const std::optional<PlasticRNNState>& state = {},
                           const std::optional<torch::Tensor>& modulation = {});

  void pretty_print(std::ostream& stream) const override;

  PlasticRNNOptions options;
  torch::Tensor w_in;  // [N, I]
  torch::Tensor bias;  // [N]
  torch::Tensor w;     // [N pre, N post]
  torch::Tensor alpha; // [N, N], [N] or []
  torch::Tensor eta;   // []
  torch::Tensor w_mod; // [N]: modulator head m_t = tanh(h_t . w_mod + b_mod) (modulated only)
  torch::Tensor b_mod; // []

private:
  void check_options() const;
  void check_state(const PlasticRNNState& state, int64_t batch) const;
};

TORCH_MODULE(PlasticRNN);

} // namespace engram::layers
