// Unrolled pure-ATen gated_memory_layer: the semantics written as plainly as possible, recorded
// op by op by autograd (any device, any order of differentiation).
#include <engram/ops/detail/gated_memory_layer_checks.h>
#include <engram/ops/gated_memory_layer.h>

#include <c10/util/irange.h>

#include <vector>

namespace engram::ops::reference {

GatedMemoryLayerResult gated_memory_layer(const at::Tensor& x, const at::Tensor& h0,
                                          const at::Tensor& c0, const at::Tensor& w_ih,
                                          const at::Tensor& w_hh, const at::Tensor& bias,
                                          const at::Tensor& peephole) {
  const auto s = detail::check_gated_memory_layer("reference::gated_memory_layer", x, h0, c0, w_ih,
                                                  w_hh, bias, peephole);
  const int64_t hidden = s.H;
  const at::Tensor projected = at::linear(x, w_ih, bias);
  at::Tensor h = h0, c = c0;
  std::vector<at::Tensor> outputs;
  outputs.reserve(static_cast<size_t>(s.T));
  for (const int64_t t : c10::irange(s.T)) {
    const at::Tensor pre = projected[t] + at::mm(h, w_hh.t());
    at::Tensor a_i = pre.narrow(1, 0, hidden), a_f = pre.narrow(1, hidden, hidden);
    const at::Tensor a_g = pre.narrow(1, 2 * hidden, hidden);
    at::Tensor a_o = pre.narrow(1, 3 * hidden, hidden);
    if (peephole.defined()) {
      a_i = a_i + peephole[0] * c;
      a_f = a_f + peephole[1] * c;
    }
    c = at::sigmoid(a_f) * c + at::sigmoid(a_i) * at::tanh(a_g);
    if (peephole.defined()) {
      a_o = a_o + peephole[2] * c;
    }
    h = at::sigmoid(a_o) * at::tanh(c);
    outputs.push_back(h);
  }
  return {at::stack(outputs, 0), h, c};
}

} // namespace engram::ops::reference
