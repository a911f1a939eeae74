#pragma once
// One layer of gated working memory (LSTM cell: input, forget, cell and output gates, in that
// order, as in torch::nn::LSTM) run over a whole sequence.
//
// Two implementations with the same maths:
//   - gated_memory_layer_reference: per-step ATen ops recorded by autograd (any device, any order
//     of differentiation);
//   - the fused CPU path: one autograd node for the whole sequence. The input projection of all
//     steps is one matmul, each step does one addmm for the four gates, activations are stored in
//     place, and the backward pass runs back-propagation through time by hand, so the graph has
//     one node instead of ~10 per step. First-order gradients only.
#include <ATen/ATen.h>

#include <tuple>

namespace engram::layers::memory {

struct GatedMemoryLayerOutput {
  at::Tensor output; // [T, B, H] hidden state after every step
  at::Tensor h_n;    // [B, H] final hidden state
  at::Tensor c_n;    // [B, H] final cell state
};

/// x [T, B, I], h0/c0 [B, H], w_ih [4H, I], w_hh [4H, H], bias [4H] (undefined: none),
/// peephole [3, H] (undefined: none; rows are the cell-to-input, cell-to-forget and
/// cell-to-output weights). Uses the fused kernel when `fused` and every tensor is on the CPU.
GatedMemoryLayerOutput gated_memory_layer(const at::Tensor& x, const at::Tensor& h0,
                                          const at::Tensor& c0, const at::Tensor& w_ih,
                                          const at::Tensor& w_hh, const at::Tensor& bias,
                                          const at::Tensor& peephole, bool fused = true);

/// The pure-ATen definition the fused kernel is tested against.
GatedMemoryLayerOutput gated_memory_layer_reference(const at::Tensor& x, const at::Tensor& h0,
                                                    const at::Tensor& c0, const at::Tensor& w_ih,
                                                    const at::Tensor& w_hh, const at::Tensor& bias,
                                                    const at::Tensor& peephole);

} // namespace engram::layers::memory
