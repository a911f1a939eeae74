// Unrolled pure-ATen plastic_rnn: the semantics written as plainly as possible.
#include <engram/ops/detail/plastic_rnn_checks.h>
#include <engram/ops/plastic_rnn.h>

namespace engram::ops::reference {

PlasticRnnResult plastic_rnn(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                             const at::Tensor& W_in, const at::Tensor& W, const at::Tensor& alpha,
                             const at::Tensor& b, const at::Tensor& eta,
                             const PlasticRnnModulationInputs& mod,
                             const PlasticRnnOptions& options) {
  const auto d = detail::check_plastic_rnn("reference::plastic_rnn", x, h0, H0, W_in, W, alpha, b,
                                           eta, mod, options);
  const bool oja = options.rule() == HebbianRule::kOja;
  const auto modulation = options.modulation();
  const at::Tensor U = W_in.defined() ? at::matmul(x, W_in.t()) + b : x + b;
  // alpha in W's [post, pre] layout, broadcastable against Hᵀ [B, post, pre].
  at::Tensor alpha_w;
  switch (d.alpha_shape) {
  case AlphaShape::kPerConnection:
    alpha_w = alpha;
    break;
  case AlphaShape::kPerNeuron:
    alpha_w = alpha.unsqueeze(1);
    break;
  case AlphaShape::kScalar:
    alpha_w = alpha.reshape({});
    break;
  }
  const at::Tensor rate = eta.reshape({});
  at::Tensor h = h0;
  at::Tensor H = H0;
  at::Tensor E;
  if (modulation == Modulation::kRetroactive) {
    E = mod.E0.defined() ? mod.E0 : at::zeros_like(H0);
  }
  std::vector<at::Tensor> outputs;
  std::vector<at::Tensor> ms;
  outputs.reserve(static_cast<size_t>(d.T));
  for (int64_t t = 0; t < d.T; ++t) {
    const at::Tensor W_eff = W + alpha_w * H.transpose(1, 2);
    const at::Tensor y = at::tanh(U[t] + at::bmm(W_eff, h.unsqueeze(2)).squeeze(2));
    const at::Tensor pre = h.unsqueeze(2);
    const at::Tensor post = y.unsqueeze(1);
    const at::Tensor D = oja ? post * (pre - post * H) : pre * post;
    at::Tensor H_new;
    if (modulation == Modulation::kNone) {
      H_new = oja ? H + rate * D : (1 - rate) * H + rate * D;
    } else {
      at::Tensor m_t;
      if (d.given_m) {
        m_t = mod.m[t];
      } else {
        m_t = at::matmul(y, mod.w_m);
        if (mod.b_m.defined()) {
          m_t = m_t + mod.b_m.reshape({});
        }
        m_t = at::tanh(m_t);
      }
      ms.push_back(m_t);
      const at::Tensor m3 = m_t.view({d.B, 1, 1});
      if (modulation == Modulation::kSimple) {
        H_new = H + m3 * D;
      } else {
        H_new = H + m3 * E;
        E = (1 - rate) * E + rate * D;
      }
    }
    H = options.clip() ? at::clamp(H_new, -*options.clip(), *options.clip()) : H_new;
    h = y;
    outputs.push_back(y);
  }
  PlasticRnnResult result;
  result.outputs = d.T > 0 ? at::stack(outputs) : at::empty({0, d.B, d.N}, h0.options());
  result.h = h;
  result.H = H;
  result.E = E;
  if (d.modulated) {
    result.m = d.T > 0 ? at::stack(ms) : at::empty({0, d.B}, h0.options());
  }
  return result;
}

} // namespace engram::ops::reference
