#include <engram/rl/agents/actor_critic_loss.h>

#include <ATen/ATen.h>
#include <Eigen/Core>
#include <c10/util/Exception.h>

#include <cmath>
#include <vector>

namespace engram::rl {
namespace {

void check_batch(const ActorCriticNetImpl& net, const ActorCriticMinibatch& b, const char* fn) {
  const int64_t B = b.observations.size(0);
  TORCH_CHECK(b.observations.dim() == 2 &&
                  b.observations.size(1) == net.options().observation_dim() && B > 1,
              fn, ": argument 'observations' expected [B > 1, ", net.options().observation_dim(),
              "], got ", b.observations.sizes());
  for (const at::Tensor* t :
       {&b.actions, &b.old_log_probs, &b.advantages, &b.returns, &b.old_values}) {
    TORCH_CHECK(t->dim() == 1 && t->size(0) == B, fn, ": minibatch vectors expected shape [", B,
                "], got ", t->sizes());
  }
}

at::Tensor normalized(const at::Tensor& adv, bool normalize) {
  return normalize ? (adv - adv.mean()) / (adv.std() + 1e-8) : adv;
}

// One tanh MLP (two hidden layers) with its activations kept for the backward pass.
struct MlpPass {
  at::Tensor h1, h2, out;
};

// In-place tanh with Eigen's vectorised rational approximation (error ~1e-7): MKL's
// high-accuracy tanh was the largest single cost of the update.
void fast_tanh_(at::Tensor& t) {
  Eigen::Map<Eigen::ArrayXf> a(t.data_ptr<float>(), t.numel());
  a = a.tanh();
}

MlpPass mlp_forward(const at::Tensor& x, const torch::nn::Linear& l1, const torch::nn::Linear& l2,
                    const torch::nn::Linear& l3) {
  MlpPass p;
  p.h1 = at::addmm(l1->bias, x, l1->weight.t());
  fast_tanh_(p.h1);
  p.h2 = at::addmm(l2->bias, p.h1, l2->weight.t());
  fast_tanh_(p.h2);
  p.out = at::addmm(l3->bias, p.h2, l3->weight.t());
  return p;
}

// dh <- dh * (1 - h^2) in place (tanh derivative).
void tanh_backward_(at::Tensor& dh, const at::Tensor& h) {
  Eigen::Map<Eigen::ArrayXf> d(dh.data_ptr<float>(), dh.numel());
  Eigen::Map<const Eigen::ArrayXf> y(h.data_ptr<float>(), h.numel());
  d *= 1.0f - y.square();
}

void set_grad(at::Tensor& param, const at::Tensor& grad) {
  if (param.mutable_grad().defined()) {
    param.mutable_grad().copy_(grad);
  } else {
    param.mutable_grad() = grad.clone();
  }
}

void mlp_backward(const at::Tensor& x, const MlpPass& p, const at::Tensor& d_out,
                  torch::nn::Linear& l1, torch::nn::Linear& l2, torch::nn::Linear& l3) {
  set_grad(l3->weight, at::mm(d_out.t(), p.h2));
  set_grad(l3->bias, d_out.sum(0));
  at::Tensor d2 = at::mm(d_out, l3->weight);
  tanh_backward_(d2, p.h2);
  set_grad(l2->weight, at::mm(d2.t(), p.h1));
  set_grad(l2->bias, d2.sum(0));
  at::Tensor d1 = at::mm(d2, l2->weight);
  tanh_backward_(d1, p.h1);
  set_grad(l1->weight, at::mm(d1.t(), x));
  set_grad(l1->bias, d1.sum(0));
}

} // namespace

at::Tensor actor_critic_loss(ActorCriticNetImpl& net, const ActorCriticMinibatch& b,
                             const ActorCriticLossOptions& o) {
  check_batch(net, b, "actor_critic_loss");
  auto [logits, values] = net.forward(b.observations);
  const at::Tensor logp_all = at::log_softmax(logits, 1);
  const at::Tensor logp = logp_all.gather(1, b.actions.unsqueeze(1)).squeeze(1);
  const at::Tensor entropy = -(logp_all.exp() * logp_all).sum(1).mean();
  const at::Tensor adv = normalized(b.advantages, o.normalize_advantages);
  at::Tensor pg_loss;
  if (o.clip_coef > 0) {
    const at::Tensor ratio = (logp - b.old_log_probs).exp();
    pg_loss =
        at::max(-adv * ratio, -adv * ratio.clamp(1.0 - o.clip_coef, 1.0 + o.clip_coef)).mean();
  } else {
    pg_loss = -(adv * logp).mean();
  }
  at::Tensor v_loss;
  if (o.clip_value_loss && o.clip_coef > 0) {
    const at::Tensor v_clipped =
        b.old_values + (values - b.old_values).clamp(-o.clip_coef, o.clip_coef);
    v_loss = 0.5 * at::max((values - b.returns).pow(2), (v_clipped - b.returns).pow(2)).mean();
  } else {
    v_loss = 0.5 * (values - b.returns).pow(2).mean();
  }
  return pg_loss - o.entropy_coef * entropy + o.value_coef * v_loss;
}

double actor_critic_loss_backward(ActorCriticNetImpl& net, const ActorCriticMinibatch& b,
                                  const ActorCriticLossOptions& o) {
  check_batch(net, b, "actor_critic_loss_backward");
  TORCH_CHECK(b.observations.scalar_type() == at::kFloat && b.observations.device().is_cpu(),
              "actor_critic_loss_backward: expects float32 CPU tensors, got ",
              b.observations.scalar_type(), " on ", b.observations.device());
  at::NoGradGuard no_grad;
  auto [a1, a2, a3] = net.actor_layers();
  auto [c1, c2, c3] = net.critic_layers();

  const at::Tensor x = b.observations.contiguous();
  const MlpPass actor = mlp_forward(x, a1, a2, a3);
  const MlpPass critic = mlp_forward(x, c1, c2, c3);
  const int64_t B = x.size(0), A = net.options().num_actions();
  const at::Tensor adv_t = normalized(b.advantages, o.normalize_advantages).contiguous();
  const float* z = actor.out.data_ptr<float>();
  const float* v = critic.out.data_ptr<float>();
  const int64_t* act = b.actions.contiguous().data_ptr<int64_t>();
  const at::Tensor old_logp_t = b.old_log_probs.contiguous();
  const at::Tensor ret_t = b.returns.contiguous();
  const at::Tensor old_v_t = b.old_values.contiguous();
  const float* old_logp = old_logp_t.data_ptr<float>();
  const float* adv = adv_t.data_ptr<float>();
  const float* ret = ret_t.data_ptr<float>();
  const float* old_v = old_v_t.data_ptr<float>();

  at::Tensor d_logits = at::empty({B, A}, x.options());
  at::Tensor d_value = at::empty({B, 1}, x.options());
  float* dz = d_logits.data_ptr<float>();
  float* dv = d_value.data_ptr<float>();
  const double inv_b = 1.0 / static_cast<double>(B);
  const double c = o.clip_coef;
  const bool clip_v = o.clip_value_loss && c > 0;
  double pg_sum = 0, v_sum = 0, ent_sum = 0;
  std::vector<double> p(A), logp(A);
  for (int64_t i = 0; i < B; ++i) {
    const float* zi = z + i * A;
    double m = zi[0];
    for (int64_t a = 1; a < A; ++a)
      m = std::max(m, static_cast<double>(zi[a]));
    double s = 0;
    for (int64_t a = 0; a < A; ++a)
      s += std::exp(zi[a] - m);
    const double log_s = std::log(s) + m;
    double entropy = 0;
    for (int64_t a = 0; a < A; ++a) {
      logp[a] = zi[a] - log_s;
      p[a] = std::exp(logp[a]);
      entropy -= p[a] * logp[a];
    }
    ent_sum += entropy;
    // d(policy loss)/d log pi(a_i|s_i).
    double g_logp;
    if (c > 0) {
      const double ratio = std::exp(logp[act[i]] - old_logp[i]);
      const double clipped = std::min(std::max(ratio, 1.0 - c), 1.0 + c);
      const double unclipped_term = -adv[i] * ratio, clipped_term = -adv[i] * clipped;
      pg_sum += std::max(unclipped_term, clipped_term);
      const bool inside = ratio > 1.0 - c && ratio < 1.0 + c;
      // torch.max sends the gradient to the larger term (half to each on a tie).
      double g_ratio;
      if (unclipped_term > clipped_term) {
        g_ratio = -adv[i];
      } else if (unclipped_term < clipped_term) {
        g_ratio = inside ? -adv[i] : 0.0;
      } else {
        g_ratio = 0.5 * (-adv[i]) + 0.5 * (inside ? -adv[i] : 0.0);
      }
      g_logp = g_ratio * ratio * inv_b;
    } else {
      pg_sum += -adv[i] * logp[act[i]];
      g_logp = -adv[i] * inv_b;
    }
    for (int64_t a = 0; a < A; ++a) {
      const double d_logp_d_za = (a == act[i] ? 1.0 : 0.0) - p[a];
      // d(-ent_coef * mean H)/dz_a = ent_coef/B * p_a (log p_a + H)
      dz[i * A + a] = static_cast<float>(g_logp * d_logp_d_za +
                                         o.entropy_coef * inv_b * p[a] * (logp[a] + entropy));
    }
    // Value loss.
    const double diff = v[i] - ret[i];
    double g_v;
    if (clip_v) {
      const double dv_raw = v[i] - old_v[i];
      const double vc = old_v[i] + std::min(std::max(dv_raw, -c), c);
      const double diff_c = vc - ret[i];
      const double l_u = diff * diff, l_c = diff_c * diff_c;
      v_sum += std::max(l_u, l_c);
      const double g_c = (dv_raw > -c && dv_raw < c) ? diff_c : 0.0;
      g_v = l_u > l_c ? diff : l_u < l_c ? g_c : 0.5 * (diff + g_c);
    } else {
      v_sum += diff * diff;
      g_v = diff;
    }
    dv[i] = static_cast<float>(o.value_coef * g_v * inv_b); // d(0.5 * mean(.))/dv = diff / B
  }
  mlp_backward(x, actor, d_logits, a1, a2, a3);
  mlp_backward(x, critic, d_value, c1, c2, c3);
  return pg_sum * inv_b - o.entropy_coef * ent_sum * inv_b + o.value_coef * 0.5 * v_sum * inv_b;
}

} // namespace engram::rl
