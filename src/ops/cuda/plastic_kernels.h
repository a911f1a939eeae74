#pragma once
// Host launchers of the plastic-op CUDA kernels (plastic_kernels.cu): raw pointers and a stream,
// no ATen, so the .cu file compiles with any nvcc close to LibTorch's. Each returns the launch
// status; the caller turns a failure into an exception.
#include <engram/ops/detail/hebbian_update_kernel.h>
#include <engram/ops/detail/plastic_rnn_kernel.h>

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace engram::ops::cuda {

// plastic_rnn runs one block per sample with at most this many threads (thread j owns columns
// j, j + blockDim, ...); every kernel is compiled with __launch_bounds__ for its block size, so
// the compiler keeps registers within what a launch of that size can have (fp64 retroactive
// needs about 66 per thread unbounded, which fails to launch above ~896 threads).
constexpr int kPlasticRnnMaxThreads = 512;
constexpr int kHebbianUpdateThreads = 256;
// Launches above this much dynamic shared memory need the per-kernel opt-in.
constexpr std::size_t kDefaultSharedMemoryBytes = 48 * 1024;

// Dynamic shared memory of one plastic_rnn block: the vectors h_{t-1}, h_t, the pre-activation
// and 33 reduction slots (always), and the traces H (and E, retroactive) when they fit.
inline std::size_t plastic_rnn_vector_bytes(int64_t N, std::size_t element) {
  return element * static_cast<std::size_t>(3 * N + 33);
}
inline std::size_t plastic_rnn_trace_bytes(int64_t N, std::size_t element, bool retroactive) {
  return element * static_cast<std::size_t>(N * N) * (retroactive ? 2 : 1);
}

cudaError_t launch_plastic_rnn_forward(const detail::PlasticRnnForwardArgs<float>& a,
                                       cudaStream_t stream);
cudaError_t launch_plastic_rnn_forward(const detail::PlasticRnnForwardArgs<double>& a,
                                       cudaStream_t stream);
cudaError_t launch_hebbian_update_forward(const detail::HebbianForwardArgs<float>& a,
                                          cudaStream_t stream);
cudaError_t launch_hebbian_update_forward(const detail::HebbianForwardArgs<double>& a,
                                          cudaStream_t stream);

} // namespace engram::ops::cuda
