#include <engram/rl/three_factor_linear.h>

#include <engram/rl/eligibility_trace.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <cmath>
#include <ostream>

namespace engram::rl {

ThreeFactorLinearImpl::ThreeFactorLinearImpl(ThreeFactorLinearOptions options) : options_(options) {
  const auto& o = options_;
  TORCH_CHECK(o.in_features() > 0 && o.out_features() > 0,
              "ThreeFactorLinear: arguments 'in_features' and 'out_features' expected > 0, got ",
              o.in_features(), " and ", o.out_features());
  TORCH_CHECK(o.eta() >= 0 && std::isfinite(o.eta()),
              "ThreeFactorLinear: argument 'eta' expected >= 0, got ", o.eta());
  check_unit_interval(o.trace_decay(), "ThreeFactorLinear", "trace_decay");
  check_unit_interval(o.forgetting(), "ThreeFactorLinear", "forgetting");
  TORCH_CHECK(o.clip() >= 0, "ThreeFactorLinear: argument 'clip' expected >= 0, got ", o.clip());
  const double bound = 1.0 / std::sqrt(static_cast<double>(o.in_features()));
  weight = register_parameter(
      "weight", at::empty({o.out_features(), o.in_features()}).uniform_(-bound, bound));
  bias = register_parameter("bias", at::zeros({o.out_features()}));
  plastic = register_buffer("plastic", at::zeros({o.out_features(), o.in_features()}));
  eligibility = register_buffer("eligibility", at::zeros({o.out_features(), o.in_features()}));
}

at::Tensor ThreeFactorLinearImpl::forward(const at::Tensor& x) {
  TORCH_CHECK((x.dim() == 1 || x.dim() == 2) && x.size(-1) == options_.in_features(),
              "ThreeFactorLinear::forward: argument 'x' expected [", options_.in_features(),
              "] or [B, ", options_.in_features(), "], got ", x.sizes());
  const at::Tensor w = weight + options_.gain() * plastic;
  return at::matmul(x, w.t()) + bias;
}

void ThreeFactorLinearImpl::accumulate(const at::Tensor& pre, const at::Tensor& post) {
  TORCH_CHECK(pre.dim() == 1 && pre.size(0) == options_.in_features(),
              "ThreeFactorLinear::accumulate: argument 'pre' expected [", options_.in_features(),
              "], got ", pre.sizes());
  TORCH_CHECK(post.dim() == 1 && post.size(0) == options_.out_features(),
              "ThreeFactorLinear::accumulate: argument 'post' expected [", options_.out_features(),
              "], got ", post.sizes());
  at::NoGradGuard no_grad;
  eligibility.mul_(options_.trace_decay()).add_(at::outer(post.detach(), pre.detach()));
}

void ThreeFactorLinearImpl::modulate(double modulation) {
  TORCH_CHECK(std::isfinite(modulation),
              "ThreeFactorLinear::modulate: argument 'modulation' expected finite, got ",
              modulation);
  at::NoGradGuard no_grad;
  if (options_.forgetting() > 0)
    plastic.mul_(1.0 - options_.forgetting());
  plastic.add_(eligibility, options_.eta() * modulation);
  if (options_.clip() > 0)
    plastic.clamp_(-options_.clip(), options_.clip());
}

void ThreeFactorLinearImpl::reset_eligibility() {
  at::NoGradGuard no_grad;
  eligibility.zero_();
}

void ThreeFactorLinearImpl::reset_plastic() {
  at::NoGradGuard no_grad;
  plastic.zero_();
  eligibility.zero_();
}

void ThreeFactorLinearImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::rl::ThreeFactorLinear(in_features=" << options_.in_features()
         << ", out_features=" << options_.out_features() << ", eta=" << options_.eta()
         << ", trace_decay=" << options_.trace_decay() << ")";
}

} // namespace engram::rl
