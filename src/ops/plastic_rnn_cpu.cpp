// Fused CPU kernels of plastic_rnn: one task per batch element (at::parallel_for), the trace kept
// in the output buffer and updated in place, every buffer allocated once per task; and their
// registration as the CPU kernels of engram::plastic_rnn, _plastic_rnn_forward and
// _plastic_rnn_backward.
#include <engram/ops/detail/plastic_rnn_device.h>
#include <engram/ops/detail/plastic_rnn_kernel.h>

#include <torch/library.h>

#include <ATen/Parallel.h>
#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace engram::ops::detail {

// Scratch memory taken from LibTorch's CPU allocator, so that allocator statistics (and
// CpuMemoryCounter) see it like any tensor.
template <typename S>
class CpuBuffer {
public:
  void resize(size_t n) { storage_ = c10::GetCPUAllocator()->allocate(n * sizeof(S)); }
  S* data() const { return static_cast<S*>(storage_.get()); }

private:
  c10::DataPtr storage_;
};

namespace cpu_generic {
#include <engram/ops/detail/plastic_rnn_cpu_impl.h>
} // namespace cpu_generic

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
namespace cpu_avx2 {
#include <engram/ops/detail/plastic_rnn_cpu_impl.h>
} // namespace cpu_avx2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace {

bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

} // namespace

void plastic_rnn_forward_cpu(const PlasticRnnForwardArgs<float>& a) {
  has_avx2() ? cpu_avx2::forward_impl(a) : cpu_generic::forward_impl(a);
}
void plastic_rnn_forward_cpu(const PlasticRnnForwardArgs<double>& a) {
  has_avx2() ? cpu_avx2::forward_impl(a) : cpu_generic::forward_impl(a);
}
void plastic_rnn_backward_cpu(const PlasticRnnBackwardArgs<float>& a) {
  has_avx2() ? cpu_avx2::backward_impl(a) : cpu_generic::backward_impl(a);
}
void plastic_rnn_backward_cpu(const PlasticRnnBackwardArgs<double>& a) {
  has_avx2() ? cpu_avx2::backward_impl(a) : cpu_generic::backward_impl(a);
}

const PlasticRnnKernels& plastic_rnn_cpu_kernels() {
  static const PlasticRnnKernels kernels{
      static_cast<void (*)(const PlasticRnnForwardArgs<float>&)>(&plastic_rnn_forward_cpu),
      static_cast<void (*)(const PlasticRnnForwardArgs<double>&)>(&plastic_rnn_forward_cpu)};
  return kernels;
}

namespace {

PlasticRnnOutputs plastic_rnn_cpu(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                                  const OptTensor& W_in, const at::Tensor& W,
                                  const at::Tensor& alpha, const at::Tensor& b,
                                  const at::Tensor& eta, const OptTensor& E0, const OptTensor& m,
                                  const OptTensor& w_m, const OptTensor& b_m, c10::string_view rule,
                                  c10::string_view modulation, std::optional<double> clip,
                                  std::optional<int64_t> chunk_size) {
  const auto call = make_plastic_rnn_call(x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m, rule,
                                          modulation, clip, chunk_size);
  return plastic_rnn_outputs(plastic_rnn_forward(call, false, plastic_rnn_cpu_kernels()), x);
}

PlasticRnnTrainOutputs
plastic_rnn_forward_cpu_op(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                           const OptTensor& W_in, const at::Tensor& W, const at::Tensor& alpha,
                           const at::Tensor& b, const at::Tensor& eta, const OptTensor& E0,
                           const OptTensor& m, const OptTensor& w_m, const OptTensor& b_m,
                           c10::string_view rule, c10::string_view modulation,
                           std::optional<double> clip, std::optional<int64_t> chunk_size) {
  const auto call = make_plastic_rnn_call(x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m, rule,
                                          modulation, clip, chunk_size);
  return plastic_rnn_train_outputs(plastic_rnn_forward(call, true, plastic_rnn_cpu_kernels()), x);
}

PlasticRnnGradOutputs plastic_rnn_backward_cpu_op(
    const OptTensor& g_outputs, const OptTensor& g_h, const OptTensor& g_H, const OptTensor& g_E,
    const OptTensor& g_m, const at::Tensor& x, const at::Tensor& h0, const OptTensor& W_in,
    const at::Tensor& W, const at::Tensor& alpha, const at::Tensor& b, const at::Tensor& eta,
    const OptTensor& E0, const OptTensor& m, const OptTensor& w_m, const OptTensor& b_m,
    const at::Tensor& outputs, const at::Tensor& ckH, const at::Tensor& ckE,
    const at::Tensor& m_used, c10::string_view rule, c10::string_view modulation,
    std::optional<double> clip, std::optional<int64_t> chunk_size) {
  const auto call = make_plastic_rnn_backward_call(x, h0, W_in, W, alpha, b, eta, m, w_m, b_m, rule,
                                                   modulation, clip, chunk_size);
  const auto saved = plastic_rnn_saved(outputs, ckH, ckE, m_used, E0, call);
  const auto grads = plastic_rnn_grads(g_outputs, g_h, g_H, g_E, g_m, call);
  return plastic_rnn_grad_outputs(plastic_rnn_backward_fused(call, saved, grads), call, saved);
}

} // namespace

TORCH_LIBRARY_IMPL(engram, CPU, m) {
  m.impl("plastic_rnn", TORCH_FN(plastic_rnn_cpu));
  m.impl("_plastic_rnn_forward", TORCH_FN(plastic_rnn_forward_cpu_op));
  m.impl("_plastic_rnn_backward", TORCH_FN(plastic_rnn_backward_cpu_op));
}

} // namespace engram::ops::detail
