#pragma once
// Typed handles of the engram operators (schemas in src/ops/library.cpp). Every C++ entry point
// calls the operators through these handles, so a C++ caller and torch.ops.engram.* take the same
// dispatcher path (Autograd → CPU / CUDA / Meta kernels).
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>

#include <optional>
#include <tuple>

namespace engram::ops::detail {

using OptTensor = std::optional<at::Tensor>;

// plastic_rnn(x, h0, H0, W_in?, W, alpha, b, eta, E0?, m?, w_m?, b_m?, rule, modulation, clip?,
// chunk_size?) -> (outputs, h, H, E, m_used)
using PlasticRnnOutputs = std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>;
using PlasticRnnSignature = PlasticRnnOutputs(const at::Tensor&, const at::Tensor&,
                                              const at::Tensor&, const OptTensor&,
                                              const at::Tensor&, const at::Tensor&,
                                              const at::Tensor&, const at::Tensor&,
                                              const OptTensor&, const OptTensor&, const OptTensor&,
                                              const OptTensor&, c10::string_view, c10::string_view,
                                              std::optional<double>, std::optional<int64_t>);

// _plastic_rnn_forward: the same arguments; also returns the trace checkpoints (ckH, ckE) the
// backward recomputes from.
using PlasticRnnTrainOutputs =
    std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>;
using PlasticRnnForwardSignature = PlasticRnnTrainOutputs(
    const at::Tensor&, const at::Tensor&, const at::Tensor&, const OptTensor&, const at::Tensor&,
    const at::Tensor&, const at::Tensor&, const at::Tensor&, const OptTensor&, const OptTensor&,
    const OptTensor&, const OptTensor&, c10::string_view, c10::string_view, std::optional<double>,
    std::optional<int64_t>);

// _plastic_rnn_backward(g_outputs?, g_h?, g_H?, g_E?, g_m?, x, h0, W_in?, W, alpha, b, eta, E0?,
// m?, w_m?, b_m?, outputs, ckH, ckE, m_used, rule, modulation, clip?, chunk_size?)
//   -> (grad_x, grad_h0, grad_H0, grad_W_in, grad_W, grad_alpha, grad_b, grad_eta, grad_E0,
//       grad_m, grad_w_m, grad_b_m)   (absent inputs: empty [0] tensors)
using PlasticRnnGradOutputs =
    std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor,
               at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>;
using PlasticRnnBackwardSignature = PlasticRnnGradOutputs(
    const OptTensor&, const OptTensor&, const OptTensor&, const OptTensor&, const OptTensor&,
    const at::Tensor&, const at::Tensor&, const OptTensor&, const at::Tensor&, const at::Tensor&,
    const at::Tensor&, const at::Tensor&, const OptTensor&, const OptTensor&, const OptTensor&,
    const OptTensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&,
    c10::string_view, c10::string_view, std::optional<double>, std::optional<int64_t>);

// hebbian_update(H, pre, post, eta, m?, pre_mean?, post_mean?, theta?, rule, clip?, mean_rate)
//   -> (H_new, pre_mean_new, post_mean_new, theta_new)
using HebbianUpdateOutputs = std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor>;
using HebbianUpdateSignature = HebbianUpdateOutputs(const at::Tensor&, const at::Tensor&,
                                                    const at::Tensor&, const at::Tensor&,
                                                    const OptTensor&, const OptTensor&,
                                                    const OptTensor&, const OptTensor&,
                                                    c10::string_view, std::optional<double>,
                                                    double);

const c10::TypedOperatorHandle<PlasticRnnSignature>& plastic_rnn_op();
const c10::TypedOperatorHandle<PlasticRnnForwardSignature>& plastic_rnn_forward_op();
const c10::TypedOperatorHandle<PlasticRnnBackwardSignature>& plastic_rnn_backward_op();
const c10::TypedOperatorHandle<HebbianUpdateSignature>& hebbian_update_op();

inline OptTensor optional_of(const at::Tensor& t) {
  return t.defined() ? OptTensor(t) : std::nullopt;
}
inline at::Tensor value_or_undefined(const OptTensor& t) {
  return t.has_value() ? *t : at::Tensor();
}

} // namespace engram::ops::detail
