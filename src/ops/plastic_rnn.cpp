// plastic_rnn: argument preparation, device dispatch and the memory-lean autograd Function.
#include <engram/ops/plastic_rnn.h>

#include <engram/ops/detail/plastic_rnn_checks.h>
#include <engram/ops/detail/plastic_rnn_device.h>
#include <engram/ops/detail/plastic_rnn_kernel.h>

#include <engram/config.h>

#include <c10/core/DeviceGuard.h>
#include <torch/autograd.h>

namespace engram::ops {
namespace detail {
namespace {

at::Tensor alpha_pre_post(const at::Tensor& alpha, AlphaShape kind, int64_t N) {
  switch (kind) {
  case AlphaShape::kPerConnection:
    return alpha.t().contiguous();
  case AlphaShape::kPerNeuron:
    return alpha.reshape({1, N}).expand({N, N}).contiguous();
  case AlphaShape::kScalar:
    break;
  }
  return alpha.reshape({1, 1}).expand({N, N}).contiguous();
}

at::Tensor maybe_contiguous(const at::Tensor& t) {
  return t.defined() ? t.contiguous() : t;
}

template <typename S>
const S* ptr_or_null(const at::Tensor& t) {
  return t.defined() && t.numel() > 0 ? t.data_ptr<S>() : nullptr;
}

template <typename S>
S* mut_ptr_or_null(const at::Tensor& t) {
  return t.defined() && t.numel() > 0 ? t.data_ptr<S>() : nullptr;
}

// The operands forward and backward both hand to the kernels, in the layouts the kernels read.
struct KernelOperands {
  at::Tensor h0, WT, A, w_m;
};

KernelOperands kernel_operands(const PlasticRnnCall& call) {
  return {call.h0.contiguous(), call.W.t().contiguous(),
          alpha_pre_post(call.alpha, call.dims.alpha_shape, call.dims.N),
          maybe_contiguous(call.w_m)};
}

// The kernel arguments forward and backward share: sizes, rule options and the operands above.
template <typename S>
PlasticRnnForwardArgs<S> shared_kernel_args(const PlasticRnnCall& call, const KernelOperands& o) {
  PlasticRnnForwardArgs<S> a;
  a.T = call.dims.T;
  a.B = call.dims.B;
  a.N = call.dims.N;
  a.oja = call.rule == HebbianRule::kOja;
  a.modulation = call.modulation;
  a.eta = call.eta_value;
  a.clip = call.clip;
  a.chunk = call.dims.chunk;
  a.h0 = o.h0.data_ptr<S>();
  a.WT = o.WT.data_ptr<S>();
  a.A = o.A.data_ptr<S>();
  a.w_m = ptr_or_null<S>(o.w_m);
  a.b_m = call.b_m_value;
  return a;
}

} // namespace

PlasticRnnForwardState plastic_rnn_forward(const PlasticRnnCall& call, bool save_checkpoints) {
  const auto& d = call.dims;
  const int64_t T = d.T, B = d.B, N = d.N;
  const at::Tensor x = call.x.contiguous();
  at::Tensor U;
  if (call.W_in.defined()) {
    U = at::addmm(call.b, x.reshape({T * B, d.I}), call.W_in.t()).view({T, B, N});
  } else {
    U = (x + call.b).contiguous();
  }
  const KernelOperands operands = kernel_operands(call);
  const at::Tensor H0 = call.H0.contiguous();
  const at::Tensor E0 = maybe_contiguous(call.E0);
  const at::Tensor m_given = maybe_contiguous(call.m);
  const auto opts = x.options();
  const bool retro = call.modulation == Modulation::kRetroactive;
  PlasticRnnForwardState st;
  st.outputs = at::empty({T, B, N}, opts);
  st.H = at::empty({B, N, N}, opts);
  st.E = retro ? at::empty({B, N, N}, opts) : at::Tensor();
  st.m = d.modulated ? at::empty({T, B}, opts) : at::Tensor();
  const int64_t K = save_checkpoints && T > 0 ? (T + d.chunk - 1) / d.chunk : 0;
  st.ckH = at::empty({K, B, N, N}, opts);
  st.ckE = retro ? at::empty({K, B, N, N}, opts) : at::Tensor();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "plastic_rnn_forward", [&] {
    auto a = shared_kernel_args<scalar_t>(call, operands);
    a.U = U.data_ptr<scalar_t>();
    a.H0 = H0.data_ptr<scalar_t>();
    a.E0 = ptr_or_null<scalar_t>(E0);
    a.m_given = ptr_or_null<scalar_t>(m_given);
    a.out = mut_ptr_or_null<scalar_t>(st.outputs);
    a.H = mut_ptr_or_null<scalar_t>(st.H);
    a.E = mut_ptr_or_null<scalar_t>(st.E);
    a.m_used = mut_ptr_or_null<scalar_t>(st.m);
    a.ckH = mut_ptr_or_null<scalar_t>(st.ckH);
    a.ckE = mut_ptr_or_null<scalar_t>(st.ckE);
    if (B == 0 || N == 0) {
      return;
    }
    if (x.is_cuda()) {
      const c10::DeviceGuard guard(x.device());
      plastic_rnn_forward_device(a);
    } else {
      plastic_rnn_forward_cpu(a);
    }
  });
  st.h = T > 0 ? st.outputs[T - 1].clone() : operands.h0.clone();
  return st;
}

} // namespace detail

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

