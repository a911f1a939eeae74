#pragma once
// LeakyReadout: leaky output neurons (Bellec et al. 2020, Methods), which low-pass filter the
// recurrent layer's outputs:
//   y^t = kappa y^{t-1} + W_out z^t + b,   kappa = exp(-dt / tau_out)

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/common.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <ostream>

namespace engram::layers::spiking {

/// Options for the LeakyReadout module.
///
/// Example:
/// ```
/// LeakyReadout readout(LeakyReadoutOptions(100, 2).tau_out(20));
/// ```
struct LeakyReadoutOptions {
  LeakyReadoutOptions(int64_t input_size, int64_t output_size)
      : input_size_(input_size), output_size_(output_size) {}

  /// The number of recurrent units read, N (> 0).
  TORCH_ARG(int64_t, input_size);
  /// The number of output neurons K (> 0).
  TORCH_ARG(int64_t, output_size);
  /// The time step dt, in ms (> 0).
  TORCH_ARG(double, dt) = 1.0;
  /// The output time constant tau_out, in ms (> 0); the decay per step is
  /// kappa = exp(-dt / tau_out).
  TORCH_ARG(double, tau_out) = 20.0;
};

/// K leaky output neurons reading N recurrent units. See LeakyReadoutOptions.
///
/// Example:
/// ```
/// LeakyReadout readout(LeakyReadoutOptions(100, 2));
/// auto y = readout->forward(torch::rand({50, 4, 100})); // [T, B, N] -> [T, B, K]
/// ```
class LeakyReadoutImpl : public torch::nn::Cloneable<LeakyReadoutImpl> {
public:
  LeakyReadoutImpl(int64_t input_size, int64_t output_size)
      : LeakyReadoutImpl(LeakyReadoutOptions(input_size, output_size)) {}
  explicit LeakyReadoutImpl(const LeakyReadoutOptions& options);

  /// Checks the options, registers the parameters and calls reset_parameters().
  void reset() override;
  /// Draws W_out ~ N(0, 1 / input_size); b = 0.
  void reset_parameters();

  /// One step: y^t [B, K] from z^t [B, N] and y^{t-1} [B, K].
  torch::Tensor step(const torch::Tensor& z_t, const torch::Tensor& y_prev) const;
  /// The decay per step, kappa = exp(-dt / tau_out).
  double kappa() const;

  /// z: [T, B, N]; y0: [B, K], the outputs before the first step (zeros when omitted).
  /// Returns y^1 .. y^T, [T, B, K].
  torch::Tensor forward(const torch::Tensor& z, const std::optional<torch::Tensor>& y0 = {});

  /// Prints the options, e.g. `engram::LeakyReadout(input_size=100, output_size=2, ...)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options with which this module was constructed.
  LeakyReadoutOptions options;
  torch::Tensor weight; ///< W_out [K, N]
  torch::Tensor bias;   ///< b [K]

protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(std::optional<torch::Tensor>())})

private:
  void check_options() const;
};

/// A ModuleHolder subclass for LeakyReadoutImpl; see its documentation and
/// torch::nn::ModuleHolder for module storage semantics.
TORCH_MODULE(LeakyReadout);

} // namespace engram::layers::spiking
