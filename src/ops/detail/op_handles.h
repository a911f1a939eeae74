#pragma once
// Typed handles of the engram operators (schemas in src/ops/library.cpp). Every C++ entry point
// calls the operators through these handles, so a C++ caller and torch.ops.engram.* take the same
// dispatcher path (Autograd → CPU / CUDA / Meta kernels).
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>

#include <array>
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

// gated_memory_layer(x, h0, c0, w_ih, w_hh, bias?, peephole?) -> (output, h_n, c_n)
using GatedMemoryLayerOutputs = std::tuple<at::Tensor, at::Tensor, at::Tensor>;
using GatedMemoryLayerSignature = GatedMemoryLayerOutputs(const at::Tensor&, const at::Tensor&,
                                                          const at::Tensor&, const at::Tensor&,
                                                          const at::Tensor&, const OptTensor&,
                                                          const OptTensor&);

// _gated_memory_layer_forward: the same arguments; also returns what the backward reads (the
// gate activations, the cell states and their tanh at every step).
using GatedMemoryLayerTrainOutputs =
    std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>;
using GatedMemoryLayerForwardSignature = GatedMemoryLayerTrainOutputs(
    const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&,
    const OptTensor&, const OptTensor&);

// _gated_memory_layer_backward(g_output?, g_h_n?, g_c_n?, x, h0, c0, w_ih, w_hh, bias?,
// peephole?, output, gates, cells, tanh_cells, output_mask)
//   -> (grad_x, grad_h0, grad_c0, grad_w_ih, grad_w_hh, grad_bias, grad_peephole)
//   (absent inputs and those outside output_mask: empty [0] tensors)
using GatedMemoryLayerGradOutputs =
    std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>;
using GatedMemoryLayerBackwardSignature = GatedMemoryLayerGradOutputs(
    const OptTensor&, const OptTensor&, const OptTensor&, const at::Tensor&, const at::Tensor&,
    const at::Tensor&, const at::Tensor&, const at::Tensor&, const OptTensor&, const OptTensor&,
    const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&,
    std::array<bool, 7>);

const c10::TypedOperatorHandle<PlasticRnnSignature>& plastic_rnn_op();
const c10::TypedOperatorHandle<PlasticRnnForwardSignature>& plastic_rnn_forward_op();
const c10::TypedOperatorHandle<PlasticRnnBackwardSignature>& plastic_rnn_backward_op();
const c10::TypedOperatorHandle<HebbianUpdateSignature>& hebbian_update_op();
const c10::TypedOperatorHandle<GatedMemoryLayerSignature>& gated_memory_layer_op();
const c10::TypedOperatorHandle<GatedMemoryLayerForwardSignature>& gated_memory_layer_forward_op();
const c10::TypedOperatorHandle<GatedMemoryLayerBackwardSignature>& gated_memory_layer_backward_op();

inline OptTensor optional_of(const at::Tensor& t) {
  return t.defined() ? OptTensor(t) : std::nullopt;
}
inline at::Tensor value_or_undefined(const OptTensor& t) {
  return t.has_value() ? *t : at::Tensor();
}

} // namespace engram::ops::detail
