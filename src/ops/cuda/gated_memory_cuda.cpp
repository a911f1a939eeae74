// The CUDA kernels of engram::gated_memory_layer, _gated_memory_layer_forward and
// _gated_memory_layer_backward: the shared algorithm (detail/gated_memory_layer_bptt.h) on
// ATen's CUDA kernels (cuBLAS products, in-place element-wise ops on the gate block), on
// LibTorch's current stream. GatedWorkingMemory takes this path only with peepholes; a plain
// LSTM runs cuDNN through at::lstm (gated_memory_path in gated_working_memory.h).
#include <engram/ops/detail/gated_memory_layer_bptt.h>

#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

namespace engram::ops::detail {
namespace {

struct CudaOps {
  static void matmul_into(const at::Tensor& a, const at::Tensor& b, at::Tensor& c,
                          bool accumulate) {
    if (accumulate) {
      c.addmm_(a, b);
    } else {
      at::mm_out(c, a, b);
    }
  }

  static void cell_forward(at::Tensor& gates, const at::Tensor& c_prev, const at::Tensor& peephole,
                           at::Tensor& c, at::Tensor& tanh_c, at::Tensor& h) {
    const int64_t H = gates.size(1) / 4;
    at::Tensor gi = gates.narrow(1, 0, H), gf = gates.narrow(1, H, H);
    at::Tensor gg = gates.narrow(1, 2 * H, H), go = gates.narrow(1, 3 * H, H);
    if (peephole.defined()) {
      gi.addcmul_(c_prev, peephole[0]);
      gf.addcmul_(c_prev, peephole[1]);
    }
    gates.narrow(1, 0, 2 * H).sigmoid_();
    gg.tanh_();
    at::mul_out(c, gf, c_prev);
    c.addcmul_(gi, gg);
    if (peephole.defined()) {
      go.addcmul_(c, peephole[2]);
    }
    go.sigmoid_();
    at::tanh_out(tanh_c, c);
    at::mul_out(h, go, tanh_c);
  }

  static void cell_backward(const at::Tensor& gates, const at::Tensor& tanh_c,
                            const at::Tensor& c_prev, const at::Tensor& peephole,
                            const at::Tensor& dh, at::Tensor& dc, at::Tensor& dgates) {
    const int64_t H = gates.size(1) / 4;
    const at::Tensor i = gates.narrow(1, 0, H), f = gates.narrow(1, H, H);
    const at::Tensor g = gates.narrow(1, 2 * H, H), o = gates.narrow(1, 3 * H, H);
    at::Tensor da_i = dgates.narrow(1, 0, H), da_f = dgates.narrow(1, H, H);
    at::Tensor da_g = dgates.narrow(1, 2 * H, H), da_o = dgates.narrow(1, 3 * H, H);
    at::mul_out(da_o, dh * tanh_c, o * (1 - o));
    at::Tensor d_c = dc + dh * o * (1 - tanh_c * tanh_c);
    if (peephole.defined()) {
      d_c.addcmul_(da_o, peephole[2]);
    }
    at::mul_out(da_i, d_c * g, i * (1 - i));
    at::mul_out(da_f, d_c * c_prev, f * (1 - f));
    at::mul_out(da_g, d_c * i, 1 - g * g);
    at::mul_out(dc, d_c, f);
    if (peephole.defined()) {
      dc.addcmul_(da_i, peephole[0]);
      dc.addcmul_(da_f, peephole[1]);
    }
  }
};

GatedMemoryLayerOutputs gated_memory_layer_cuda(const at::Tensor& x, const at::Tensor& h0,
                                                const at::Tensor& c0, const at::Tensor& w_ih,
                                                const at::Tensor& w_hh, const OptTensor& bias,
                                                const OptTensor& peephole) {
  const c10::DeviceGuard guard(x.device());
  return gated_memory_layer_kernel<CudaOps>(x, h0, c0, w_ih, w_hh, bias, peephole);
}

GatedMemoryLayerTrainOutputs
gated_memory_layer_forward_cuda(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& c0,
                                const at::Tensor& w_ih, const at::Tensor& w_hh,
                                const OptTensor& bias, const OptTensor& peephole) {
  const c10::DeviceGuard guard(x.device());
  return gated_memory_layer_forward_kernel<CudaOps>(x, h0, c0, w_ih, w_hh, bias, peephole);
}

GatedMemoryLayerGradOutputs gated_memory_layer_backward_cuda(
    const OptTensor& g_output, const OptTensor& g_h_n, const OptTensor& g_c_n, const at::Tensor& x,
    const at::Tensor& h0, const at::Tensor& c0, const at::Tensor& w_ih, const at::Tensor& w_hh,
    const OptTensor& bias, const OptTensor& peephole, const at::Tensor& output,
    const at::Tensor& gates, const at::Tensor& cells, const at::Tensor& tanh_cells,
    std::array<bool, 7> output_mask) {
  const c10::DeviceGuard guard(x.device());
  return gated_memory_layer_backward_kernel<CudaOps>(g_output, g_h_n, g_c_n, x, h0, c0, w_ih, w_hh,
                                                     bias, peephole, output, gates, cells,
                                                     tanh_cells, output_mask);
}

} // namespace

TORCH_LIBRARY_IMPL(engram, CUDA, m) {
  m.impl("gated_memory_layer", TORCH_FN(gated_memory_layer_cuda));
  m.impl("_gated_memory_layer_forward", TORCH_FN(gated_memory_layer_forward_cuda));
  m.impl("_gated_memory_layer_backward", TORCH_FN(gated_memory_layer_backward_cuda));
}

} // namespace engram::ops::detail
