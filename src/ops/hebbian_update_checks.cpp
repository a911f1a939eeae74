#include <engram/ops/detail/hebbian_update_checks.h>

#include <engram/ops/detail/op_checks.h>

namespace engram::ops {

const std::vector<HebbianRule>& hebbian_update_rules() {
  static const std::vector<HebbianRule> rules{HebbianRule::kHebb, HebbianRule::kOja,
                                              HebbianRule::kCovariance, HebbianRule::kBcm};
  return rules;
}

namespace detail {

HebbianDims check_hebbian_update(const char* fn, const at::Tensor& H, const at::Tensor& pre,
                                 const at::Tensor& post, const at::Tensor& eta, const at::Tensor& m,
                                 const HebbianState& state, const HebbianUpdateOptions& options) {
  HebbianDims d;
  check_hebbian_rule(fn, options.rule(), hebbian_update_rules());
  check_dim(fn, "pre", pre, 2);
  check_floating(fn, "pre", pre);
  d.B = pre.size(0);
  d.I = pre.size(1);
  check_dim(fn, "post", post, 2);
  check_like(fn, "post", post, "pre", pre);
  d.O = post.size(1);
  check_sizes(fn, "post", post, {d.B, d.O});
  check_defined(fn, "H", H);
  check_like(fn, "H", H, "pre", pre);
  TORCH_CHECK(H.dim() == 2 || H.dim() == 3, fn, ": argument 'H' expected shape [", d.B, ", ", d.I,
              ", ", d.O, "] or [", d.I, ", ", d.O, "], got ", shape_string(H));
  d.shared = H.dim() == 2;
  if (d.shared) {
    check_sizes(fn, "H", H, {d.I, d.O});
  } else {
    check_sizes(fn, "H", H, {d.B, d.I, d.O});
  }
  check_like(fn, "eta", eta, "pre", pre);
  check_rate(fn, "eta", eta);
  if (m.defined()) {
    check_like(fn, "m", m, "pre", pre);
    TORCH_CHECK((m.dim() == 1 && m.size(0) == d.B) ||
                    (m.dim() == 2 && m.size(0) == d.B && m.size(1) == d.O),
                fn, ": argument 'm' expected shape [", d.B, "] or [", d.B, ", ", d.O, "], got ",
                shape_string(m));
    d.m_per_post = m.dim() == 2;
  }
  check_clip(fn, options.clip());
  TORCH_CHECK(options.mean_rate() >= 0.0 && options.mean_rate() <= 1.0, fn,
              ": option 'mean_rate' expected a value in [0, 1], got ", options.mean_rate());
  const bool cov = options.rule() == HebbianRule::kCovariance;
  const bool bcm = options.rule() == HebbianRule::kBcm;
  if (state.pre_mean.defined()) {
    TORCH_CHECK(cov, fn, ": argument 'state.pre_mean' expected undefined for rule '",
                to_string(options.rule()), "', got a tensor");
    check_like(fn, "state.pre_mean", state.pre_mean, "pre", pre);
    check_sizes(fn, "state.pre_mean", state.pre_mean, {d.B, d.I});
  }
  if (state.post_mean.defined()) {
    TORCH_CHECK(cov, fn, ": argument 'state.post_mean' expected undefined for rule '",
                to_string(options.rule()), "', got a tensor");
    check_like(fn, "state.post_mean", state.post_mean, "pre", pre);
    check_sizes(fn, "state.post_mean", state.post_mean, {d.B, d.O});
  }
  if (state.theta.defined()) {
    TORCH_CHECK(bcm, fn, ": argument 'state.theta' expected undefined for rule '",
                to_string(options.rule()), "', got a tensor");
    check_like(fn, "state.theta", state.theta, "pre", pre);
    check_sizes(fn, "state.theta", state.theta, {d.B, d.O});
  }
  return d;
}

} // namespace detail
} // namespace engram::ops