detail::PlasticRnnCall make_call(const detail::PlasticRnnDims& d, const at::Tensor& x,
                                 const at::Tensor& h0, const at::Tensor& H0, const at::Tensor& W_in,
                                 const at::Tensor& W, const at::Tensor& alpha, const at::Tensor& b,
                                 const at::Tensor& eta, const at::Tensor& E0, const at::Tensor& m,
                                 const at::Tensor& w_m, const at::Tensor& b_m, int64_t rule,
                                 int64_t modulation, double clip) {
  detail::PlasticRnnCall c;
  c.dims = d;
  c.x = x;
  c.h0 = h0;
  c.H0 = H0;
  c.W_in = W_in;
  c.W = W;
  c.alpha = alpha;
  c.b = b;
  c.eta = eta;
  c.E0 = E0;
  c.m = m;
  c.w_m = w_m;
  c.b_m = b_m;
  c.rule = static_cast<HebbianRule>(rule);
  c.modulation = static_cast<Modulation>(modulation);
  c.clip = clip;
  c.eta_value = eta.item<double>();
  c.b_m_value = b_m.defined() ? b_m.item<double>() : 0.0;
  return c;
}

at::Tensor empty_if_undefined(const at::Tensor& t, const at::Tensor& like) {
  return t.defined() ? t : at::empty({0}, like.options());
}

at::Tensor undefined_if_empty_marker(const at::Tensor& t) {
  return t.defined() && t.dim() == 1 && t.numel() == 0 ? at::Tensor() : t;
}

// Sums a per-sample [B, ...] gradient and reshapes it like `param`.
at::Tensor reduce_like(const at::Tensor& per_sample, const at::Tensor& param) {
  return per_sample.sum(0).reshape(param.sizes());
}

