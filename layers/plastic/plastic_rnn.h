#pragma once
// PlasticRNN: a recurrent layer with differentiable Hebbian plasticity (Miconi et al. 2018) and
// optional neuromodulation (Backpropamine, Miconi et al. 2019):
//   h_t = tanh(W_in x_t + b + (W + alpha ⊙ H_{t-1}ᵀ) h_{t-1})
//   H_t = rule(H_{t-1}, pre = h_{t-1}, post = h_t)   (rules and modulation: ops/plastic_rnn.h)
// Runs on the fused op engram::ops::plastic_rnn (CPU and CUDA), whose backward recomputes the
// traces from checkpoints. W, alpha, eta, W_in, b (and the modulator head) train by BPTT; H is
// per-sample state of the episode, taken in and returned with h (and E) like torch::nn::LSTM's
// state, so an episode continues across calls.

#include <engram/core/plasticity.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/common.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <ostream>

namespace engram::layers {

using engram::Activation;
using engram::AlphaShape;
using engram::HebbianRule;
using engram::Modulation;

/// Options for the PlasticRNN module.
///
/// Example:
/// ```
/// PlasticRNN rnn(PlasticRNNOptions(8,
/// 64).rule(HebbianRule::kOja).modulation(Modulation::kSimple));
/// ```
struct PlasticRNNOptions {
  PlasticRNNOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}

  /// The number of features of the input x_t (> 0).
  TORCH_ARG(int64_t, input_size);
  /// The number of recurrent units N (> 0).
  TORCH_ARG(int64_t, hidden_size);
  /// The trace rule: HebbianRule::kHebb (decaying Hebbian trace) or kOja (self-normalising).
  TORCH_ARG(HebbianRule, rule) = HebbianRule::kHebb;
  /// How a neuromodulator m_t enters the trace. With kSimple or kRetroactive m_t comes from the
  /// learned head tanh(w_mod · h_t + b_mod), or is given to forward().
  TORCH_ARG(Modulation, modulation) = Modulation::kNone;
  /// The shape of alpha: per connection [N, N], per postsynaptic neuron [N], or one scalar.
  TORCH_ARG(AlphaShape, alpha_shape) = AlphaShape::kPerConnection;
  /// Initial plasticity rate η in [0, 1]; a parameter when learn_eta, a buffer otherwise.
  TORCH_ARG(double, eta) = 0.01;
  /// Whether η trains by backprop.
  TORCH_ARG(bool, learn_eta) = true;
  /// Initial value of every plasticity coefficient alpha.
  TORCH_ARG(double, alpha_init) = 0.01;
  /// Clip H (and the modulated update) to [-clip, clip]; 0 disables clipping (>= 0).
  TORCH_ARG(double, clip) = 0.0;
  /// Steps between the traces the fused op keeps for its backward pass (>= 0); 0 picks
  /// ops::default_plastic_rnn_chunk(T), about T^{3/4}.
  TORCH_ARG(int64_t, chunk_size) = 0;
  /// Run the fused op engram::ops::plastic_rnn (memory O(T/chunk · B · N²)); false runs its
  /// unrolled ATen reference, every step kept by autograd (for comparison and debugging).
  TORCH_ARG(bool, fused) = true;
};

/// The state an episode carries between calls.
struct PlasticRNNState {
  torch::Tensor h;           ///< [B, N]
  torch::Tensor trace;       ///< H [B, N, N], [pre, post]
  torch::Tensor eligibility; ///< E [B, N, N] (retroactive modulation; zeros otherwise)
};

/// The output of PlasticRNN::forward.
struct PlasticRNNOutput {
  torch::Tensor outputs; ///< [T, B, N]: h_1 .. h_T
  PlasticRNNState state; ///< after the last step
};

/// A recurrent layer with a fast Hebbian trace H and learned plasticity coefficients alpha.
/// See PlasticRNNOptions for the constructor arguments.
///
/// Example:
/// ```
/// PlasticRNN rnn(PlasticRNNOptions(8, 64).modulation(Modulation::kRetroactive));
/// auto x = torch::randn({100, 32, 8});          // [T, B, input_size]
/// auto first = rnn->forward(x);                  // state starts at zero
/// auto next = rnn->forward(x, first.state);      // the episode continues
/// next.outputs.pow(2).mean().backward();         // BPTT through both calls
/// ```
class PlasticRNNImpl : public torch::nn::Cloneable<PlasticRNNImpl> {
public:
  PlasticRNNImpl(int64_t input_size, int64_t hidden_size)
      : PlasticRNNImpl(PlasticRNNOptions(input_size, hidden_size)) {}
  explicit PlasticRNNImpl(const PlasticRNNOptions& options);

  /// Checks the options, registers the parameters and calls reset_parameters().
  void reset() override;
  /// Draws the initial weights: W_in and W uniform in ±1/√fan_in, b = 0, alpha = alpha_init,
  /// η = eta, the modulator head uniform in ±1/√N.
  void reset_parameters();

  /// Zero state for a new episode of `batch_size` sequences, on the layer's device and dtype.
  PlasticRNNState initial_state(int64_t batch_size) const;

  /// x: [T, B, input_size]. state: from initial_state or a previous call (zeros when omitted).
  /// modulation: [T, B], the modulator m_t given as input instead of the learned head (only with
  /// simple or retroactive modulation).
  PlasticRNNOutput forward(const torch::Tensor& x, const std::optional<PlasticRNNState>& state = {},
                           const std::optional<torch::Tensor>& modulation = {});

  /// Prints the options, e.g. `engram::PlasticRNN(input_size=8, hidden_size=64, rule=hebb, ...)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  PlasticRNNOptions options;
  torch::Tensor w_in;  ///< [N, I]
  torch::Tensor bias;  ///< [N]
  torch::Tensor w;     ///< [N, N], [out, in] (LibTorch's layout): w[j, i] is post j ← pre i
  torch::Tensor alpha; ///< [N, N] ([out, in], as w), [N] (per postsynaptic unit) or []
  torch::Tensor eta;   ///< []
  torch::Tensor w_mod; ///< [N]: modulator head m_t = tanh(h_t · w_mod + b_mod) (modulated only)
  torch::Tensor b_mod; ///< []

protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(std::optional<PlasticRNNState>())},
                           {2, torch::nn::AnyValue(std::optional<torch::Tensor>())})

private:
  void check_options() const;
  void check_state(const PlasticRNNState& state, int64_t batch) const;
};

/// A ModuleHolder subclass for PlasticRNNImpl; see its documentation and
/// torch::nn::ModuleHolder for module storage semantics.
TORCH_MODULE(PlasticRNN);

} // namespace engram::layers
