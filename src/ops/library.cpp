// The engram operator library: every schema in one place. Kernels register beside their code:
// CPU in *_cpu.cpp, CUDA in cuda/*.cpp, Meta (shape inference for fake tensors and torch.compile)
// in meta_kernels.cpp, Autograd in plastic_rnn_autograd.cpp, hebbian_update.cpp and
// gated_memory_layer_autograd.cpp. Other engram
// areas that add operators use TORCH_LIBRARY_FRAGMENT(engram, m).
#include <engram/ops/detail/op_handles.h>

#include <torch/library.h>

namespace engram::ops::detail {

TORCH_LIBRARY(engram, m) {
  m.def("plastic_rnn(Tensor x, Tensor h0, Tensor H0, Tensor? W_in, Tensor W, Tensor alpha, "
        "Tensor b, Tensor eta, Tensor? E0=None, Tensor? m=None, Tensor? w_m=None, "
        "Tensor? b_m=None, str rule=\"hebb\", str modulation=\"none\", float? clip=None, "
        "int? chunk_size=None) -> (Tensor outputs, Tensor h, Tensor H, Tensor E, Tensor m_used)");
  m.def("_plastic_rnn_forward(Tensor x, Tensor h0, Tensor H0, Tensor? W_in, Tensor W, "
        "Tensor alpha, Tensor b, Tensor eta, Tensor? E0=None, Tensor? m=None, Tensor? w_m=None, "
        "Tensor? b_m=None, str rule=\"hebb\", str modulation=\"none\", float? clip=None, "
        "int? chunk_size=None) -> (Tensor outputs, Tensor h, Tensor H, Tensor E, Tensor m_used, "
        "Tensor ckH, Tensor ckE)");
  m.def("_plastic_rnn_backward(Tensor? g_outputs, Tensor? g_h, Tensor? g_H, Tensor? g_E, "
        "Tensor? g_m, Tensor x, Tensor h0, Tensor? W_in, Tensor W, Tensor alpha, Tensor b, "
        "Tensor eta, Tensor? E0, Tensor? m, Tensor? w_m, Tensor? b_m, Tensor outputs, "
        "Tensor ckH, Tensor ckE, Tensor m_used, str rule, str modulation, float? clip, "
        "int? chunk_size) -> (Tensor grad_x, Tensor grad_h0, Tensor grad_H0, Tensor grad_W_in, "
        "Tensor grad_W, Tensor grad_alpha, Tensor grad_b, Tensor grad_eta, Tensor grad_E0, "
        "Tensor grad_m, Tensor grad_w_m, Tensor grad_b_m)");
  m.def("hebbian_update(Tensor H, Tensor pre, Tensor post, Tensor eta, Tensor? m=None, "
        "Tensor? pre_mean=None, Tensor? post_mean=None, Tensor? theta=None, "
        "str rule=\"hebb\", float? clip=None, float mean_rate=0.1) -> "
        "(Tensor H_new, Tensor pre_mean_new, Tensor post_mean_new, Tensor theta_new)");
  m.def("gated_memory_layer(Tensor x, Tensor h0, Tensor c0, Tensor w_ih, Tensor w_hh, "
        "Tensor? bias=None, Tensor? peephole=None) -> (Tensor output, Tensor h_n, Tensor c_n)");
  m.def("_gated_memory_layer_forward(Tensor x, Tensor h0, Tensor c0, Tensor w_ih, Tensor w_hh, "
        "Tensor? bias=None, Tensor? peephole=None) -> (Tensor output, Tensor h_n, Tensor c_n, "
        "Tensor gates, Tensor cells, Tensor tanh_cells)");
  m.def("_gated_memory_layer_backward(Tensor? g_output, Tensor? g_h_n, Tensor? g_c_n, Tensor x, "
        "Tensor h0, Tensor c0, Tensor w_ih, Tensor w_hh, Tensor? bias, Tensor? peephole, "
        "Tensor output, Tensor gates, Tensor cells, Tensor tanh_cells, bool[7] output_mask) -> "
        "(Tensor grad_x, Tensor grad_h0, Tensor grad_c0, Tensor grad_w_ih, Tensor grad_w_hh, "
        "Tensor grad_bias, Tensor grad_peephole)");
}

namespace {

template <typename Signature>
c10::TypedOperatorHandle<Signature> typed_handle(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "").typed<Signature>();
}

} // namespace

const c10::TypedOperatorHandle<PlasticRnnSignature>& plastic_rnn_op() {
  static const auto handle = typed_handle<PlasticRnnSignature>("engram::plastic_rnn");
  return handle;
}

const c10::TypedOperatorHandle<PlasticRnnForwardSignature>& plastic_rnn_forward_op() {
  static const auto handle =
      typed_handle<PlasticRnnForwardSignature>("engram::_plastic_rnn_forward");
  return handle;
}

const c10::TypedOperatorHandle<PlasticRnnBackwardSignature>& plastic_rnn_backward_op() {
  static const auto handle =
      typed_handle<PlasticRnnBackwardSignature>("engram::_plastic_rnn_backward");
  return handle;
}

const c10::TypedOperatorHandle<HebbianUpdateSignature>& hebbian_update_op() {
  static const auto handle = typed_handle<HebbianUpdateSignature>("engram::hebbian_update");
  return handle;
}

const c10::TypedOperatorHandle<GatedMemoryLayerSignature>& gated_memory_layer_op() {
  static const auto handle = typed_handle<GatedMemoryLayerSignature>("engram::gated_memory_layer");
  return handle;
}

const c10::TypedOperatorHandle<GatedMemoryLayerForwardSignature>& gated_memory_layer_forward_op() {
  static const auto handle =
      typed_handle<GatedMemoryLayerForwardSignature>("engram::_gated_memory_layer_forward");
  return handle;
}

const c10::TypedOperatorHandle<GatedMemoryLayerBackwardSignature>&
gated_memory_layer_backward_op() {
  static const auto handle =
      typed_handle<GatedMemoryLayerBackwardSignature>("engram::_gated_memory_layer_backward");
  return handle;
}

} // namespace engram::ops::detail
