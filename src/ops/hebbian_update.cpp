#include "hebbian_update.h"

namespace engram::ops {

HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, const at::Tensor& eta,
                                   const at::Tensor& m, const HebbianState& state,
                                   const HebbianUpdateOptions& options) {
  return reference::hebbian_update(H, pre, post, eta, m, state, options);
}

HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, double eta, const at::Tensor& m,
                                   const HebbianState& state, const HebbianUpdateOptions& options) {
  return hebbian_update(H, pre, post, at::scalar_tensor(eta, pre.options()), m, state, options);
}

} // namespace engram::ops
