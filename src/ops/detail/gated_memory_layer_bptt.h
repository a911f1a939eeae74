#pragma once
// The algorithm of engram::gated_memory_layer shared by its CPU and CUDA kernels: the input
// projections of all steps in one product, one product per step for the recurrent part, the
// element-wise work of a step in place on its gate block (which then holds the activations
// i, f, g, o the backward reuses), and back-propagation through time by hand.
//
// `Ops` supplies the device's pieces (all tensors contiguous):
//   static void matmul_into(const at::Tensor& a, const at::Tensor& b, at::Tensor& c, bool acc);
//       c = a · b (acc: c += a · b), a [M, K], b [K, N], c [M, N]
//   static void cell_forward(at::Tensor& gates, const at::Tensor& c_prev,
//                            const at::Tensor& peephole, at::Tensor& c, at::Tensor& tanh_c,
//                            at::Tensor& h);
//       gates [B, 4H]: pre-activations in, activations out; peephole [3, H] or undefined
//   static void cell_backward(const at::Tensor& gates, const at::Tensor& tanh_c,
//                             const at::Tensor& c_prev, const at::Tensor& peephole,
//                             const at::Tensor& dh, at::Tensor& dc, at::Tensor& dgates);
//       dL/dh, dL/dc of the step in; pre-activation gradients out, dc becomes dL/dc_{t-1}
#include <engram/ops/detail/op_handles.h>

#include <ATen/ATen.h>

#include <array>

