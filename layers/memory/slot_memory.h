#pragma once
// Slot working memory: K discrete item slots instead of one distributed cell state, after the
// slot models of visual working memory (Luck & Vogel 1997) and their neural-network form
// (Santoro et al. 2018). At every step, from z = [x_t, r_{t-1}]:
//   write gate  g = sigmoid(w_g . z)               whether to store anything now
//   slot choice a = softmax(W_a z)                 which slot to overwrite (learned)
//   content     c = tanh(W_c z)
//   update      M_k <- M_k + g a_k (c - M_k)       the chosen slot is overwritten, others kept
//   read        r_t = softmax(M q / sqrt(D)) M,  q = W_q z   attention over slots
// The output at each step is r_t. A closed gate protects every item; an open gate with a
// one-hot choice replaces exactly one.
#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/common.h>
#include <torch/nn/modules/container/any_value.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <optional>

namespace engram::layers::memory {

struct SlotWorkingMemoryOptions {
  SlotWorkingMemoryOptions(int64_t input_size, int64_t slots, int64_t slot_size)
      : input_size_(input_size), slots_(slots), slot_size_(slot_size) {}
  /// Number of input features I.
  TORCH_ARG(int64_t, input_size);
  /// Number of slots K.
  TORCH_ARG(int64_t, slots);
  /// Size D of each slot.
  TORCH_ARG(int64_t, slot_size);
  /// Inputs and outputs as [B, T, ...].
  TORCH_ARG(bool, batch_first) = false;
  /// Initial bias of the write gate; negative keeps the memory closed until learning opens it.
  TORCH_ARG(double, write_gate_bias) = 0.0;
};

struct SlotMemoryOutput {
  at::Tensor output;       // [T, B, D] read at every step ([B, T, D] when batch_first)
  at::Tensor memory;       // [B, K, D] final slots
  at::Tensor write_gate;   // [T, B] g
  at::Tensor slot_weights; // [T, B, K] a
};

/// A working memory of K item slots that takes its memory [B, K, D] in and returns it
/// (SlotMemoryOutput::memory), as a recurrent layer does its state.
///
/// Example:
/// ```
/// SlotWorkingMemory memory(SlotWorkingMemoryOptions(/*input_size=*/6, /*slots=*/4,
///                                                   /*slot_size=*/8).write_gate_bias(-1.0));
/// SlotMemoryOutput first = memory(torch::randn({5, 2, 6}));        // output [5, 2, 8]
/// SlotMemoryOutput next = memory(torch::randn({5, 2, 6}), first.memory); // continues
/// ```
class SlotWorkingMemoryImpl : public torch::nn::Cloneable<SlotWorkingMemoryImpl> {
public:
  SlotWorkingMemoryImpl(int64_t input_size, int64_t slots, int64_t slot_size)
      : SlotWorkingMemoryImpl(SlotWorkingMemoryOptions(input_size, slots, slot_size)) {}
  explicit SlotWorkingMemoryImpl(SlotWorkingMemoryOptions options_);

  /// Registers the four linear maps (each initialised as torch::nn::Linear) and the initial
  /// slots, then calls reset_parameters().
  void reset() override;
  /// Draws the initial slots ~ N(0, 0.1^2) and sets the write-gate bias to write_gate_bias.
  /// The linear maps keep their own initialisation (reset_parameters() on each re-draws it).
  void reset_parameters();

  /// input [T, B, I]; memory [B, K, D] (default: the learned initial slots).
  SlotMemoryOutput forward(const at::Tensor& input,
                           const std::optional<at::Tensor>& memory = std::nullopt);

protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(std::optional<at::Tensor>())})

public:
  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  SlotWorkingMemoryOptions options;

  /// Write gate g (z -> 1), slot choice a (z -> K), content c (z -> D) and read query q (z -> D).
  torch::nn::Linear write_gate{nullptr}, slot_selector{nullptr}, content{nullptr}, query{nullptr};
  /// The slots an episode starts from [K, D] (learned).
  at::Tensor initial_memory;
};

/// A `ModuleHolder` subclass for `SlotWorkingMemoryImpl`.
TORCH_MODULE(SlotWorkingMemory);

} // namespace engram::layers::memory
