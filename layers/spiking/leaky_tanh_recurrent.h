#pragma once
// LeakyTanhRecurrent: a recurrent layer of leaky rate units, the non-spiking counterpart of
// LifRecurrent that e-prop also trains (Bellec et al. 2020 derive e-prop for any recurrent network
// whose units have a local hidden state):
//   c^t = alpha c^{t-1} + W_in x^t + W_rec z^{t-1},   alpha = exp(-dt / tau)
//   z^t = tanh(c^t)
// The leaky state c plays the role of the membrane potential, tanh that of the spike.

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/common.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <ostream>

namespace engram::layers::spiking {

/// Options for the LeakyTanhRecurrent module.
///
/// Example:
/// ```
/// LeakyTanhRecurrent rnn(LeakyTanhRecurrentOptions(8, 32).tau(5));
/// ```
struct LeakyTanhRecurrentOptions {
  LeakyTanhRecurrentOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}

  /// The number of input channels of x^t (> 0).
  TORCH_ARG(int64_t, input_size);
  /// The number of units N (> 0).
  TORCH_ARG(int64_t, hidden_size);
  /// The time step dt, in ms (> 0).
  TORCH_ARG(double, dt) = 1.0;
  /// The time constant tau of the leaky state, in ms (> 0); the decay per step is
  /// alpha = exp(-dt / tau).
  TORCH_ARG(double, tau) = 5.0;
  /// No gradient through the recurrent input W_rec z^{t-1} into later steps (false: full BPTT;
  /// true: the truncation whose gradient e-prop computes exactly).
  TORCH_ARG(bool, truncate_recurrent_gradient) = false;
};

/// The state of B sequences after step t.
struct LeakyTanhState {
  torch::Tensor z; ///< [B, N] outputs z^t = tanh(c^t)
  torch::Tensor c; ///< [B, N] leaky states c^t
};

/// The output of LeakyTanhRecurrent::forward.
struct LeakyTanhOutput {
  torch::Tensor outputs; ///< [T, B, N]: z^1 .. z^T
  LeakyTanhState state;  ///< after the last step
};

/// A recurrent layer of N leaky tanh units. See LeakyTanhRecurrentOptions.
///
/// Example:
/// ```
/// LeakyTanhRecurrent rnn(LeakyTanhRecurrentOptions(8, 32));
/// auto out = rnn->forward(torch::randn({50, 4, 8})); // out.outputs: [50, 4, 32]
/// ```
class LeakyTanhRecurrentImpl : public torch::nn::Cloneable<LeakyTanhRecurrentImpl> {
public:
  LeakyTanhRecurrentImpl(int64_t input_size, int64_t hidden_size)
      : LeakyTanhRecurrentImpl(LeakyTanhRecurrentOptions(input_size, hidden_size)) {}
  explicit LeakyTanhRecurrentImpl(const LeakyTanhRecurrentOptions& options);

  /// Checks the options, registers the parameters and calls reset_parameters().
  void reset() override;
  /// Draws W_in ~ N(0, 1 / input_size) and W_rec ~ N(0, 1 / hidden_size).
  void reset_parameters();

  /// Zero state for `batch_size` sequences, on the layer's device and dtype.
  LeakyTanhState initial_state(int64_t batch_size) const;
  /// One step: the state at t from x^t [B, input_size] and the state at t - 1.
  LeakyTanhState step(const torch::Tensor& x_t, const LeakyTanhState& state) const;
  /// dz^t/dc^t = 1 - (z^t)^2 [B, N] of the state after a step.
  torch::Tensor pseudo_derivative(const LeakyTanhState& state) const;
  /// The decay per step, alpha = exp(-dt / tau).
  double alpha() const;

  /// x: [T, B, input_size]; state: from initial_state or a previous call (zeros when omitted).
  LeakyTanhOutput forward(const torch::Tensor& x, const std::optional<LeakyTanhState>& state = {});

  /// Prints the options, e.g. `engram::LeakyTanhRecurrent(input_size=8, hidden_size=32, ...)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  LeakyTanhRecurrentOptions options;
  torch::Tensor w_in;  ///< [N, input_size]
  torch::Tensor w_rec; ///< [N, N], [post, pre]

protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(std::optional<LeakyTanhState>())})

private:
  void check_options() const;
  void check_state(const std::string& where, const LeakyTanhState& s, int64_t batch) const;
};

/// A ModuleHolder subclass for LeakyTanhRecurrentImpl; see its documentation and
/// torch::nn::ModuleHolder for module storage semantics.
TORCH_MODULE(LeakyTanhRecurrent);

} // namespace engram::layers::spiking