namespace engram::ops::detail {

// The forward's outputs and what its backward needs, by name.
struct GatedMemoryForwardResult {
  at::Tensor output;     // [T, B, H]
  at::Tensor h_n;        // [B, H]
  at::Tensor c_n;        // [B, H]
  at::Tensor gates;      // [T, B, 4H] gate activations i, f, g, o
  at::Tensor cells;      // [T, B, H] c_1 .. c_T
  at::Tensor tanh_cells; // [T, B, H] tanh(c_1) .. tanh(c_T)
};

// Which gradients to compute, in the order of the operator's arguments.
enum GatedMemoryGradSlot : size_t {
  kGradX,
  kGradH0,
  kGradC0,
  kGradWIh,
  kGradWHh,
  kGradBias,
  kGradPeephole,
  kGradCount
};
using GatedMemoryGradMask = std::array<bool, kGradCount>;

// Inputs contiguous; bias and peephole undefined when absent.
template <typename Ops>
GatedMemoryForwardResult gated_memory_forward(const at::Tensor& x, const at::Tensor& h0,
                                              const at::Tensor& c0, const at::Tensor& w_ih,
                                              const at::Tensor& w_hh, const at::Tensor& bias,
                                              const at::Tensor& peephole) {
  const int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = w_hh.size(1);
  GatedMemoryForwardResult r;
  r.gates = at::empty({T, B, 4 * H}, x.options());
  at::Tensor gates_flat = r.gates.view({T * B, 4 * H});
  if (bias.defined()) {
    gates_flat.copy_(bias.expand_as(gates_flat));
  }
  Ops::matmul_into(x.view({T * B, I}), w_ih.t().contiguous(), gates_flat,
                   /*accumulate=*/bias.defined());
  r.output = at::empty({T, B, H}, x.options());
  r.cells = at::empty({T, B, H}, x.options());
  r.tanh_cells = at::empty({T, B, H}, x.options());
  const at::Tensor w_hh_t = w_hh.t().contiguous(); // [H, 4H]: the per-step product's layout
  for (int64_t t = 0; t < T; ++t) {
    at::Tensor g = r.gates[t];
    const at::Tensor h_prev = t == 0 ? h0 : r.output[t - 1];
    const at::Tensor c_prev = t == 0 ? c0 : r.cells[t - 1];
    Ops::matmul_into(h_prev, w_hh_t, g, /*accumulate=*/true);
    at::Tensor c_t = r.cells[t], tc_t = r.tanh_cells[t], h_t = r.output[t];
    Ops::cell_forward(g, c_prev, peephole, c_t, tc_t, h_t);
  }
  r.h_n = r.output[T - 1].clone();
  r.c_n = r.cells[T - 1].clone();
  return r;
}

// Gradients of every input, in GatedMemoryGradSlot order; an input that is absent or not in
// `mask` gets an empty [0] tensor. g_output, g_h_n and g_c_n may be undefined (zero).
template <typename Ops>
std::array<at::Tensor, kGradCount>
gated_memory_backward(const at::Tensor& g_output, const at::Tensor& g_h_n, const at::Tensor& g_c_n,
                      const at::Tensor& x, const at::Tensor& h0, const at::Tensor& c0,
                      const at::Tensor& w_ih, const at::Tensor& w_hh, bool has_bias,
                      const at::Tensor& peephole, const at::Tensor& output, const at::Tensor& gates,
                      const at::Tensor& cells, const at::Tensor& tanh_cells,
                      const GatedMemoryGradMask& mask) {
  const int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = w_hh.size(1);
  at::Tensor dh =
      g_h_n.defined() ? g_h_n.clone(at::MemoryFormat::Contiguous) : at::zeros({B, H}, x.options());
  at::Tensor dc =
      g_c_n.defined() ? g_c_n.clone(at::MemoryFormat::Contiguous) : at::zeros({B, H}, x.options());
  at::Tensor dgates = at::empty_like(gates);
  for (int64_t t = T - 1; t >= 0; --t) {
    if (g_output.defined()) {
      dh.add_(g_output[t]);
    }
    const at::Tensor c_prev = t == 0 ? c0 : cells[t - 1];
    at::Tensor dg = dgates[t];
    Ops::cell_backward(gates[t], tanh_cells[t], c_prev, peephole, dh, dc, dg);
    Ops::matmul_into(dg, w_hh, dh, /*accumulate=*/false);
  }

  std::array<at::Tensor, kGradCount> grads;
  for (auto& g : grads) {
    g = at::empty({0}, x.options());
  }
  const at::Tensor dgates_flat = dgates.view({T * B, 4 * H});
  if (mask[kGradX]) {
    grads[kGradX] = at::empty({T, B, I}, x.options());
    at::Tensor dx_flat = grads[kGradX].view({T * B, I});
    Ops::matmul_into(dgates_flat, w_ih, dx_flat, /*accumulate=*/false);
  }
  if (mask[kGradH0]) {
    grads[kGradH0] = dh;
  }
  if (mask[kGradC0]) {
    grads[kGradC0] = dc;
  }
  // Weight gradients as dWᵀ = inputᵀ · dgates: row-major operands, and transposing the input is
  // a quarter of the traffic of transposing dgates.
  const auto weight_grad = [&](const at::Tensor& in_flat) {
    at::Tensor grad_t = at::empty({in_flat.size(1), 4 * H}, x.options());
    Ops::matmul_into(in_flat.t().contiguous(), dgates_flat, grad_t, /*accumulate=*/false);
    return grad_t.t().contiguous();
  };
  if (mask[kGradWIh]) {
    grads[kGradWIh] = weight_grad(x.view({T * B, I}));
  }
  if (mask[kGradWHh]) {
    const at::Tensor h_prev = at::cat({h0.unsqueeze(0), output.narrow(0, 0, T - 1)}, 0);
    grads[kGradWHh] = weight_grad(h_prev.view({T * B, H}));
  }
  if (has_bias && mask[kGradBias]) {
    grads[kGradBias] = dgates_flat.sum(0);
  }
  if (peephole.defined() && mask[kGradPeephole]) {
    const at::Tensor c_prev = at::cat({c0.unsqueeze(0), cells.narrow(0, 0, T - 1)}, 0);
    grads[kGradPeephole] =
        at::stack({(dgates.narrow(2, 0, H) * c_prev).sum(at::IntArrayRef{0, 1}),
                   (dgates.narrow(2, H, H) * c_prev).sum(at::IntArrayRef{0, 1}),
                   (dgates.narrow(2, 3 * H, H) * cells).sum(at::IntArrayRef{0, 1})});
  }
  return grads;
}

// The kernels' tensor-level entry points: contiguous inputs, absent optionals undefined.
struct GatedMemoryInputs {
  at::Tensor x, h0, c0, w_ih, w_hh, bias, peephole;
};
GatedMemoryInputs gated_memory_inputs(const char* fn, const at::Tensor& x, const at::Tensor& h0,
                                      const at::Tensor& c0, const at::Tensor& w_ih,
                                      const at::Tensor& w_hh, const OptTensor& bias,
                                      const OptTensor& peephole);

template <typename Ops>
GatedMemoryLayerOutputs gated_memory_layer_kernel(const at::Tensor& x, const at::Tensor& h0,
                                                  const at::Tensor& c0, const at::Tensor& w_ih,
                                                  const at::Tensor& w_hh, const OptTensor& bias,
                                                  const OptTensor& peephole) {
  const auto in = gated_memory_inputs("gated_memory_layer", x, h0, c0, w_ih, w_hh, bias, peephole);
  auto r = gated_memory_forward<Ops>(in.x, in.h0, in.c0, in.w_ih, in.w_hh, in.bias, in.peephole);
  return {r.output, r.h_n, r.c_n};
}

template <typename Ops>
GatedMemoryLayerTrainOutputs
gated_memory_layer_forward_kernel(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& c0,
                                  const at::Tensor& w_ih, const at::Tensor& w_hh,
                                  const OptTensor& bias, const OptTensor& peephole) {
  const auto in = gated_memory_inputs("gated_memory_layer", x, h0, c0, w_ih, w_hh, bias, peephole);
  auto r = gated_memory_forward<Ops>(in.x, in.h0, in.c0, in.w_ih, in.w_hh, in.bias, in.peephole);
  return {r.output, r.h_n, r.c_n, r.gates, r.cells, r.tanh_cells};
}

template <typename Ops>
GatedMemoryLayerGradOutputs gated_memory_layer_backward_kernel(
    const OptTensor& g_output, const OptTensor& g_h_n, const OptTensor& g_c_n, const at::Tensor& x,
    const at::Tensor& h0, const at::Tensor& c0, const at::Tensor& w_ih, const at::Tensor& w_hh,
    const OptTensor& bias, const OptTensor& peephole, const at::Tensor& output,
    const at::Tensor& gates, const at::Tensor& cells, const at::Tensor& tanh_cells,
    std::array<bool, 7> output_mask) {
  const auto in =
      gated_memory_inputs("_gated_memory_layer_backward", x, h0, c0, w_ih, w_hh, bias, peephole);
  const auto contiguous_or_undefined = [](const OptTensor& t) {
    return t.has_value() && t->defined() ? t->contiguous() : at::Tensor();
  };
  const auto g = gated_memory_backward<Ops>(
      contiguous_or_undefined(g_output), contiguous_or_undefined(g_h_n),
      contiguous_or_undefined(g_c_n), in.x, in.h0, in.c0, in.w_ih, in.w_hh, in.bias.defined(),
      in.peephole, output.contiguous(), gates.contiguous(), cells.contiguous(),
      tanh_cells.contiguous(), output_mask);
  return {g[kGradX],   g[kGradH0],   g[kGradC0],      g[kGradWIh],
          g[kGradWHh], g[kGradBias], g[kGradPeephole]};
}

} // namespace engram::ops::detail
