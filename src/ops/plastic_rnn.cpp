// plastic_rnn: the validated call, the tensor-level forward around a backend's raw-pointer kernel,
// the two exact backward algorithms (fused CPU kernel; chunk-by-chunk through the reference), and
// the C++ entry point, which calls the operator through the dispatcher.
#include <engram/ops/plastic_rnn.h>

#include <engram/ops/detail/plastic_rnn_checks.h>
#include <engram/ops/detail/plastic_rnn_device.h>
#include <engram/ops/detail/plastic_rnn_kernel.h>

#include <engram/config.h>

#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/autograd.h>

namespace engram::ops {
namespace detail {
namespace {

// alpha in the kernels' [pre, post] layout: the transposed [N, N] matrix (row stride N), or a
// single [N] row that every presynaptic row i shares (row stride 0): alpha[j] per neuron, or the
// scalar repeated N times. Not expanded to N × N, so it stays in L1 across the rows.
at::Tensor alpha_pre_post(const at::Tensor& alpha, AlphaShape kind, int64_t N) {
  switch (kind) {
  case AlphaShape::kPerConnection:
    return alpha.t().contiguous();
  case AlphaShape::kPerNeuron:
    return alpha.reshape({N}).contiguous();
  case AlphaShape::kScalar:
    break;
  }
  return alpha.reshape({1}).expand({N}).contiguous();
}

int64_t alpha_row_stride(AlphaShape kind, int64_t N) {
  return kind == AlphaShape::kPerConnection ? N : 0;
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
  a.A_stride = alpha_row_stride(call.dims.alpha_shape, call.dims.N);
  a.w_m = ptr_or_null<S>(o.w_m);
  a.b_m = call.b_m_value;
  if (call.scalars_on_device) {
    a.eta_ptr = call.eta.data_ptr<S>();
    a.b_m_ptr = ptr_or_null<S>(call.b_m);
  }
  return a;
}

} // namespace

namespace {

// CPU kernels take η and b_m by value; CUDA kernels read them from the device tensors.
void read_scalars(PlasticRnnCall& c) {
  c.scalars_on_device = !c.x.is_cpu();
  if (c.scalars_on_device) {
    c.eta = c.eta.contiguous();
    c.b_m = c.b_m.defined() ? c.b_m.contiguous() : c.b_m;
    return;
  }
  c.eta_value = c.eta.item<double>();
  c.b_m_value = c.b_m.defined() ? c.b_m.item<double>() : 0.0;
}

} // namespace

AlphaShape infer_alpha_shape(const at::Tensor& alpha, int64_t N) {
  if (alpha.dim() == 2) {
    return AlphaShape::kPerConnection;
  }
  if (alpha.dim() == 1 && alpha.size(0) == N && N != 1) {
    return AlphaShape::kPerNeuron;
  }
  return AlphaShape::kScalar;
}

PlasticRnnCall make_plastic_rnn_call(const at::Tensor& x, const at::Tensor& h0,
                                     const at::Tensor& H0, const OptTensor& W_in,
                                     const at::Tensor& W, const at::Tensor& alpha,
                                     const at::Tensor& b, const at::Tensor& eta,
                                     const OptTensor& E0, const OptTensor& m, const OptTensor& w_m,
                                     const OptTensor& b_m, c10::string_view rule,
                                     c10::string_view modulation, std::optional<double> clip,
                                     std::optional<int64_t> chunk_size) {
  PlasticRnnOptions options;
  options.rule(parse_hebbian_rule(std::string(rule)))
      .modulation(parse_modulation(std::string(modulation)))
      .clip(clip)
      .chunk_size(chunk_size);
  PlasticRnnCall c;
  c.x = x;
  c.h0 = h0;
  c.H0 = H0;
  c.W_in = value_or_undefined(W_in);
  c.W = W;
  c.alpha = alpha;
  c.b = b;
  c.eta = eta;
  c.E0 = value_or_undefined(E0);
  c.m = value_or_undefined(m);
  c.w_m = value_or_undefined(w_m);
  c.b_m = value_or_undefined(b_m);
  const PlasticRnnModulationInputs mod{c.E0, c.m, c.w_m, c.b_m};
  c.dims = check_plastic_rnn("plastic_rnn", x, h0, H0, c.W_in, W, alpha, b, eta, mod, options);
  c.rule = options.rule();
  c.modulation = options.modulation();
  c.clip = clip ? *clip : 0.0;
  read_scalars(c);
  return c;
}

PlasticRnnCall make_plastic_rnn_backward_call(
    const at::Tensor& x, const at::Tensor& h0, const OptTensor& W_in, const at::Tensor& W,
    const at::Tensor& alpha, const at::Tensor& b, const at::Tensor& eta, const OptTensor& m,
    const OptTensor& w_m, const OptTensor& b_m, c10::string_view rule, c10::string_view modulation,
    std::optional<double> clip, std::optional<int64_t> chunk_size) {
  PlasticRnnCall c;
  c.x = x;
  c.h0 = h0;
  c.W_in = value_or_undefined(W_in);
  c.W = W;
  c.alpha = alpha;
  c.b = b;
  c.eta = eta;
  c.m = value_or_undefined(m);
  c.w_m = value_or_undefined(w_m);
  c.b_m = value_or_undefined(b_m);
  c.rule = parse_hebbian_rule(std::string(rule));
  c.modulation = parse_modulation(std::string(modulation));
  c.clip = clip ? *clip : 0.0;
  auto& d = c.dims;
  d.T = x.size(0);
  d.B = x.size(1);
  d.I = x.size(2);
  d.N = h0.size(1);
  d.alpha_shape = infer_alpha_shape(alpha, d.N);
  d.modulated = c.modulation != Modulation::kNone;
  d.given_m = c.m.defined();
  d.chunk = chunk_size ? *chunk_size : default_plastic_rnn_chunk(d.T);
  d.chunk = std::max<int64_t>(1, std::min(d.chunk, std::max<int64_t>(d.T, 1)));
  read_scalars(c);
  return c;
}

namespace {

at::Tensor or_empty(const at::Tensor& t, const at::Tensor& like) {
  return t.defined() ? t : at::empty({0}, like.options());
}

// An empty [0] tensor stands for an unused output (E without retroactive modulation, ...).
at::Tensor undefined_if_empty(const at::Tensor& t) {
  return t.defined() && t.dim() == 1 && t.numel() == 0 ? at::Tensor() : t;
}

at::Tensor undefined_if_empty(const OptTensor& t) {
  return t.has_value() ? undefined_if_empty(*t) : at::Tensor();
}

} // namespace

PlasticRnnOutputs plastic_rnn_outputs(const PlasticRnnForwardState& st, const at::Tensor& like) {
  return {st.outputs, st.h, st.H, or_empty(st.E, like), or_empty(st.m, like)};
}

PlasticRnnTrainOutputs plastic_rnn_train_outputs(const PlasticRnnForwardState& st,
                                                 const at::Tensor& like) {
  return {st.outputs,
          st.h,
          st.H,
          or_empty(st.E, like),
          or_empty(st.m, like),
          or_empty(st.ckH, like),
          or_empty(st.ckE, like)};
}

PlasticRnnSaved plastic_rnn_saved(const at::Tensor& outputs, const at::Tensor& ckH,
                                  const at::Tensor& ckE, const at::Tensor& m_used,
                                  const OptTensor& E0, const PlasticRnnCall& call) {
  PlasticRnnSaved s;
  s.outputs = outputs;
  s.ckH = ckH;
  s.ckE = call.modulation == Modulation::kRetroactive ? ckE : at::Tensor();
  s.m_used = call.dims.modulated ? m_used : at::Tensor();
  s.E0 = value_or_undefined(E0);
  return s;
}

PlasticRnnGrads plastic_rnn_grads(const OptTensor& g_outputs, const OptTensor& g_h,
                                  const OptTensor& g_H, const OptTensor& g_E, const OptTensor& g_m,
                                  const PlasticRnnCall& call) {
  PlasticRnnGrads g;
  g.g_out = value_or_undefined(g_outputs);
  g.g_h = value_or_undefined(g_h);
  g.g_H = value_or_undefined(g_H);
  g.g_E = call.modulation == Modulation::kRetroactive ? undefined_if_empty(g_E) : at::Tensor();
  g.g_m = call.dims.modulated ? undefined_if_empty(g_m) : at::Tensor();
  return g;
}

PlasticRnnGradOutputs plastic_rnn_grad_outputs(const PlasticRnnInputGrads& g,
                                               const PlasticRnnCall& call,
                                               const PlasticRnnSaved& saved) {
  const at::Tensor& like = call.x;
  // A present input always gets a defined gradient of its own shape; an absent one an empty [0].
  const auto grad = [&](const at::Tensor& gradient, const at::Tensor& input,
                        at::IntArrayRef shape) {
    if (!input.defined()) {
      return at::empty({0}, like.options());
    }
    return gradient.defined() ? gradient.reshape(shape) : at::zeros(shape, like.options());
  };
  const auto& d = call.dims;
  const std::vector<int64_t> trace{d.B, d.N, d.N};
  return {grad(g.x, call.x, call.x.sizes()),
          grad(g.h0, call.h0, call.h0.sizes()),
          grad(g.H0, call.x, trace),
          grad(g.W_in, call.W_in, call.W_in.defined() ? call.W_in.sizes() : at::IntArrayRef{}),
          grad(g.W, call.W, call.W.sizes()),
          grad(g.alpha, call.alpha, call.alpha.sizes()),
          grad(g.b, call.b, call.b.sizes()),
          grad(g.eta, call.eta, call.eta.sizes()),
          grad(g.E0, saved.E0, trace),
          grad(g.m, call.m, call.m.defined() ? call.m.sizes() : at::IntArrayRef{}),
          grad(g.w_m, call.w_m, call.w_m.defined() ? call.w_m.sizes() : at::IntArrayRef{}),
          grad(g.b_m, call.b_m, call.b_m.defined() ? call.b_m.sizes() : at::IntArrayRef{})};
}

PlasticRnnForwardState plastic_rnn_forward(const PlasticRnnCall& call, bool save_checkpoints,
                                           const PlasticRnnKernels& kernels) {
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
    kernels.run(a);
  });
  st.h = T > 0 ? st.outputs[T - 1].clone() : operands.h0.clone();
  return st;
}

} // namespace detail

