#pragma once
// Gated working memory: the LSTM's forget, input and output gates around a cell state, the
// standard model of holding items over many steps (Hochreiter & Schmidhuber 1997; forget gate:
// Gers et al. 2000; peepholes: Gers & Schmidhuber 2000).
//
// Parameter names, shapes and the gate order (i, f, g, o) are those of torch::nn::LSTM, so that
// weights copy across (load_lstm_weights) and outputs match it. Each forward pass takes one of
// three paths, chosen by gated_memory_path(): the operator engram::gated_memory_layer
// (<engram/ops/gated_memory_layer.h>; fused CPU kernel, ATen's kernels on CUDA), its per-step
// ATen reference, or at::lstm (cuDNN on CUDA) for plain-LSTM configurations.
#include <engram/ops/gated_memory_layer.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/common.h>
#include <torch/nn/modules/container/any_value.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/pimpl.h>

#include <optional>
#include <string>
#include <tuple>

namespace engram::layers::memory {

struct GatedWorkingMemoryOptions {
  GatedWorkingMemoryOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  /// Number of input features I.
  TORCH_ARG(int64_t, input_size);
  /// Number of hidden units H (the size of h and of the cell state c).
  TORCH_ARG(int64_t, hidden_size);
  /// Number of stacked layers; each layer's output is the next one's input.
  TORCH_ARG(int64_t, num_layers) = 1;
  /// Learn the biases bias_ih and bias_hh.
  TORCH_ARG(bool, bias) = true;
  /// Input and output as [B, T, features] instead of [T, B, features].
  TORCH_ARG(bool, batch_first) = false;
  /// Dropout on the outputs of every layer but the last (training only).
  TORCH_ARG(double, dropout) = 0.0;
  /// Initial forget-gate bias (bias_ih's forget block; bias_hh's is zeroed). 1 keeps memories
  /// by default early in training (Jozefowicz et al. 2015). Ignored without bias.
  TORCH_ARG(double, forget_bias) = 1.0;
  /// Cell-to-gate (peephole) connections: parameters peephole_l<k> of shape [3, H].
  TORCH_ARG(bool, peephole) = false;
  /// Run engram's path through the operator engram::gated_memory_layer (one autograd node per
  /// layer and sequence, first-order gradients only). false: the per-step ATen reference
  /// (ops::reference::gated_memory_layer, differentiable to any order) wherever engram's path
  /// is taken, and backend "auto" then never picks at::lstm.
  TORCH_ARG(bool, fused) = true;
  /// Which implementation runs a forward pass; one of:
  ///  - "auto" (default): at::lstm when the module is on a CUDA device, has no peepholes and
  ///    `fused` is set (cuDNN runs the whole stack); engram's path otherwise;
  ///  - "engram": always engram's path (the operator, or the reference when !fused);
  ///  - "aten_lstm": always at::lstm with the layers' weights in LibTorch's gate order (input,
  ///    forget, cell, output), as torch::nn::LSTM; refused with peepholes, which at::lstm lacks.
  /// The choice is made by gated_memory_path(options, device).
  TORCH_ARG(std::string, backend) = "auto";
};

/// The implementation a forward pass of GatedWorkingMemory runs.
enum class GatedMemoryPath {
  kEngramOp,        ///< the operator engram::gated_memory_layer, layer by layer
  kEngramReference, ///< ops::reference::gated_memory_layer, layer by layer
  kAtenLstm,        ///< at::lstm over the whole stack (cuDNN on CUDA)
};

/// The backend names GatedWorkingMemoryOptions::backend accepts: auto, engram, aten_lstm.
const std::vector<std::string>& gated_memory_backends();

/// The path of a module with these options whose parameters are on `device` (the rules in
/// GatedWorkingMemoryOptions::backend). Throws a one-line error for an unknown backend or for
/// "aten_lstm" with peepholes.
GatedMemoryPath gated_memory_path(const GatedWorkingMemoryOptions& options,
                                  const at::Device& device);

/// (h, c), each [num_layers, B, H].
using GatedMemoryState = std::tuple<at::Tensor, at::Tensor>;

/// An LSTM-style gated working memory (optionally with peepholes) that takes its state (h, c)
/// in and returns it, as torch::nn::LSTM.
///
/// Example:
/// ```
/// GatedWorkingMemory memory(GatedWorkingMemoryOptions(/*input_size=*/8, /*hidden_size=*/16)
///                               .num_layers(2)
///                               .peephole(true));
/// auto [output, state] = memory(torch::randn({5, 3, 8})); // output [5, 3, 16]
/// auto [next, next_state] = memory(torch::randn({5, 3, 8}), state); // continues the episode
/// ```
class GatedWorkingMemoryImpl : public torch::nn::Cloneable<GatedWorkingMemoryImpl> {
public:
  GatedWorkingMemoryImpl(int64_t input_size, int64_t hidden_size)
      : GatedWorkingMemoryImpl(GatedWorkingMemoryOptions(input_size, hidden_size)) {}
  explicit GatedWorkingMemoryImpl(GatedWorkingMemoryOptions options_);

  /// Registers the weights, biases and peepholes of every layer, then calls reset_parameters().
  void reset() override;

  /// input [T, B, I] ([B, T, I] when batch_first); returns the last layer's output at every
  /// step and the final state (h_n, c_n), each [num_layers, B, H] — as torch::nn::LSTM.
  std::tuple<at::Tensor, GatedMemoryState>
  forward(const at::Tensor& input, const std::optional<GatedMemoryState>& state = std::nullopt);

protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(std::optional<GatedMemoryState>())})

public:
  /// Uniform(-1/sqrt(H), 1/sqrt(H)) as torch::nn::LSTM, then the forget-gate bias.
  void reset_parameters();

  /// Copies weights and biases from an LSTM of the same shape (peepholes are left as they are).
  void load_lstm_weights(const torch::nn::LSTM& lstm);

  void pretty_print(std::ostream& stream) const override;

  /// When the module runs at::lstm on cuDNN (gated_memory_path), lays its weights and biases out
  /// in one cuDNN weight buffer, as torch::nn::LSTM's flatten_parameters, so that at::lstm uses
  /// them in place instead of compacting them at every call; a no-op otherwise. to() calls it.
  void flatten_parameters();

  /// Overrides `nn::Module::to()` to call flatten_parameters() after the move.
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Device device, bool non_blocking = false) override;

  /// The options used to configure this module.
  GatedWorkingMemoryOptions options;

  const at::Tensor& weight_ih(int64_t layer) const { return weight_ih_.at(layer); }
  const at::Tensor& weight_hh(int64_t layer) const { return weight_hh_.at(layer); }
  const at::Tensor& bias_ih(int64_t layer) const { return bias_ih_.at(layer); }
  const at::Tensor& bias_hh(int64_t layer) const { return bias_hh_.at(layer); }
  const at::Tensor& peephole(int64_t layer) const { return peephole_.at(layer); }

private:
  /// Weights and biases in at::lstm's order: w_ih, w_hh (, b_ih, b_hh) per layer.
  std::vector<at::Tensor> lstm_parameters() const;

  std::vector<at::Tensor> weight_ih_, weight_hh_, bias_ih_, bias_hh_, peephole_;
};

/// A `ModuleHolder` subclass for `GatedWorkingMemoryImpl`.
TORCH_MODULE(GatedWorkingMemory);

} // namespace engram::layers::memory
