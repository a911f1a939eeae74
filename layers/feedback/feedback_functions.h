#pragma once
// The backward passes of the feedback learning rules, each a torch::autograd::Function:
//   feedback_linear / feedback_conv2d   the layer's forward pass; in the backward pass a given
//                                       matrix replaces the weight where the input gradient is
//                                       computed (feedback alignment: a fixed random B; sign
//                                       symmetry: sign(W), possibly with random magnitudes). The
//                                       weight and bias gradients are backprop's.
//   direct_feedback                     identity forward; backward: the network's output error e
//                                       [N, K], projected by a fixed matrix F [K, D], replaces the
//                                       gradient of x [N, ...D] (direct feedback alignment).
//   capture_output_error                identity forward; backward: keeps the gradient of the
//                                       logits (the output error e) for direct_feedback.
// The output error travels in an OutputError slot that the head and the layers of one network
// share: the head's backward runs first in a backward pass, so every layer below reads the error
// of that same pass.

#include <ATen/core/List.h>
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace engram::layers {

// A shared slot holding the output error of the latest backward pass (copies share it).
using OutputError = c10::List<at::Tensor>;
// An empty slot (no error kept yet).
OutputError make_output_error();
// The error kept in `slot`; an error naming `who` when none was kept in this backward pass.
at::Tensor output_error_of(const OutputError& slot, int64_t batch, const char* who);

// x [N, in] -> x Wᵀ + b; backward: grad_x = g backward_weight (backward_weight [out, in]),
// grad_W = gᵀ x, grad_b = Σₙ g. `bias` may be undefined.
at::Tensor feedback_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           const at::Tensor& backward_weight);
// x [N, C, H, W] -> conv2d(x, W, b, stride, padding); backward: the input gradient of a
// convolution with backward_weight (the shape of W) in place of W; weight and bias gradients as
// backprop's.
at::Tensor feedback_conv2d(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           const at::Tensor& backward_weight, int64_t stride, int64_t padding);
// Identity; backward: grad_x = (e F) viewed as x, e = the slot's error [N, K], F [K, numel(x)/N].
at::Tensor direct_feedback(const at::Tensor& x, const at::Tensor& feedback,
                           const OutputError& slot);
// Identity; backward: keeps the gradient (detached) in `slot` and passes it on unchanged.
at::Tensor capture_output_error(const at::Tensor& logits, const OutputError& slot);

} // namespace engram::layers
