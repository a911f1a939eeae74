#include <engram/ops/detail/gated_memory_layer_bptt.h>
#include <engram/ops/detail/gated_memory_layer_checks.h>

#include <engram/ops/detail/op_checks.h>

namespace engram::ops::detail {

GatedMemoryLayerSizes check_gated_memory_layer(const char* fn, const at::Tensor& x,
                                               const at::Tensor& h0, const at::Tensor& c0,
                                               const at::Tensor& w_ih, const at::Tensor& w_hh,
                                               const at::Tensor& bias, const at::Tensor& peephole) {
  check_defined(fn, "x", x);
  check_floating(fn, "x", x);
  check_like(fn, "h0", h0, "x", x);
  check_like(fn, "c0", c0, "x", x);
  check_like(fn, "w_ih", w_ih, "x", x);
  check_like(fn, "w_hh", w_hh, "x", x);
  if (bias.defined()) {
    check_like(fn, "bias", bias, "x", x);
  }
  if (peephole.defined()) {
    check_like(fn, "peephole", peephole, "x", x);
  }
  TORCH_CHECK(x.dim() == 3, fn, ": argument 'x' expected 3 dims [T, B, I], got ", x.sizes());
  TORCH_CHECK(x.size(0) > 0, fn, ": argument 'x' expected a sequence length > 0, got ", x.size(0));
  TORCH_CHECK(w_hh.dim() == 2 && w_hh.size(0) == 4 * w_hh.size(1), fn,
              ": argument 'w_hh' expected [4H, H], got ", w_hh.sizes());
  const int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = w_hh.size(1);
  check_sizes(fn, "w_ih", w_ih, {4 * H, I});
  TORCH_CHECK(h0.sizes() == at::IntArrayRef({B, H}), fn, ": argument 'h0' expected [", B, ", ", H,
              "] (batch ", B, " of the input), got ", h0.sizes());
  TORCH_CHECK(c0.sizes() == at::IntArrayRef({B, H}), fn, ": argument 'c0' expected [", B, ", ", H,
              "] (batch ", B, " of the input), got ", c0.sizes());
  if (bias.defined()) {
    check_sizes(fn, "bias", bias, {4 * H});
  }
  if (peephole.defined()) {
    check_sizes(fn, "peephole", peephole, {3, H});
  }
  return {T, B, I, H};
}

GatedMemoryInputs gated_memory_inputs(const char* fn, const at::Tensor& x, const at::Tensor& h0,
                                      const at::Tensor& c0, const at::Tensor& w_ih,
                                      const at::Tensor& w_hh, const OptTensor& bias,
                                      const OptTensor& peephole) {
  const at::Tensor b = value_or_undefined(bias), p = value_or_undefined(peephole);
  check_gated_memory_layer(fn, x, h0, c0, w_ih, w_hh, b, p);
  return {x.contiguous(),
          h0.contiguous(),
          c0.contiguous(),
          w_ih.contiguous(),
          w_hh.contiguous(),
          b.defined() ? b.contiguous() : at::Tensor(),
          p.defined() ? p.contiguous() : at::Tensor()};
}

} // namespace engram::ops::detail
