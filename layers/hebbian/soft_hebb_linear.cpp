#include <engram/layers/hebbian/soft_hebb_linear.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace engram::layers {

SoftHebbLinearImpl::SoftHebbLinearImpl(const SoftHebbLinearOptions& options_) : options(options_) {
  reset();
}

void SoftHebbLinearImpl::reset() {
  const auto& o = options;
  TORCH_CHECK(o.in_features() > 0, "SoftHebbLinear: option 'in_features' expected > 0, got ",
              o.in_features());
  TORCH_CHECK(o.out_features() >= 2,
              "SoftHebbLinear: option 'out_features' expected >= 2 competing units, got ",
              o.out_features());
  soft_hebb::check_rule_options("SoftHebbLinear", o);
  weight = register_buffer("weight", torch::empty({o.out_features(), o.in_features()}));
  step = register_buffer("step", torch::zeros({}, torch::kLong));
  reset_parameters();
}

void SoftHebbLinearImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  weight.normal_();
  weight.mul_(options.init_radius() / weight.norm(2, {1}, true).clamp_min(1e-12));
  step.zero_();
}

void SoftHebbLinearImpl::check_input(const torch::Tensor& x, const char* where) const {
  TORCH_CHECK(x.defined() && x.dim() == 2 && x.size(1) == options.in_features(),
              "SoftHebbLinear::", where, ": argument 'x' expected [B, ", options.in_features(),
              "], got ", x.defined() ? x.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(x.scalar_type() == weight.scalar_type(), "SoftHebbLinear::", where,
              ": argument 'x' expected dtype ", weight.scalar_type(), " (the layer's), got ",
              x.scalar_type());
  TORCH_CHECK(x.device() == weight.device(), "SoftHebbLinear::", where,
              ": argument 'x' expected on device ", weight.device(), " (the layer's), got ",
              x.device());
}

torch::Tensor SoftHebbLinearImpl::preactivation(const torch::Tensor& x) const {
  check_input(x, "forward");
  torch::NoGradGuard no_grad;
  return at::matmul(x.detach(), weight.t());
}

void SoftHebbLinearImpl::learn(const torch::Tensor& input) {
  check_input(input, "learn");
  TORCH_CHECK(input.size(0) > 0, "SoftHebbLinear::learn: argument 'x' expected a non-empty batch");
  torch::NoGradGuard no_grad;
  const at::Tensor x = input.detach();
  apply_rule(x, at::matmul(x, weight.t()));
}

void SoftHebbLinearImpl::apply_rule(const at::Tensor& x, const at::Tensor& u) {
  torch::NoGradGuard no_grad;
  const auto& o = options;
  const at::Tensor rates = soft_hebb::learning_rates(
      weight, o.learning_rate(), o.adaptive_learning_rate(), o.learning_rate_power());
  weight.add_(rates * soft_hebb::weight_change(weight, x, u, o.temperature(), o.anti_hebbian(),
                                               o.normalize_update()));
  step.add_(1);
}

torch::Tensor SoftHebbLinearImpl::forward(const torch::Tensor& x) {
  const at::Tensor u = preactivation(x);
  if (is_training()) {
    TORCH_CHECK(x.size(0) > 0, "SoftHebbLinear::forward: argument 'x' expected a non-empty batch");
    apply_rule(x.detach(), u);
  }
  torch::NoGradGuard no_grad;
  return soft_hebb::activate(u, options.activation(), options.triangle_power(), 1);
}

void SoftHebbLinearImpl::pretty_print(std::ostream& stream) const {
  const auto& o = options;
  stream << "engram::SoftHebbLinear(in_features=" << o.in_features()
         << ", out_features=" << o.out_features() << ", temperature=" << o.temperature()
         << ", learning_rate=" << o.learning_rate()
         << ", adaptive_learning_rate=" << o.adaptive_learning_rate();
  if (o.adaptive_learning_rate()) {
    stream << ", learning_rate_power=" << o.learning_rate_power();
  }
  stream << ", anti_hebbian=" << o.anti_hebbian() << ", activation=" << to_string(o.activation());
  if (o.activation() == SoftHebbActivation::kTriangle && o.triangle_power() != 1.0) {
    stream << ", triangle_power=" << o.triangle_power();
  }
  stream << ")";
}

} // namespace engram::layers