struct PlasticRnnFunction : public torch::autograd::Function<PlasticRnnFunction> {
  // Absent optional tensors travel as empty [0] markers (autograd needs defined inputs).
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& h0,
                               const at::Tensor& H0, const at::Tensor& W_in_marker,
                               const at::Tensor& W, const at::Tensor& alpha, const at::Tensor& b,
                               const at::Tensor& eta, const at::Tensor& E0_marker,
                               const at::Tensor& m_marker, const at::Tensor& w_m_marker,
                               const at::Tensor& b_m_marker, int64_t rule, int64_t modulation,
                               double clip, int64_t chunk, int64_t alpha_shape) {
    const at::Tensor W_in = undefined_if_empty_marker(W_in_marker);
    const at::Tensor E0 = undefined_if_empty_marker(E0_marker);
    const at::Tensor m = undefined_if_empty_marker(m_marker);
    const at::Tensor w_m = undefined_if_empty_marker(w_m_marker);
    const at::Tensor b_m = undefined_if_empty_marker(b_m_marker);
    detail::PlasticRnnDims d;
    d.T = x.size(0);
    d.B = x.size(1);
    d.I = x.size(2);
    d.N = h0.size(1);
    d.alpha_shape = static_cast<AlphaShape>(alpha_shape);
    d.modulated = static_cast<Modulation>(modulation) != Modulation::kNone;
    d.given_m = m.defined();
    d.chunk = chunk;
    const auto call =
        make_call(d, x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m, rule, modulation, clip);
    auto st = detail::plastic_rnn_forward(call, /*save_checkpoints=*/true);
    ctx->set_materialize_grads(false);
    ctx->saved_data["rule"] = rule;
    ctx->saved_data["modulation"] = modulation;
    ctx->saved_data["clip"] = clip;
    ctx->saved_data["chunk"] = chunk;
    ctx->saved_data["alpha_shape"] = alpha_shape;
    ctx->saved_data["I"] = d.I;
    int64_t saved = st.ckH.nbytes();
    if (st.ckE.defined()) {
      saved += static_cast<int64_t>(st.ckE.nbytes());
    }
    ctx->saved_data["saved_bytes"] = saved;
    const at::Tensor E_out = empty_if_undefined(st.E, x);
    const at::Tensor m_out = empty_if_undefined(st.m, x);
    ctx->save_for_backward({x, h0, W_in_marker, W, alpha, b, eta, m_marker, w_m_marker, b_m_marker,
                            st.outputs, st.ckH, empty_if_undefined(st.ckE, x), m_out, E0_marker});
    return {st.outputs, st.h, st.H, E_out, m_out};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "plastic_rnn: backward with create_graph=true (double backward) is not "
                "supported; the gradients it returns are not differentiable");
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& h0 = saved[1];
    const at::Tensor W_in = undefined_if_empty_marker(saved[2]);
    const at::Tensor& W = saved[3];
    const at::Tensor& alpha = saved[4];
    const at::Tensor& b = saved[5];
    const at::Tensor& eta = saved[6];
    const at::Tensor m_given = undefined_if_empty_marker(saved[7]);
    const at::Tensor w_m = undefined_if_empty_marker(saved[8]);
    const at::Tensor b_m = undefined_if_empty_marker(saved[9]);
    detail::PlasticRnnDims d;
    d.T = x.size(0);
    d.B = x.size(1);
    d.I = x.size(2);
    d.N = h0.size(1);
    d.alpha_shape = static_cast<AlphaShape>(ctx->saved_data["alpha_shape"].toInt());
    const auto modulation = static_cast<Modulation>(ctx->saved_data["modulation"].toInt());
    d.modulated = modulation != Modulation::kNone;
    d.given_m = m_given.defined();
    d.chunk = ctx->saved_data["chunk"].toInt();
    auto call = make_call(d, x, h0, at::Tensor(), W_in, W, alpha, b, eta, at::Tensor(), m_given,
                          w_m, b_m, ctx->saved_data["rule"].toInt(),
                          static_cast<int64_t>(modulation), ctx->saved_data["clip"].toDouble());
    detail::PlasticRnnSaved s;
    s.outputs = saved[10];
    s.ckH = saved[11];
    s.ckE = undefined_if_empty_marker(saved[12]);
    s.m_used = undefined_if_empty_marker(saved[13]);
    s.E0 = undefined_if_empty_marker(saved[14]);
    detail::PlasticRnnGrads in;
    in.g_out = grads[0];
    in.g_h = grads[1];
    in.g_H = grads[2];
    in.g_E = undefined_if_empty_marker(grads[3]);
    in.g_m = undefined_if_empty_marker(grads[4]);
    const auto g = x.is_cuda() ? detail::plastic_rnn_backward_by_chunks(call, s, in)
                               : detail::plastic_rnn_backward_fused(call, s, in);
    return {g.x,          g.h0,         g.H0,         g.W_in,       g.W,         g.alpha,
            g.b,          g.eta,        g.E0,         g.m,          g.w_m,       g.b_m,
            at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

} // namespace

