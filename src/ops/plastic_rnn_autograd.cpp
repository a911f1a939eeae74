// The Autograd kernel of engram::plastic_rnn: a torch::autograd::Function whose forward calls
// engram::_plastic_rnn_forward below the Autograd key (it returns the trace checkpoints as well)
// and whose backward calls engram::_plastic_rnn_backward, so both run on the CPU, CUDA or Meta
// kernel the dispatcher picks. Without a gradient to record it redispatches plastic_rnn itself.
#include <engram/ops/detail/op_handles.h>
#include <engram/ops/plastic_rnn.h>

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/autograd.h>
#include <torch/library.h>

#include <string>

namespace engram::ops {
namespace {

using detail::OptTensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// What the node saves, by name.
enum SavedSlot : size_t {
  kSavedX,
  kSavedH0,
  kSavedWIn,
  kSavedW,
  kSavedAlpha,
  kSavedB,
  kSavedEta,
  kSavedE0,
  kSavedM,
  kSavedWM,
  kSavedBM,
  kSavedOutputs,
  kSavedCkH,
  kSavedCkE,
  kSavedMUsed,
  kSavedCount
};

// The forward's outputs (and the gradients backward receives), by name.
enum OutputSlot : size_t { kOutOutputs, kOutH, kOutTrace, kOutE, kOutMUsed, kOutCount };

// The position of every forward argument in the gradient list backward returns.
enum InputSlot : size_t {
  kInX,
  kInH0,
  kInH0Trace,
  kInWIn,
  kInW,
  kInAlpha,
  kInB,
  kInEta,
  kInE0,
  kInM,
  kInWM,
  kInBM,
  kInRule,
  kInModulation,
  kInClip,
  kInChunk,
  kInCount
};

OptTensor optional_saved(const variable_list& saved, SavedSlot slot) {
  return detail::optional_of(saved[slot]);
}

OptTensor optional_grad(const variable_list& grads, OutputSlot slot) {
  return detail::optional_of(grads[slot]);
}

bool symbolic(const at::Tensor& t) {
  return t.unsafeGetTensorImpl()->has_symbolic_sizes_strides();
}

struct PlasticRnnFunction : public torch::autograd::Function<PlasticRnnFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& h0,
                               const at::Tensor& H0, const OptTensor& W_in, const at::Tensor& W,
                               const at::Tensor& alpha, const at::Tensor& b, const at::Tensor& eta,
                               const OptTensor& E0, const OptTensor& m, const OptTensor& w_m,
                               const OptTensor& b_m, const std::string& rule,
                               const std::string& modulation, std::optional<double> clip,
                               std::optional<int64_t> chunk_size) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    auto [outputs, h, H, E, m_used, ckH, ckE] = detail::plastic_rnn_forward_op().call(
        x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m, rule, modulation, clip, chunk_size);
    ctx->set_materialize_grads(false);
    ctx->saved_data["rule"] = rule;
    ctx->saved_data["modulation"] = modulation;
    ctx->saved_data["has_clip"] = clip.has_value();
    ctx->saved_data["clip"] = clip.value_or(0.0);
    ctx->saved_data["has_chunk_size"] = chunk_size.has_value();
    ctx->saved_data["chunk_size"] = chunk_size.value_or(0);
    // Bytes of the checkpoints (unknown while sizes are symbolic, e.g. under torch.compile).
    ctx->saved_data["saved_bytes"] =
        symbolic(ckH) || symbolic(ckE)
            ? int64_t{-1}
            : static_cast<int64_t>(ckH.nbytes()) + static_cast<int64_t>(ckE.nbytes());
    variable_list saved(kSavedCount);
    saved[kSavedX] = x;
    saved[kSavedH0] = h0;
    saved[kSavedWIn] = detail::value_or_undefined(W_in);
    saved[kSavedW] = W;
    saved[kSavedAlpha] = alpha;
    saved[kSavedB] = b;
    saved[kSavedEta] = eta;
    saved[kSavedE0] = detail::value_or_undefined(E0);
    saved[kSavedM] = detail::value_or_undefined(m);
    saved[kSavedWM] = detail::value_or_undefined(w_m);
    saved[kSavedBM] = detail::value_or_undefined(b_m);
    saved[kSavedOutputs] = outputs;
    saved[kSavedCkH] = ckH;
    saved[kSavedCkE] = ckE;
    saved[kSavedMUsed] = m_used;
    ctx->save_for_backward(saved);
    variable_list result(kOutCount);
    result[kOutOutputs] = outputs;
    result[kOutH] = h;
    result[kOutTrace] = H;
    result[kOutE] = E;
    result[kOutMUsed] = m_used;
    return result;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "plastic_rnn: backward with create_graph=true (double backward) is not "
                "supported; the gradients it returns are not differentiable");
    const variable_list saved = ctx->get_saved_variables();
    const std::string rule = ctx->saved_data["rule"].toStringRef();
    const std::string modulation = ctx->saved_data["modulation"].toStringRef();
    const auto clip = ctx->saved_data["has_clip"].toBool()
                          ? std::optional<double>(ctx->saved_data["clip"].toDouble())
                          : std::nullopt;
    const auto chunk_size = ctx->saved_data["has_chunk_size"].toBool()
                                ? std::optional<int64_t>(ctx->saved_data["chunk_size"].toInt())
                                : std::nullopt;
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    const auto [g_x, g_h0, g_H0, g_W_in, g_W, g_alpha, g_b, g_eta, g_E0, g_m, g_w_m, g_b_m] =
        detail::plastic_rnn_backward_op().call(
            optional_grad(grads, kOutOutputs), optional_grad(grads, kOutH),
            optional_grad(grads, kOutTrace), optional_grad(grads, kOutE),
            optional_grad(grads, kOutMUsed), saved[kSavedX], saved[kSavedH0],
            optional_saved(saved, kSavedWIn), saved[kSavedW], saved[kSavedAlpha], saved[kSavedB],
            saved[kSavedEta], optional_saved(saved, kSavedE0), optional_saved(saved, kSavedM),
            optional_saved(saved, kSavedWM), optional_saved(saved, kSavedBM), saved[kSavedOutputs],
            saved[kSavedCkH], saved[kSavedCkE], saved[kSavedMUsed], rule, modulation, clip,
            chunk_size);
    const auto present = [&](SavedSlot slot, const at::Tensor& g) {
      return saved[slot].defined() ? g : at::Tensor();
    };
    variable_list result(kInCount);
    result[kInX] = g_x;
    result[kInH0] = g_h0;
    result[kInH0Trace] = g_H0;
    result[kInWIn] = present(kSavedWIn, g_W_in);
    result[kInW] = g_W;
    result[kInAlpha] = g_alpha;
    result[kInB] = g_b;
    result[kInEta] = g_eta;
    result[kInE0] = present(kSavedE0, g_E0);
    result[kInM] = present(kSavedM, g_m);
    result[kInWM] = present(kSavedWM, g_w_m);
    result[kInBM] = present(kSavedBM, g_b_m);
    return result;
  }
};

