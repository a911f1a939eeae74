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
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <optional>

namespace engram::layers::memory {

struct SlotWorkingMemoryOptions {
  SlotWorkingMemoryOptions(int64_t input_size, int64_t slots, int64_t slot_size)
      : input_size_(input_size), slots_(slots), slot_size_(slot_size) {}
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

class SlotWorkingMemoryImpl : public torch::nn::Module {
public:
  SlotWorkingMemoryImpl(int64_t input_size, int64_t slots, int64_t slot_size)
      : SlotWorkingMemoryImpl(SlotWorkingMemoryOptions(input_size, slots, slot_size)) {}
  explicit SlotWorkingMemoryImpl(SlotWorkingMemoryOptions options);

  /// input [T, B, I]; memory [B, K, D] (default: the learned initial slots).
  SlotMemoryOutput forward(const at::Tensor& input,
                           const std::optional<at::Tensor>& memory = std::nullopt);

  const SlotWorkingMemoryOptions& options() const { return options_; }
  void pretty_print(std::ostream& stream) const override;

  torch::nn::Linear write_gate{nullptr}, slot_selector{nullptr}, content{nullptr}, query{nullptr};
  at::Tensor initial_memory;

private:
  SlotWorkingMemoryOptions options_;
};

TORCH_MODULE(SlotWorkingMemory);

} // namespace engram::layers::memory
