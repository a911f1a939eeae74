#pragma once
// Validation of hebbian_update arguments, shared by the op and its reference.
#include <engram/ops/hebbian_update.h>

namespace engram::ops::detail {

struct HebbianDims {
  int64_t B = 0, I = 0, O = 0;
  bool shared = false;     // H is [I, O]
  bool m_per_post = false; // m is [B, O]
};

HebbianDims check_hebbian_update(const char* fn, const at::Tensor& H, const at::Tensor& pre,
                                 const at::Tensor& post, const at::Tensor& eta, const at::Tensor& m,
                                 const HebbianState& state, const HebbianUpdateOptions& options);

} // namespace engram::ops::detail