namespace detail {

PlasticRnnInputGrads plastic_rnn_backward_fused(const PlasticRnnCall& call,
                                                const PlasticRnnSaved& s,
                                                const PlasticRnnGrads& in) {
  const auto& d = call.dims;
  const int64_t T = d.T, B = d.B, N = d.N, I = d.I;
  const auto opts = call.x.options();
  const bool retro = call.modulation == Modulation::kRetroactive;
  const KernelOperands operands = kernel_operands(call);
  const at::Tensor g_out = maybe_contiguous(in.g_out);
  const at::Tensor g_h = maybe_contiguous(in.g_h);
  const at::Tensor g_H = maybe_contiguous(in.g_H);
  const at::Tensor g_E = maybe_contiguous(in.g_E);
  const at::Tensor g_m = maybe_contiguous(in.g_m);
  const at::Tensor& h0 = operands.h0;
  const at::Tensor g_a = at::empty({T, B, N}, opts);
  PlasticRnnInputGrads r;
  r.h0 = at::empty({B, N}, opts);
  r.H0 = at::empty({B, N, N}, opts);
  r.E0 = retro ? at::empty({B, N, N}, opts) : at::Tensor();
  const at::Tensor g_A = at::empty({B, N, N}, opts);
  const at::Tensor g_eta = at::zeros({B}, opts);
  const bool head = d.modulated && !d.given_m;
  const at::Tensor g_m_given = d.given_m ? at::zeros({T, B}, opts) : at::Tensor();
  const at::Tensor g_w_m = head ? at::zeros({B, N}, opts) : at::Tensor();
  const at::Tensor g_b_m = head ? at::zeros({B}, opts) : at::Tensor();
  if (T == 0 || B == 0 || N == 0) {
    r.h0 = g_h.defined() ? g_h.clone() : at::zeros({B, N}, opts);
    r.H0 = g_H.defined() ? g_H.clone() : at::zeros({B, N, N}, opts);
    g_A.zero_();
    if (retro) {
      r.E0 = g_E.defined() ? g_E.clone() : at::zeros({B, N, N}, opts);
    }
  } else {
    AT_DISPATCH_FLOATING_TYPES(call.x.scalar_type(), "plastic_rnn_backward", [&] {
      PlasticRnnBackwardArgs<scalar_t> g;
      g.fwd = shared_kernel_args<scalar_t>(call, operands);
      auto& a = g.fwd;
      a.out = s.outputs.data_ptr<scalar_t>();
      a.m_used = mut_ptr_or_null<scalar_t>(s.m_used);
      a.m_given = d.given_m ? a.m_used : nullptr;
      a.ckH = s.ckH.data_ptr<scalar_t>();
      a.ckE = mut_ptr_or_null<scalar_t>(s.ckE);
      g.g_out = ptr_or_null<scalar_t>(g_out);
      g.g_h = ptr_or_null<scalar_t>(g_h);
      g.g_H = ptr_or_null<scalar_t>(g_H);
      g.g_E = ptr_or_null<scalar_t>(g_E);
      g.g_m = ptr_or_null<scalar_t>(g_m);
      g.g_a = g_a.data_ptr<scalar_t>();
      g.g_h0 = r.h0.data_ptr<scalar_t>();
      g.g_H0 = r.H0.data_ptr<scalar_t>();
      g.g_E0 = mut_ptr_or_null<scalar_t>(r.E0);
      g.g_A = g_A.data_ptr<scalar_t>();
      g.g_eta = g_eta.data_ptr<scalar_t>();
      g.g_m_given = mut_ptr_or_null<scalar_t>(g_m_given);
      g.g_w_m = mut_ptr_or_null<scalar_t>(g_w_m);
      g.g_b_m = mut_ptr_or_null<scalar_t>(g_b_m);
      plastic_rnn_backward_cpu(g);
    });
  }
  // The input-side gradients are batched GEMMs over all steps at once.
  const at::Tensor ga2 = g_a.view({T * B, N});
  r.b = ga2.sum(0);
  if (call.W_in.defined()) {
    const at::Tensor x2 = call.x.reshape({T * B, I});
    r.W_in = at::mm(ga2.t(), x2);
    r.x = at::matmul(g_a, call.W_in);
  } else {
    r.x = g_a;
  }
  const at::Tensor h_prev =
      T > 0 ? at::cat({h0.unsqueeze(0), s.outputs.narrow(0, 0, T - 1)}, 0) : s.outputs;
  r.W = at::mm(ga2.t(), h_prev.reshape({T * B, N}));
  const at::Tensor gA = g_A.sum(0); // [pre, post]
  switch (d.alpha_shape) {
  case AlphaShape::kPerConnection:
    r.alpha = gA.t().contiguous();
    break;
  case AlphaShape::kPerNeuron:
    r.alpha = gA.sum(0);
    break;
  case AlphaShape::kScalar:
    r.alpha = gA.sum().reshape(call.alpha.sizes());
    break;
  }
  r.eta = call.modulation == Modulation::kSimple ? at::zeros_like(call.eta)
                                                 : reduce_like(g_eta, call.eta);
  if (d.given_m) {
    r.m = g_m_given;
  }
  if (head) {
    r.w_m = g_w_m.sum(0);
    if (call.b_m.defined()) {
      r.b_m = reduce_like(g_b_m, call.b_m);
    }
  }
  return r;
}

PlasticRnnInputGrads plastic_rnn_backward_by_chunks(const PlasticRnnCall& call,
                                                    const PlasticRnnSaved& s,
                                                    const PlasticRnnGrads& in) {
  // Exact backward by re-running the reference on one checkpoint interval at a time: memory
  // stays O(chunk · B·N²). Used where no fused backward kernel exists (CUDA).
  const auto& d = call.dims;
  const int64_t T = d.T, C = d.chunk;
  const bool retro = call.modulation == Modulation::kRetroactive;
  at::AutoGradMode enable_grad(true);
  const auto leaf = [](const at::Tensor& t) {
    return t.defined() ? t.detach().requires_grad_(true) : t;
  };
  const at::Tensor W_in = leaf(call.W_in), W = leaf(call.W), alpha = leaf(call.alpha),
                   b = leaf(call.b), eta = leaf(call.eta), w_m = leaf(call.w_m),
                   b_m = leaf(call.b_m);
  PlasticRnnInputGrads r;
  const auto accumulate = [](at::Tensor& acc, const at::Tensor& g) {
    if (!g.defined()) {
      return;
    }
    acc = acc.defined() ? acc + g : g;
  };
  at::Tensor gh = in.g_h.defined() ? in.g_h : at::zeros_like(call.h0);
  at::Tensor gH = in.g_H.defined() ? in.g_H : at::zeros({d.B, d.N, d.N}, call.h0.options());
  at::Tensor gE;
  if (retro) {
    gE = in.g_E.defined() ? in.g_E : at::zeros_like(gH);
  }
  std::vector<at::Tensor> gx_parts, gm_parts;
  PlasticRnnOptions opt;
  opt.rule(call.rule).modulation(call.modulation);
  if (call.clip > 0) {
    opt.clip(call.clip);
  }
  const int64_t K = T > 0 ? (T + C - 1) / C : 0;
  for (int64_t k = K - 1; k >= 0; --k) {
    const int64_t t0 = k * C, t1 = std::min(T, t0 + C);
    const at::Tensor x_k = leaf(call.x.narrow(0, t0, t1 - t0));
    const at::Tensor h_k = leaf(t0 == 0 ? call.h0 : s.outputs[t0 - 1]);
    const at::Tensor H_k = leaf(s.ckH[k]);
    const at::Tensor E_k = retro ? leaf(s.ckE[k]) : at::Tensor();
    const at::Tensor m_k = d.given_m ? leaf(s.m_used.narrow(0, t0, t1 - t0)) : at::Tensor();
    PlasticRnnModulationInputs mod;
    mod.E0 = E_k;
    mod.m = m_k;
    mod.w_m = d.given_m ? at::Tensor() : w_m;
    mod.b_m = d.given_m ? at::Tensor() : b_m;
    const auto out = reference::plastic_rnn(x_k, h_k, H_k, W_in, W, alpha, b, eta, mod, opt);
    std::vector<at::Tensor> outputs{out.h, out.H};
    std::vector<at::Tensor> grad_outputs{gh, gH};
    if (in.g_out.defined()) {
      outputs.push_back(out.outputs);
      grad_outputs.push_back(in.g_out.narrow(0, t0, t1 - t0));
    }
    if (retro) {
      outputs.push_back(out.E);
      grad_outputs.push_back(gE);
    }
    if (in.g_m.defined() && d.modulated) {
      outputs.push_back(out.m);
      grad_outputs.push_back(in.g_m.narrow(0, t0, t1 - t0));
    }
    std::vector<at::Tensor> inputs{x_k, h_k, H_k};
    for (const auto& p : {W_in, W, alpha, b, eta, w_m, b_m, E_k, m_k}) {
      inputs.push_back(p.defined() ? p : h_k); // placeholder keeps positions; result ignored
    }
    const auto g = torch::autograd::grad(outputs, inputs, grad_outputs, /*retain_graph=*/false,
                                         /*create_graph=*/false, /*allow_unused=*/true);
    gx_parts.insert(gx_parts.begin(), g[0].defined() ? g[0] : at::zeros_like(x_k));
    gh = g[1].defined() ? g[1] : at::zeros_like(h_k);
    gH = g[2].defined() ? g[2] : at::zeros_like(H_k);
    if (W_in.defined()) {
      accumulate(r.W_in, g[3]);
    }
    accumulate(r.W, g[4]);
    accumulate(r.alpha, g[5]);
    accumulate(r.b, g[6]);
    accumulate(r.eta, g[7]);
    if (w_m.defined() && !d.given_m) {
      accumulate(r.w_m, g[8]);
    }
    if (b_m.defined() && !d.given_m) {
      accumulate(r.b_m, g[9]);
    }
    if (retro) {
      gE = g[10].defined() ? g[10] : at::zeros_like(E_k);
    }
    if (d.given_m) {
      gm_parts.insert(gm_parts.begin(), g[11].defined() ? g[11] : at::zeros_like(m_k));
    }
  }
  r.x = gx_parts.empty() ? at::zeros_like(call.x) : at::cat(gx_parts, 0);
  r.h0 = gh;
  r.H0 = gH;
  if (retro) {
    r.E0 = gE;
  }
  if (d.given_m) {
    r.m = gm_parts.empty() ? at::zeros_like(call.m) : at::cat(gm_parts, 0);
  }
  return r;
}

} // namespace detail

