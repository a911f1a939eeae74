// The CUDA kernels of the engram operators (plastic_rnn, _plastic_rnn_forward,
// _plastic_rnn_backward, hebbian_update): the tensor-level code shared with the CPU kernels around
// the launchers of plastic_kernels.cu, on LibTorch's current stream.
#include <engram/ops/cuda/plastic_kernels.h>
#include <engram/ops/detail/hebbian_update_device.h>
#include <engram/ops/detail/plastic_rnn_device.h>

#include <ATen/cuda/CUDAContext.h>
#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

namespace engram::ops::detail {
namespace {

void check_launch(cudaError_t err, const char* op) {
  TORCH_CHECK(err == cudaSuccess, op, ": CUDA kernel launch failed: ", cudaGetErrorString(err));
}

template <typename S>
void plastic_rnn_forward_cuda(const PlasticRnnForwardArgs<S>& a) {
  // A block keeps its three N-vectors in shared memory: refuse sizes the device cannot hold
  // with an error naming the limit instead of a failed launch.
  const auto optin =
      static_cast<size_t>(at::cuda::getCurrentDeviceProperties()->sharedMemPerBlockOptin);
  const size_t vectors = cuda::plastic_rnn_vector_bytes(a.N, sizeof(S));
  TORCH_CHECK(vectors <= optin, "plastic_rnn: argument 'h0' expected a hidden size N with 3N + 33 ",
              sizeof(S) == 4 ? "float32" : "float64", " values in one block's shared memory (",
              optin, " bytes on this device, N <= ", (optin / sizeof(S) - 33) / 3,
              "), got N = ", a.N);
  check_launch(cuda::launch_plastic_rnn_forward(a, at::cuda::getCurrentCUDAStream()),
               "plastic_rnn");
}

template <typename S>
void hebbian_update_forward_cuda(const HebbianForwardArgs<S>& a) {
  check_launch(cuda::launch_hebbian_update_forward(a, at::cuda::getCurrentCUDAStream()),
               "hebbian_update");
}

const PlasticRnnKernels& plastic_rnn_cuda_kernels() {
  static const PlasticRnnKernels kernels{&plastic_rnn_forward_cuda<float>,
                                         &plastic_rnn_forward_cuda<double>};
  return kernels;
}

PlasticRnnOutputs plastic_rnn_cuda(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                                   const OptTensor& W_in, const at::Tensor& W,
                                   const at::Tensor& alpha, const at::Tensor& b,
                                   const at::Tensor& eta, const OptTensor& E0, const OptTensor& m,
                                   const OptTensor& w_m, const OptTensor& b_m,
                                   c10::string_view rule, c10::string_view modulation,
                                   std::optional<double> clip, std::optional<int64_t> chunk_size) {
  const c10::DeviceGuard guard(x.device());
  const auto call = make_plastic_rnn_call(x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m, rule,
                                          modulation, clip, chunk_size);
  return plastic_rnn_outputs(plastic_rnn_forward(call, false, plastic_rnn_cuda_kernels()), x);
}

PlasticRnnTrainOutputs
plastic_rnn_forward_cuda_op(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                            const OptTensor& W_in, const at::Tensor& W, const at::Tensor& alpha,
                            const at::Tensor& b, const at::Tensor& eta, const OptTensor& E0,
                            const OptTensor& m, const OptTensor& w_m, const OptTensor& b_m,
                            c10::string_view rule, c10::string_view modulation,
                            std::optional<double> clip, std::optional<int64_t> chunk_size) {
  const c10::DeviceGuard guard(x.device());
  const auto call = make_plastic_rnn_call(x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m, rule,
                                          modulation, clip, chunk_size);
  return plastic_rnn_train_outputs(plastic_rnn_forward(call, true, plastic_rnn_cuda_kernels()), x);
}

// The exact chunk-by-chunk backward through the ATen reference (no fused CUDA backward kernel).
PlasticRnnGradOutputs plastic_rnn_backward_cuda_op(
    const OptTensor& g_outputs, const OptTensor& g_h, const OptTensor& g_H, const OptTensor& g_E,
    const OptTensor& g_m, const at::Tensor& x, const at::Tensor& h0, const OptTensor& W_in,
    const at::Tensor& W, const at::Tensor& alpha, const at::Tensor& b, const at::Tensor& eta,
    const OptTensor& E0, const OptTensor& m, const OptTensor& w_m, const OptTensor& b_m,
    const at::Tensor& outputs, const at::Tensor& ckH, const at::Tensor& ckE,
    const at::Tensor& m_used, c10::string_view rule, c10::string_view modulation,
    std::optional<double> clip, std::optional<int64_t> chunk_size) {
  const c10::DeviceGuard guard(x.device());
  const auto call = make_plastic_rnn_backward_call(x, h0, W_in, W, alpha, b, eta, m, w_m, b_m, rule,
                                                   modulation, clip, chunk_size);
  const auto saved = plastic_rnn_saved(outputs, ckH, ckE, m_used, E0, call);
  const auto grads = plastic_rnn_grads(g_outputs, g_h, g_H, g_E, g_m, call);
  return plastic_rnn_grad_outputs(plastic_rnn_backward_by_chunks(call, saved, grads), call, saved);
}

HebbianUpdateOutputs hebbian_update_cuda(const at::Tensor& H, const at::Tensor& pre,
                                         const at::Tensor& post, const at::Tensor& eta,
                                         const OptTensor& m, const OptTensor& pre_mean,
                                         const OptTensor& post_mean, const OptTensor& theta,
                                         c10::string_view rule, std::optional<double> clip,
                                         double mean_rate) {
  const c10::DeviceGuard guard(H.device());
  static const HebbianKernels kernels{&hebbian_update_forward_cuda<float>,
                                      &hebbian_update_forward_cuda<double>};
  return hebbian_update_forward(H, pre, post, eta, m, pre_mean, post_mean, theta, rule, clip,
                                mean_rate, kernels);
}

} // namespace

TORCH_LIBRARY_IMPL(engram, CUDA, m) {
  m.impl("plastic_rnn", TORCH_FN(plastic_rnn_cuda));
  m.impl("_plastic_rnn_forward", TORCH_FN(plastic_rnn_forward_cuda_op));
  m.impl("_plastic_rnn_backward", TORCH_FN(plastic_rnn_backward_cuda_op));
  m.impl("hebbian_update", TORCH_FN(hebbian_update_cuda));
}

} // namespace engram::ops::detail
