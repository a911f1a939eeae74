// hebbian_update: the tensor-level forward its CPU and CUDA kernels share, the Autograd kernel (a
// Function whose forward redispatches below autograd and whose backward is the hand-derived
// gradient written with ATen ops, so it runs on any device and on fake tensors), and the C++
// entry point, which calls the operator through the dispatcher.
#include <engram/ops/hebbian_update.h>

#include <engram/ops/detail/hebbian_update_checks.h>
#include <engram/ops/detail/hebbian_update_device.h>

#include <torch/autograd.h>
#include <torch/library.h>

namespace engram::ops {
namespace detail {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::Tensor marker(const at::Tensor& t, const at::Tensor& like) {
  return t.defined() ? t : at::empty({0}, like.options());
}

at::Tensor unmark(const at::Tensor& t) {
  return t.defined() && t.dim() == 1 && t.numel() == 0 ? at::Tensor() : t;
}

at::Tensor fused_forward(const at::Tensor& H, const at::Tensor& pre, const at::Tensor& post,
                         const at::Tensor& eta_tensor, const at::Tensor& m,
                         const at::Tensor& pre_mean, const at::Tensor& post_mean,
                         const at::Tensor& theta, HebbianRule rule, double clip,
                         const HebbianKernels& kernels) {
  const at::Tensor Hc = H.contiguous(), xc = pre.contiguous(), yc = post.contiguous();
  const at::Tensor mc = m.defined() ? m.contiguous() : m;
  const at::Tensor pc = pre_mean.defined() ? pre_mean.contiguous() : pre_mean;
  const at::Tensor qc = post_mean.defined() ? post_mean.contiguous() : post_mean;
  const at::Tensor tc = theta.defined() ? theta.contiguous() : theta;
  const at::Tensor eta_c = eta_tensor.contiguous();
  at::Tensor out = at::empty_like(Hc);
  AT_DISPATCH_FLOATING_TYPES(H.scalar_type(), "hebbian_update_forward", [&] {
    HebbianForwardArgs<scalar_t> a;
    a.B = pre.size(0);
    a.I = pre.size(1);
    a.O = post.size(1);
    a.shared = H.dim() == 2;
    a.rule = rule;
    // CPU: η by value; a device reads it from the tensor (no host synchronisation).
    if (eta_tensor.is_cpu()) {
      a.eta = eta_tensor.item<double>();
    } else {
      a.eta_ptr = eta_c.data_ptr<scalar_t>();
    }
    a.clip = clip;
    a.H = Hc.data_ptr<scalar_t>();
    a.pre = xc.data_ptr<scalar_t>();
    a.post = yc.data_ptr<scalar_t>();
    a.m = mc.defined() ? mc.data_ptr<scalar_t>() : nullptr;
    a.m_per_post = mc.defined() && mc.dim() == 2;
    a.pre_mean = pc.defined() ? pc.data_ptr<scalar_t>() : nullptr;
    a.post_mean = qc.defined() ? qc.data_ptr<scalar_t>() : nullptr;
    a.theta = tc.defined() ? tc.data_ptr<scalar_t>() : nullptr;
    a.H_out = out.data_ptr<scalar_t>();
    if (out.numel() == 0) {
      return;
    }
    kernels.run(a);
  });
  return out;
}

} // namespace

HebbianUpdateOutputs hebbian_update_forward(const at::Tensor& H, const at::Tensor& pre,
                                            const at::Tensor& post, const at::Tensor& eta,
                                            const OptTensor& m_in, const OptTensor& pre_mean,
                                            const OptTensor& post_mean, const OptTensor& theta,
                                            c10::string_view rule_name, std::optional<double> clip,
                                            double rho, const HebbianKernels& kernels) {
  HebbianUpdateOptions options;
  options.rule(parse_hebbian_rule(std::string(rule_name))).clip(clip).mean_rate(rho);
  const at::Tensor m = value_or_undefined(m_in), pm = value_or_undefined(pre_mean),
                   qm = value_or_undefined(post_mean), th = value_or_undefined(theta);
  check_hebbian_update("hebbian_update", H, pre, post, eta, m, HebbianState{pm, qm, th}, options);
  const HebbianRule r = options.rule();
  at::Tensor H_new =
      fused_forward(H, pre, post, eta, m, pm, qm, th, r, clip ? *clip : 0.0, kernels);
  at::Tensor pm_new, qm_new, th_new;
  if (r == HebbianRule::kCovariance) {
    pm_new = pm.defined() ? (1 - rho) * pm + rho * pre : rho * pre;
    qm_new = qm.defined() ? (1 - rho) * qm + rho * post : rho * post;
  }
  if (r == HebbianRule::kBcm) {
    th_new = th.defined() ? (1 - rho) * th + rho * post * post : rho * post * post;
  }
  return {H_new, marker(pm_new, pre), marker(qm_new, pre), marker(th_new, pre)};
}

} // namespace detail