bool any_requires_grad(std::initializer_list<const at::Tensor*> tensors,
                       std::initializer_list<const OptTensor*> optionals) {
  for (const at::Tensor* t : tensors) {
    if (t->defined() && t->requires_grad()) {
      return true;
    }
  }
  for (const OptTensor* t : optionals) {
    if (t->has_value() && (*t)->defined() && (*t)->requires_grad()) {
      return true;
    }
  }
  return false;
}

detail::PlasticRnnOutputs
plastic_rnn_autograd(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                     const OptTensor& W_in, const at::Tensor& W, const at::Tensor& alpha,
                     const at::Tensor& b, const at::Tensor& eta, const OptTensor& E0,
                     const OptTensor& m, const OptTensor& w_m, const OptTensor& b_m,
                     c10::string_view rule, c10::string_view modulation, std::optional<double> clip,
                     std::optional<int64_t> chunk_size) {
  if (!at::GradMode::is_enabled() ||
      !any_requires_grad({&x, &h0, &H0, &W, &alpha, &b, &eta}, {&W_in, &E0, &m, &w_m, &b_m})) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    return detail::plastic_rnn_op().call(x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m, rule,
                                         modulation, clip, chunk_size);
  }
  const auto out =
      PlasticRnnFunction::apply(x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m,
                                std::string(rule), std::string(modulation), clip, chunk_size);
  return {out[kOutOutputs], out[kOutH], out[kOutTrace], out[kOutE], out[kOutMUsed]};
}

} // namespace

TORCH_LIBRARY_IMPL(engram, Autograd, m) {
  m.impl("plastic_rnn", TORCH_FN(plastic_rnn_autograd));
}

int64_t plastic_rnn_saved_bytes(const at::Tensor& output) {
  if (!output.defined() || !output.grad_fn()) {
    return -1;
  }
  auto* node = dynamic_cast<torch::autograd::CppNode<PlasticRnnFunction>*>(output.grad_fn().get());
  if (node == nullptr) {
    return -1;
  }
  return node->ctx_.saved_data.at("saved_bytes").toInt();
}

} // namespace engram::ops
