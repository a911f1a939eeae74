#pragma once
// gated_memory_layer: one layer of gated working memory (an LSTM layer, optionally with
// peepholes) run over a whole sequence, as the dispatcher operator engram::gated_memory_layer.
//
// Gates in LibTorch's order (input i, forget f, cell g, output o: the row blocks of w_ih, w_hh
// and bias, as in torch::nn::LSTM). Step t = 1..T, with a = w_ih x_t + w_hh h_{t-1} + bias:
//     i = σ(a_i + p_i ⊙ c_{t-1})     f = σ(a_f + p_f ⊙ c_{t-1})     g = tanh(a_g)
//     c_t = f ⊙ c_{t-1} + i ⊙ g
//     o = σ(a_o + p_o ⊙ c_t)         h_t = o ⊙ tanh(c_t)
// where p = peephole (rows p_i, p_f, p_o; all zero when absent: Gers & Schmidhuber 2000).
//
// Kernels: CPU (fused: one product for the input projections of all steps, one per step, the
// element-wise work in place), CUDA (the same algorithm on ATen's CUDA kernels), Meta (shapes
// only) and Autograd (one node per sequence, an exact first-order backward through time by
// hand). Double backward is not supported; reference::gated_memory_layer is differentiable to
// any order.
#include <ATen/ATen.h>

namespace engram::ops {

struct GatedMemoryLayerResult {
  at::Tensor output; // [T, B, H]: h_1 .. h_T
  at::Tensor h_n;    // [B, H]: h_T
  at::Tensor c_n;    // [B, H]: c_T
};

// x: [T, B, I] (T >= 1);  h0, c0: [B, H];  w_ih: [4H, I];  w_hh: [4H, H];
// bias: [4H] or undefined (none);  peephole: [3, H] or undefined (none).
// All tensors on one device with one floating dtype (float32 or float64). Non-contiguous inputs
// are accepted (made contiguous internally). Calls engram::gated_memory_layer through the
// dispatcher, as torch.ops.engram.gated_memory_layer does.
GatedMemoryLayerResult gated_memory_layer(const at::Tensor& x, const at::Tensor& h0,
                                          const at::Tensor& c0, const at::Tensor& w_ih,
                                          const at::Tensor& w_hh, const at::Tensor& bias = {},
                                          const at::Tensor& peephole = {});

namespace reference {
// The same semantics as per-step ATen ops recorded by autograd (any device, any order of
// differentiation). Kept for tests and as the layer's `fused(false)` path.
GatedMemoryLayerResult gated_memory_layer(const at::Tensor& x, const at::Tensor& h0,
                                          const at::Tensor& c0, const at::Tensor& w_ih,
                                          const at::Tensor& w_hh, const at::Tensor& bias = {},
                                          const at::Tensor& peephole = {});
} // namespace reference

} // namespace engram::ops