namespace {

using detail::OptTensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// What the node saves, by name.
enum SavedSlot : size_t {
  kSavedH,
  kSavedPre,
  kSavedPost,
  kSavedEta,
  kSavedM,
  kSavedPreMean,
  kSavedPostMean,
  kSavedTheta,
  kSavedCount
};

// The forward's outputs (and the gradients backward receives), by name.
enum OutputSlot : size_t { kOutH, kOutPreMean, kOutPostMean, kOutTheta, kOutCount };

// The position of every forward argument in the gradient list backward returns.
enum InputSlot : size_t {
  kInH,
  kInPre,
  kInPost,
  kInEta,
  kInM,
  kInPreMean,
  kInPostMean,
  kInTheta,
  kInRule,
  kInClip,
  kInMeanRate,
  kInCount
};

struct HebbianUpdateFunction : public torch::autograd::Function<HebbianUpdateFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& H, const at::Tensor& pre,
                               const at::Tensor& post, const at::Tensor& eta, const OptTensor& m,
                               const OptTensor& pre_mean, const OptTensor& post_mean,
                               const OptTensor& theta, const std::string& rule,
                               std::optional<double> clip, double rho) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    auto [H_new, pm_new, qm_new, th_new] = detail::hebbian_update_op().call(
        H, pre, post, eta, m, pre_mean, post_mean, theta, rule, clip, rho);
    ctx->set_materialize_grads(false);
    ctx->saved_data["rule"] = static_cast<int64_t>(parse_hebbian_rule(rule));
    ctx->saved_data["clip"] = clip ? *clip : 0.0;
    ctx->saved_data["rho"] = rho;
    variable_list saved(kSavedCount);
    saved[kSavedH] = H;
    saved[kSavedPre] = pre;
    saved[kSavedPost] = post;
    saved[kSavedEta] = eta;
    saved[kSavedM] = detail::value_or_undefined(m);
    saved[kSavedPreMean] = detail::value_or_undefined(pre_mean);
    saved[kSavedPostMean] = detail::value_or_undefined(post_mean);
    saved[kSavedTheta] = detail::value_or_undefined(theta);
    ctx->save_for_backward(saved);
    variable_list result(kOutCount);
    result[kOutH] = H_new;
    result[kOutPreMean] = pm_new;
    result[kOutPostMean] = qm_new;
    result[kOutTheta] = th_new;
    return result;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "hebbian_update: backward with create_graph=true (double backward) is not "
                "supported; the gradients it returns are not differentiable");
    const auto s = ctx->get_saved_variables();
    const at::Tensor &H = s[kSavedH], &x = s[kSavedPre], &y = s[kSavedPost], &eta = s[kSavedEta];
    const at::Tensor &m = s[kSavedM], &pm = s[kSavedPreMean], &qm = s[kSavedPostMean],
                     &th = s[kSavedTheta];
    const auto rule = static_cast<HebbianRule>(ctx->saved_data["rule"].toInt());
    const double clip = ctx->saved_data["clip"].toDouble();
    const double rho = ctx->saved_data["rho"].toDouble();
    const bool shared = H.dim() == 2;
    const at::Tensor gH_out = grads[kOutH];
    // The state outputs of the other rules are empty [0] placeholders.
    const bool covariance = rule == HebbianRule::kCovariance, bcm = rule == HebbianRule::kBcm;
    const at::Tensor g_pm_out = covariance ? grads[kOutPreMean] : at::Tensor();
    const at::Tensor g_qm_out = covariance ? grads[kOutPostMean] : at::Tensor();
    const at::Tensor g_th_out = bcm ? grads[kOutTheta] : at::Tensor();
    const at::Tensor rate = eta.reshape({});
    const at::Tensor xi = x.unsqueeze(2), yj = y.unsqueeze(1);
    const at::Tensor Hb = shared ? H.unsqueeze(0) : H;
    const at::Tensor M =
        !m.defined() ? at::Tensor() : (m.dim() == 1 ? m.unsqueeze(1).unsqueeze(2) : m.unsqueeze(1));
    at::Tensor pmi, qmj, thj;
    at::Tensor inc;
    switch (rule) {
    case HebbianRule::kHebb:
      inc = xi * yj;
      break;
    case HebbianRule::kOja:
      inc = yj * (xi - yj * Hb);
      break;
    case HebbianRule::kCovariance:
      pmi = pm.defined() ? pm.unsqueeze(2) : at::zeros_like(xi);
      qmj = qm.defined() ? qm.unsqueeze(1) : at::zeros_like(yj);
      inc = (xi - pmi) * (yj - qmj);
      break;
    case HebbianRule::kBcm:
      thj = th.defined() ? th.unsqueeze(1) : at::zeros_like(yj);
      inc = xi * yj * (yj - thj);
      break;
    case HebbianRule::kSanger: // the weight-only rules: refused by check_hebbian_update
    case HebbianRule::kSoftWta:
    case HebbianRule::kHardWta:
      break;
    }
    const at::Tensor minc = M.defined() ? M * inc : inc;
    const at::Tensor reduced = shared ? minc.mean(0) : minc;
    const bool hebb = rule == HebbianRule::kHebb;
    at::Tensor gH, gx, gy, geta, gm, gpm, gqm, gth;
    if (gH_out.defined()) {
      at::Tensor G = gH_out;
      if (clip > 0) {
        const at::Tensor pre_clip = hebb ? (1 - rate) * H + rate * reduced : H + rate * reduced;
        G = G * (pre_clip >= -clip).logical_and(pre_clip <= clip).to(G.scalar_type());
      }
      gH = hebb ? (1 - rate) * G : G.clone();
      geta = ((hebb ? reduced - H : reduced) * G).sum().reshape_symint(eta.sym_sizes());
      // dL/d inc_b (the per-sample increment, before m)
      const at::Tensor g_minc =
          shared ? (rate * G / c10::Scalar(x.sym_size(0))).unsqueeze(0).expand_as(minc) : rate * G;
      if (m.defined()) {
        const at::Tensor gm_full = g_minc * inc;
        gm = m.dim() == 1 ? gm_full.sum({1, 2}) : gm_full.sum(1);
      }
      const at::Tensor gI = M.defined() ? g_minc * M : g_minc;
      switch (rule) {
      case HebbianRule::kHebb:
        gx = (gI * yj).sum(2);
        gy = (gI * xi).sum(1);
        break;
      case HebbianRule::kOja: {
        gx = (gI * yj).sum(2);
        gy = (gI * (xi - 2 * yj * Hb)).sum(1);
        const at::Tensor gHo = -(gI * yj * yj);
        gH = gH + (shared ? gHo.sum(0) : gHo);
        break;
      }
      case HebbianRule::kCovariance:
        gx = (gI * (yj - qmj)).sum(2);
        gy = (gI * (xi - pmi)).sum(1);
        gpm = -gx;
        gqm = -gy;
        break;
      case HebbianRule::kBcm:
        gx = (gI * yj * (yj - thj)).sum(2);
        gy = (gI * xi * (2 * yj - thj)).sum(1);
        gth = -(gI * xi * yj).sum(1);
        break;
      case HebbianRule::kSanger: // the weight-only rules: refused by check_hebbian_update
      case HebbianRule::kSoftWta:
      case HebbianRule::kHardWta:
        break;
      }
    }
    const auto add = [](at::Tensor& acc, const at::Tensor& g) {
      acc = acc.defined() ? acc + g : g;
    };
    if (g_pm_out.defined()) {
      add(gx, rho * g_pm_out);
      add(gpm, (1 - rho) * g_pm_out);
    }
    if (g_qm_out.defined()) {
      add(gy, rho * g_qm_out);
      add(gqm, (1 - rho) * g_qm_out);
    }
    if (g_th_out.defined()) {
      add(gy, 2 * rho * y * g_th_out);
      add(gth, (1 - rho) * g_th_out);
    }
    variable_list result(kInCount);
    result[kInH] = gH;
    result[kInPre] = gx;
    result[kInPost] = gy;
    result[kInEta] = geta;
    result[kInM] = gm;
    result[kInPreMean] = pm.defined() ? gpm : at::Tensor();
    result[kInPostMean] = qm.defined() ? gqm : at::Tensor();
    result[kInTheta] = th.defined() ? gth : at::Tensor();
    return result;
  }
};

