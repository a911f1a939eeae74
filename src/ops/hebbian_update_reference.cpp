// Pure-ATen hebbian_update: the formulas of hebbian_update.h, differentiated by autograd.
#include <engram/ops/detail/hebbian_update_checks.h>
#include <engram/ops/hebbian_update.h>

namespace engram::ops::reference {

HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, const at::Tensor& eta,
                                   const at::Tensor& m, const HebbianState& state,
                                   const HebbianUpdateOptions& options) {
  const auto d = detail::check_hebbian_update("reference::hebbian_update", H, pre, post, eta, m,
                                              state, options);
  const at::Tensor rate = eta.reshape({});
  const at::Tensor x = pre.unsqueeze(2);  // [B, I, 1]
  const at::Tensor y = post.unsqueeze(1); // [B, 1, O]
  const at::Tensor Hb = d.shared ? H.unsqueeze(0) : H;
  const double rho = options.mean_rate();
  HebbianUpdateResult result;
  at::Tensor inc;
  switch (options.rule()) {
  case HebbianRule::kHebb:
    inc = x * y;
    break;
  case HebbianRule::kOja:
    inc = y * (x - y * Hb);
    break;
  case HebbianRule::kCovariance: {
    const at::Tensor pm = state.pre_mean.defined() ? state.pre_mean : at::zeros_like(pre);
    const at::Tensor qm = state.post_mean.defined() ? state.post_mean : at::zeros_like(post);
    inc = (x - pm.unsqueeze(2)) * (y - qm.unsqueeze(1));
    result.state.pre_mean = (1 - rho) * pm + rho * pre;
    result.state.post_mean = (1 - rho) * qm + rho * post;
    break;
  }
  case HebbianRule::kBcm: {
    const at::Tensor th = state.theta.defined() ? state.theta : at::zeros_like(post);
    inc = x * y * (y - th.unsqueeze(1));
    result.state.theta = (1 - rho) * th + rho * post * post;
    break;
  }
  case HebbianRule::kSanger: // the weight-only rules: refused by check_hebbian_update
  case HebbianRule::kSoftWta:
  case HebbianRule::kHardWta:
    break;
  }
  if (m.defined()) {
    inc = inc * (m.dim() == 1 ? m.view({d.B, 1, 1}) : m.unsqueeze(1));
  }
  if (d.shared) {
    inc = inc.mean(0);
  }
  at::Tensor H_new =
      options.rule() == HebbianRule::kHebb ? (1 - rate) * H + rate * inc : H + rate * inc;
  if (options.clip()) {
    H_new = at::clamp(H_new, -*options.clip(), *options.clip());
  }
  result.H = H_new;
  return result;
}

} // namespace engram::ops::reference
