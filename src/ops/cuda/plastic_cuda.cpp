// Device entry points of the plastic ops: run the CUDA kernels on LibTorch's current stream.
#include <engram/ops/cuda/plastic_kernels.h>
#include <engram/ops/detail/hebbian_update_kernel.h>
#include <engram/ops/detail/plastic_rnn_device.h>

#include <ATen/cuda/CUDAContext.h>

namespace engram::ops::detail {
namespace {

void check_launch(cudaError_t err, const char* op) {
  TORCH_CHECK(err == cudaSuccess, op, ": CUDA kernel launch failed: ", cudaGetErrorString(err));
}

} // namespace

void plastic_rnn_forward_device(const PlasticRnnForwardArgs<float>& a) {
  check_launch(cuda::launch_plastic_rnn_forward(a, at::cuda::getCurrentCUDAStream()),
               "plastic_rnn");
}

void plastic_rnn_forward_device(const PlasticRnnForwardArgs<double>& a) {
  check_launch(cuda::launch_plastic_rnn_forward(a, at::cuda::getCurrentCUDAStream()),
               "plastic_rnn");
}

void hebbian_update_forward_device(const HebbianForwardArgs<float>& a) {
  check_launch(cuda::launch_hebbian_update_forward(a, at::cuda::getCurrentCUDAStream()),
               "hebbian_update");
}

void hebbian_update_forward_device(const HebbianForwardArgs<double>& a) {
  check_launch(cuda::launch_hebbian_update_forward(a, at::cuda::getCurrentCUDAStream()),
               "hebbian_update");
}

} // namespace engram::ops::detail
