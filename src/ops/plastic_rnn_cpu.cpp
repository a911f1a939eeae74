// Fused CPU kernels of plastic_rnn: one task per batch element (at::parallel_for), the trace kept
// in the output buffer and updated in place, every buffer allocated once per task.
#include <engram/ops/detail/plastic_rnn_kernel.h>

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

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace cpu_avx2 {
#include <engram/ops/detail/plastic_rnn_cpu_impl.h>
} // namespace cpu_avx2
#pragma GCC pop_options

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

} // namespace engram::ops::detail
