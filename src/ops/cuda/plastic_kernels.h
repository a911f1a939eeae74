#pragma once
// Host launchers of the plastic-op CUDA kernels (plastic_kernels.cu): raw pointers and a stream,
// no ATen, so the .cu file compiles with any nvcc close to LibTorch's. Each returns the launch
// status; the caller turns a failure into an exception.
#include <engram/ops/detail/hebbian_update_kernel.h>
#include <engram/ops/detail/plastic_rnn_kernel.h>

#include <cuda_runtime_api.h>

namespace engram::ops::cuda {

cudaError_t launch_plastic_rnn_forward(const detail::PlasticRnnForwardArgs<float>& a,
                                       cudaStream_t stream);
cudaError_t launch_plastic_rnn_forward(const detail::PlasticRnnForwardArgs<double>& a,
                                       cudaStream_t stream);
cudaError_t launch_hebbian_update_forward(const detail::HebbianForwardArgs<float>& a,
                                          cudaStream_t stream);
cudaError_t launch_hebbian_update_forward(const detail::HebbianForwardArgs<double>& a,
                                          cudaStream_t stream);

} // namespace engram::ops::cuda