PlasticRnnResult plastic_rnn(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                             const at::Tensor& W_in, const at::Tensor& W, const at::Tensor& alpha,
                             const at::Tensor& b, const at::Tensor& eta,
                             const PlasticRnnModulationInputs& mod,
                             const PlasticRnnOptions& options) {
  const auto d =
      detail::check_plastic_rnn("plastic_rnn", x, h0, H0, W_in, W, alpha, b, eta, mod, options);
  const double clip = options.clip() ? *options.clip() : 0.0;
  const auto rule = static_cast<int64_t>(options.rule());
  const auto modulation = static_cast<int64_t>(options.modulation());
  bool needs_grad = false;
  for (const auto* t :
       {&x, &h0, &H0, &W_in, &W, &alpha, &b, &eta, &mod.E0, &mod.m, &mod.w_m, &mod.b_m}) {
    needs_grad = needs_grad || (t->defined() && t->requires_grad());
  }
  needs_grad = needs_grad && at::GradMode::is_enabled();
  PlasticRnnResult result;
  if (!needs_grad) {
    const auto call = make_call(d, x, h0, H0, W_in, W, alpha, b, eta, mod.E0, mod.m, mod.w_m,
                                mod.b_m, rule, modulation, clip);
    auto st = detail::plastic_rnn_forward(call, /*save_checkpoints=*/false);
    result.outputs = st.outputs;
    result.h = st.h;
    result.H = st.H;
    result.E = st.E;
    result.m = st.m;
    return result;
  }
  auto outs = PlasticRnnFunction::apply(
      x, h0, H0, empty_if_undefined(W_in, x), W, alpha, b, eta, empty_if_undefined(mod.E0, x),
      empty_if_undefined(mod.m, x), empty_if_undefined(mod.w_m, x), empty_if_undefined(mod.b_m, x),
      rule, modulation, clip, d.chunk, static_cast<int64_t>(d.alpha_shape));
  result.outputs = outs[0];
  result.h = outs[1];
  result.H = outs[2];
  if (options.modulation() == Modulation::kRetroactive) {
    result.E = outs[3];
  }
  if (d.modulated) {
    result.m = outs[4];
  }
  return result;
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
