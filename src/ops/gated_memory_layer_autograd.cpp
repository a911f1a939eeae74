// The Autograd kernel of engram::gated_memory_layer: a torch::autograd::Function whose forward
// calls engram::_gated_memory_layer_forward below the Autograd key (it also returns the gate
// activations and cell states the backward reads) and whose backward calls
// engram::_gated_memory_layer_backward, so both run on the CPU, CUDA or Meta kernel the
// dispatcher picks. Without a gradient to record it redispatches gated_memory_layer itself.
// Also the C++ entry point engram::ops::gated_memory_layer, which calls the operator.
#include <engram/ops/detail/op_handles.h>
#include <engram/ops/gated_memory_layer.h>

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/autograd.h>
#include <torch/library.h>

namespace engram::ops {
namespace {

using detail::OptTensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// What the node saves, by name.
enum SavedSlot : size_t {
  kSavedX,
  kSavedH0,
  kSavedC0,
  kSavedWIh,
  kSavedWHh,
  kSavedBias,
  kSavedPeephole,
  kSavedOutput,
  kSavedGates,
  kSavedCells,
  kSavedTanhCells,
  kSavedCount
};

// The forward's outputs (and the gradients backward receives), by name.
enum OutputSlot : size_t { kOutOutput, kOutHN, kOutCN, kOutCount };

// The position of every forward argument in the gradient list backward returns (the order of
// the schema, and of _gated_memory_layer_backward's output_mask and results).
enum InputSlot : size_t { kInX, kInH0, kInC0, kInWIh, kInWHh, kInBias, kInPeephole, kInCount };

OptTensor optional_saved(const variable_list& saved, SavedSlot slot) {
  return detail::optional_of(saved[slot]);
}

OptTensor optional_grad(const variable_list& grads, OutputSlot slot) {
  return detail::optional_of(grads[slot]);
}

struct GatedMemoryLayerFunction : public torch::autograd::Function<GatedMemoryLayerFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& h0,
                               const at::Tensor& c0, const at::Tensor& w_ih, const at::Tensor& w_hh,
                               const OptTensor& bias, const OptTensor& peephole) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    auto [output, h_n, c_n, gates, cells, tanh_cells] =
        detail::gated_memory_layer_forward_op().call(x, h0, c0, w_ih, w_hh, bias, peephole);
    ctx->set_materialize_grads(false);
    variable_list saved(kSavedCount);
    saved[kSavedX] = x;
    saved[kSavedH0] = h0;
    saved[kSavedC0] = c0;
    saved[kSavedWIh] = w_ih;
    saved[kSavedWHh] = w_hh;
    saved[kSavedBias] = detail::value_or_undefined(bias);
    saved[kSavedPeephole] = detail::value_or_undefined(peephole);
    saved[kSavedOutput] = output;
    saved[kSavedGates] = gates;
    saved[kSavedCells] = cells;
    saved[kSavedTanhCells] = tanh_cells;
    ctx->save_for_backward(saved);
    variable_list result(kOutCount);
    result[kOutOutput] = output;
    result[kOutHN] = h_n;
    result[kOutCN] = c_n;
    return result;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "gated_memory_layer: backward with create_graph=true (double backward) is not "
                "supported; for higher orders use reference::gated_memory_layer "
                "(GatedWorkingMemoryOptions::fused(false))");
    const variable_list saved = ctx->get_saved_variables();
    // needs_input_grad counts the tensor arguments that were given (an absent bias or peephole
    // is no input of the node).
    const bool present[kInCount] = {
        true, true, true, true, true, saved[kSavedBias].defined(), saved[kSavedPeephole].defined()};
    std::array<bool, kInCount> mask{};
    for (size_t slot = 0, edge = 0; slot < kInCount; ++slot) {
      mask[slot] = present[slot] && ctx->needs_input_grad(edge++);
    }
    variable_list result(kInCount);
    if (grads[kOutOutput].defined() || grads[kOutHN].defined() || grads[kOutCN].defined()) {
      at::AutoDispatchBelowADInplaceOrView below_autograd;
      const auto [g_x, g_h0, g_c0, g_w_ih, g_w_hh, g_bias, g_peephole] =
          detail::gated_memory_layer_backward_op().call(
              optional_grad(grads, kOutOutput), optional_grad(grads, kOutHN),
              optional_grad(grads, kOutCN), saved[kSavedX], saved[kSavedH0], saved[kSavedC0],
              saved[kSavedWIh], saved[kSavedWHh], optional_saved(saved, kSavedBias),
              optional_saved(saved, kSavedPeephole), saved[kSavedOutput], saved[kSavedGates],
              saved[kSavedCells], saved[kSavedTanhCells], mask);
      const auto wanted = [&](InputSlot slot, const at::Tensor& g) {
        return mask[slot] ? g : at::Tensor();
      };
      result[kInX] = wanted(kInX, g_x);
      result[kInH0] = wanted(kInH0, g_h0);
      result[kInC0] = wanted(kInC0, g_c0);
      result[kInWIh] = wanted(kInWIh, g_w_ih);
      result[kInWHh] = wanted(kInWHh, g_w_hh);
      result[kInBias] = saved[kSavedBias].defined() ? wanted(kInBias, g_bias) : at::Tensor();
      result[kInPeephole] =
          saved[kSavedPeephole].defined() ? wanted(kInPeephole, g_peephole) : at::Tensor();
    }
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

detail::GatedMemoryLayerOutputs
gated_memory_layer_autograd(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& c0,
                            const at::Tensor& w_ih, const at::Tensor& w_hh, const OptTensor& bias,
                            const OptTensor& peephole) {
  if (!at::GradMode::is_enabled() ||
      !any_requires_grad({&x, &h0, &c0, &w_ih, &w_hh}, {&bias, &peephole})) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    return detail::gated_memory_layer_op().call(x, h0, c0, w_ih, w_hh, bias, peephole);
  }
  const auto out = GatedMemoryLayerFunction::apply(x, h0, c0, w_ih, w_hh, bias, peephole);
  return {out[kOutOutput], out[kOutHN], out[kOutCN]};
}

} // namespace

TORCH_LIBRARY_IMPL(engram, Autograd, m) {
  m.impl("gated_memory_layer", TORCH_FN(gated_memory_layer_autograd));
}

GatedMemoryLayerResult gated_memory_layer(const at::Tensor& x, const at::Tensor& h0,
                                          const at::Tensor& c0, const at::Tensor& w_ih,
                                          const at::Tensor& w_hh, const at::Tensor& bias,
                                          const at::Tensor& peephole) {
  auto [output, h_n, c_n] = detail::gated_memory_layer_op().call(
      x, h0, c0, w_ih, w_hh, detail::optional_of(bias), detail::optional_of(peephole));
  return {output, h_n, c_n};
}

} // namespace engram::ops
