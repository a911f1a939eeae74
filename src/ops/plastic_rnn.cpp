#include "plastic_rnn.h"

namespace engram::ops {

PlasticRnnResult plastic_rnn(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                             const at::Tensor& W_in, const at::Tensor& W, const at::Tensor& alpha,
                             const at::Tensor& b, const at::Tensor& eta,
                             const PlasticRnnModulationInputs& modulation,
                             const PlasticRnnOptions& options) {
  // Interim: the unrolled reference until the fused kernels land.
  return reference::plastic_rnn(x, h0, H0, W_in, W, alpha, b, eta, modulation, options);
}

int64_t plastic_rnn_saved_bytes(const at::Tensor& /*output*/) {
  return -1;
}

} // namespace engram::ops
