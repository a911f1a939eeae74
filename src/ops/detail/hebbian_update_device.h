#pragma once
// The tensor-level hebbian_update forward shared by its CPU and CUDA kernels: validates the
// operator's arguments, runs a backend's raw-pointer kernel and updates the rule state.
#include <engram/ops/detail/hebbian_update_kernel.h>
#include <engram/ops/detail/op_handles.h>

namespace engram::ops::detail {

HebbianUpdateOutputs hebbian_update_forward(const at::Tensor& H, const at::Tensor& pre,
                                            const at::Tensor& post, const at::Tensor& eta,
                                            const OptTensor& m, const OptTensor& pre_mean,
                                            const OptTensor& post_mean, const OptTensor& theta,
                                            c10::string_view rule, std::optional<double> clip,
                                            double mean_rate, const HebbianKernels& kernels);

} // namespace engram::ops::detail
