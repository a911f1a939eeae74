// The plastic ops as dispatcher operators torch.ops.engram.plastic_rnn / hebbian_update, with
// CPU and CUDA kernels (forward only, no graph) and an Autograd kernel (the memory-lean Function).
// Other engram areas that add operators use TORCH_LIBRARY_FRAGMENT(engram, m).
#include <engram/ops/hebbian_update.h>
#include <engram/ops/plastic_rnn.h>

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <tuple>

namespace engram::ops {
namespace {

using PlasticTuple = std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>;
using HebbTuple = std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor>;

at::Tensor or_empty(const at::Tensor& t, const at::Tensor& like) {
  return t.defined() ? t : at::empty({0}, like.options());
}

at::Tensor value_or_undefined(const std::optional<at::Tensor>& t) {
  return t.has_value() ? *t : at::Tensor();
}

PlasticTuple plastic_rnn_op(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                            const std::optional<at::Tensor>& W_in, const at::Tensor& W,
                            const at::Tensor& alpha, const at::Tensor& b, const at::Tensor& eta,
                            const std::optional<at::Tensor>& E0, const std::optional<at::Tensor>& m,
                            const std::optional<at::Tensor>& w_m,
                            const std::optional<at::Tensor>& b_m, c10::string_view rule,
                            c10::string_view modulation, std::optional<double> clip,
                            std::optional<int64_t> chunk_size) {
  PlasticRnnOptions opt;
  opt.rule(parse_hebbian_rule(std::string(rule)))
      .modulation(parse_modulation(std::string(modulation)))
      .clip(clip)
      .chunk_size(chunk_size);
  PlasticRnnModulationInputs mod{value_or_undefined(E0), value_or_undefined(m),
                                 value_or_undefined(w_m), value_or_undefined(b_m)};
  const auto r = plastic_rnn(x, h0, H0, value_or_undefined(W_in), W, alpha, b, eta, mod, opt);
  return {r.outputs, r.h, r.H, or_empty(r.E, x), or_empty(r.m, x)};
}

PlasticTuple plastic_rnn_no_grad(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                                 const std::optional<at::Tensor>& W_in, const at::Tensor& W,
                                 const at::Tensor& alpha, const at::Tensor& b,
                                 const at::Tensor& eta, const std::optional<at::Tensor>& E0,
                                 const std::optional<at::Tensor>& m,
                                 const std::optional<at::Tensor>& w_m,
                                 const std::optional<at::Tensor>& b_m, c10::string_view rule,
                                 c10::string_view modulation, std::optional<double> clip,
                                 std::optional<int64_t> chunk_size) {
  at::NoGradGuard no_grad;
  return plastic_rnn_op(x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m, rule, modulation, clip,
                        chunk_size);
}

HebbTuple hebbian_update_op(const at::Tensor& H, const at::Tensor& pre, const at::Tensor& post,
                            const at::Tensor& eta, const std::optional<at::Tensor>& m,
                            const std::optional<at::Tensor>& pre_mean,
                            const std::optional<at::Tensor>& post_mean,
                            const std::optional<at::Tensor>& theta, c10::string_view rule,
                            std::optional<double> clip, double mean_rate) {
  HebbianUpdateOptions opt;
  opt.rule(parse_hebbian_rule(std::string(rule))).clip(clip).mean_rate(mean_rate);
  HebbianState state{value_or_undefined(pre_mean), value_or_undefined(post_mean),
                     value_or_undefined(theta)};
  const auto r = hebbian_update(H, pre, post, eta, value_or_undefined(m), state, opt);
  return {r.H, or_empty(r.state.pre_mean, H), or_empty(r.state.post_mean, H),
          or_empty(r.state.theta, H)};
}

HebbTuple hebbian_update_no_grad(const at::Tensor& H, const at::Tensor& pre, const at::Tensor& post,
                                 const at::Tensor& eta, const std::optional<at::Tensor>& m,
                                 const std::optional<at::Tensor>& pre_mean,
                                 const std::optional<at::Tensor>& post_mean,
                                 const std::optional<at::Tensor>& theta, c10::string_view rule,
                                 std::optional<double> clip, double mean_rate) {
  at::NoGradGuard no_grad;
  return hebbian_update_op(H, pre, post, eta, m, pre_mean, post_mean, theta, rule, clip, mean_rate);
}

} // namespace

TORCH_LIBRARY(engram, m) {
  m.def("plastic_rnn(Tensor x, Tensor h0, Tensor H0, Tensor? W_in, Tensor W, Tensor alpha, "
        "Tensor b, Tensor eta, Tensor? E0=None, Tensor? m=None, Tensor? w_m=None, "
        "Tensor? b_m=None, str rule=\"hebb\", str modulation=\"none\", float? clip=None, "
        "int? chunk_size=None) -> (Tensor outputs, Tensor h, Tensor H, Tensor E, Tensor m_used)");
  m.def("hebbian_update(Tensor H, Tensor pre, Tensor post, Tensor eta, Tensor? m=None, "
        "Tensor? pre_mean=None, Tensor? post_mean=None, Tensor? theta=None, "
        "str rule=\"hebb\", float? clip=None, float mean_rate=0.1) -> "
        "(Tensor H_new, Tensor pre_mean_new, Tensor post_mean_new, Tensor theta_new)");
}

TORCH_LIBRARY_IMPL(engram, CPU, m) {
  m.impl("plastic_rnn", TORCH_FN(plastic_rnn_no_grad));
  m.impl("hebbian_update", TORCH_FN(hebbian_update_no_grad));
}

TORCH_LIBRARY_IMPL(engram, CUDA, m) {
  m.impl("plastic_rnn", TORCH_FN(plastic_rnn_no_grad));
  m.impl("hebbian_update", TORCH_FN(hebbian_update_no_grad));
}

TORCH_LIBRARY_IMPL(engram, Autograd, m) {
  m.impl("plastic_rnn", TORCH_FN(plastic_rnn_op));
  m.impl("hebbian_update", TORCH_FN(hebbian_update_op));
}

} // namespace engram::ops
