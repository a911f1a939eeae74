// hebbian_update: fused forward (CPU loop / CUDA kernel) and an autograd Function whose backward
// is the hand-derived gradient written with ATen ops (device independent).
#include <engram/ops/hebbian_update.h>

#include <engram/ops/detail/hebbian_update_checks.h>
#include <engram/ops/detail/hebbian_update_kernel.h>

#include <c10/core/DeviceGuard.h>
#include <torch/autograd.h>

namespace engram::ops {
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
                         double eta, const at::Tensor& m, const at::Tensor& pre_mean,
                         const at::Tensor& post_mean, const at::Tensor& theta, HebbianRule rule,
                         double clip) {
  const at::Tensor Hc = H.contiguous(), xc = pre.contiguous(), yc = post.contiguous();
  const at::Tensor mc = m.defined() ? m.contiguous() : m;
  const at::Tensor pc = pre_mean.defined() ? pre_mean.contiguous() : pre_mean;
  const at::Tensor qc = post_mean.defined() ? post_mean.contiguous() : post_mean;
  const at::Tensor tc = theta.defined() ? theta.contiguous() : theta;
  at::Tensor out = at::empty_like(Hc);
  AT_DISPATCH_FLOATING_TYPES(H.scalar_type(), "hebbian_update_forward", [&] {
    detail::HebbianForwardArgs<scalar_t> a;
    a.B = pre.size(0);
    a.I = pre.size(1);
    a.O = post.size(1);
    a.shared = H.dim() == 2;
    a.rule = rule;
    a.eta = eta;
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
    if (H.is_cuda()) {
      const c10::DeviceGuard guard(H.device());
      detail::hebbian_update_forward_device(a);
    } else {
      detail::hebbian_update_forward_cpu(a);
    }
  });
  return out;
}

struct HebbianUpdateFunction : public torch::autograd::Function<HebbianUpdateFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& H, const at::Tensor& pre,
                               const at::Tensor& post, const at::Tensor& eta,
                               const at::Tensor& m_marker, const at::Tensor& pre_mean_marker,
                               const at::Tensor& post_mean_marker, const at::Tensor& theta_marker,
                               int64_t rule, double clip, double rho) {
    const auto r = static_cast<HebbianRule>(rule);
    const at::Tensor m = unmark(m_marker), pm = unmark(pre_mean_marker),
                     qm = unmark(post_mean_marker), th = unmark(theta_marker);
    at::Tensor H_new = fused_forward(H, pre, post, eta.item<double>(), m, pm, qm, th, r, clip);
    at::Tensor pm_new, qm_new, th_new;
    if (r == HebbianRule::kCovariance) {
      pm_new = pm.defined() ? (1 - rho) * pm + rho * pre : rho * pre;
      qm_new = qm.defined() ? (1 - rho) * qm + rho * post : rho * post;
    }
    if (r == HebbianRule::kBcm) {
      th_new = th.defined() ? (1 - rho) * th + rho * post * post : rho * post * post;
    }
    ctx->set_materialize_grads(false);
    ctx->saved_data["rule"] = rule;
    ctx->saved_data["clip"] = clip;
    ctx->saved_data["rho"] = rho;
    ctx->save_for_backward(
        {H, pre, post, eta, m_marker, pre_mean_marker, post_mean_marker, theta_marker});
    return {H_new, marker(pm_new, pre), marker(qm_new, pre), marker(th_new, pre)};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "hebbian_update: backward with create_graph=true (double backward) is not "
                "supported; the gradients it returns are not differentiable");
    const auto s = ctx->get_saved_variables();
    const at::Tensor &H = s[0], &x = s[1], &y = s[2], &eta = s[3];
    const at::Tensor m = unmark(s[4]), pm = unmark(s[5]), qm = unmark(s[6]), th = unmark(s[7]);
    const auto rule = static_cast<HebbianRule>(ctx->saved_data["rule"].toInt());
    const double clip = ctx->saved_data["clip"].toDouble();
    const double rho = ctx->saved_data["rho"].toDouble();
    const int64_t B = x.size(0);
    const bool shared = H.dim() == 2;
    const at::Tensor gH_out = grads[0];
    const at::Tensor g_pm_out = unmark(grads[1]), g_qm_out = unmark(grads[2]),
                     g_th_out = unmark(grads[3]);
    const at::Tensor rate = eta.reshape({});
    const at::Tensor xi = x.unsqueeze(2), yj = y.unsqueeze(1);
    const at::Tensor Hb = shared ? H.unsqueeze(0) : H;
    const at::Tensor M =
        !m.defined() ? at::Tensor() : (m.dim() == 1 ? m.view({B, 1, 1}) : m.unsqueeze(1));
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
      geta = ((hebb ? reduced - H : reduced) * G).sum().reshape(eta.sizes());
      // dL/d inc_b (the per-sample increment, before m)
      const at::Tensor g_minc =
          shared ? (rate * G / static_cast<double>(B)).unsqueeze(0).expand_as(minc) : rate * G;
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
    return {gH,
            gx,
            gy,
            geta,
            gm,
            pm.defined() ? gpm : at::Tensor(),
            qm.defined() ? gqm : at::Tensor(),
            th.defined() ? gth : at::Tensor(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor()};
  }
};

} // namespace

HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, const at::Tensor& eta,
                                   const at::Tensor& m, const HebbianState& state,
                                   const HebbianUpdateOptions& options) {
  detail::check_hebbian_update("hebbian_update", H, pre, post, eta, m, state, options);
  const double clip = options.clip() ? *options.clip() : 0.0;
  const auto outs = HebbianUpdateFunction::apply(
      H, pre, post, eta, marker(m, pre), marker(state.pre_mean, pre), marker(state.post_mean, pre),
      marker(state.theta, pre), static_cast<int64_t>(options.rule()), clip, options.mean_rate());
  HebbianUpdateResult r;
  r.H = outs[0];
  r.state.pre_mean = unmark(outs[1]);
  r.state.post_mean = unmark(outs[2]);
  r.state.theta = unmark(outs[3]);
  return r;
}

HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, double eta, const at::Tensor& m,
                                   const HebbianState& state, const HebbianUpdateOptions& options) {
  return hebbian_update(H, pre, post, at::scalar_tensor(eta, pre.options()), m, state, options);
}

} // namespace engram::ops