namespace {

// Sums a per-sample [B, ...] gradient and reshapes it like `param`.
at::Tensor reduce_like(const at::Tensor& per_sample, const at::Tensor& param) {
  return per_sample.sum(0).reshape(param.sizes());
}

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
  // Called from below the Autograd dispatch key (a backward kernel): record a graph again.
  const auto tls = c10::impl::tls_local_dispatch_key_set();
  const c10::impl::ForceDispatchKeyGuard record_graph(
      tls.included_, tls.excluded_ - c10::autograd_dispatch_keyset_with_ADInplaceOrView);
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
  using detail::optional_of;
  const std::string rule = to_string(options.rule());
  const std::string modulation = to_string(options.modulation());
  const auto [outputs, h, H, E, m] = detail::plastic_rnn_op().call(
      x, h0, H0, optional_of(W_in), W, alpha, b, eta, optional_of(mod.E0), optional_of(mod.m),
      optional_of(mod.w_m), optional_of(mod.b_m), rule, modulation, options.clip(),
      options.chunk_size());
  PlasticRnnResult result;
  result.outputs = outputs;
  result.h = h;
  result.H = H;
  if (options.modulation() == Modulation::kRetroactive) {
    result.E = E;
  }
  if (options.modulation() != Modulation::kNone) {
    result.m = m;
  }
  return result;
}

} // namespace engram::ops