bool requires_grad(const at::Tensor& t) {
  return t.defined() && t.requires_grad();
}

bool requires_grad(const OptTensor& t) {
  return t.has_value() && requires_grad(*t);
}

detail::HebbianUpdateOutputs hebbian_update_autograd(const at::Tensor& H, const at::Tensor& pre,
                                                     const at::Tensor& post, const at::Tensor& eta,
                                                     const OptTensor& m, const OptTensor& pre_mean,
                                                     const OptTensor& post_mean,
                                                     const OptTensor& theta, c10::string_view rule,
                                                     std::optional<double> clip, double mean_rate) {
  const bool needs_grad = requires_grad(H) || requires_grad(pre) || requires_grad(post) ||
                          requires_grad(eta) || requires_grad(m) || requires_grad(pre_mean) ||
                          requires_grad(post_mean) || requires_grad(theta);
  if (!at::GradMode::is_enabled() || !needs_grad) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    return detail::hebbian_update_op().call(H, pre, post, eta, m, pre_mean, post_mean, theta, rule,
                                            clip, mean_rate);
  }
  const auto out = HebbianUpdateFunction::apply(H, pre, post, eta, m, pre_mean, post_mean, theta,
                                                std::string(rule), clip, mean_rate);
  return {out[kOutH], out[kOutPreMean], out[kOutPostMean], out[kOutTheta]};
}

} // namespace

TORCH_LIBRARY_IMPL(engram, Autograd, m) {
  m.impl("hebbian_update", TORCH_FN(hebbian_update_autograd));
}

HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, const at::Tensor& eta,
                                   const at::Tensor& m, const HebbianState& state,
                                   const HebbianUpdateOptions& options) {
  using detail::optional_of;
  const auto [H_new, pm_new, qm_new, th_new] = detail::hebbian_update_op().call(
      H, pre, post, eta, optional_of(m), optional_of(state.pre_mean), optional_of(state.post_mean),
      optional_of(state.theta), to_string(options.rule()), options.clip(), options.mean_rate());
  HebbianUpdateResult r;
  r.H = H_new;
  r.state.pre_mean = detail::unmark(pm_new);
  r.state.post_mean = detail::unmark(qm_new);
  r.state.theta = detail::unmark(th_new);
  return r;
}

HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, double eta, const at::Tensor& m,
                                   const HebbianState& state, const HebbianUpdateOptions& options) {
  return hebbian_update(H, pre, post, at::scalar_tensor(eta, pre.options()), m, state, options);
}

} // namespace engram::ops
