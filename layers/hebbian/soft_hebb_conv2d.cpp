#include <engram/layers/hebbian/soft_hebb_conv2d.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace engram::layers {

SoftHebbConv2dImpl::SoftHebbConv2dImpl(const SoftHebbConv2dOptions& options_) : options(options_) {
  reset();
}

void SoftHebbConv2dImpl::reset() {
  const auto& o = options;
  TORCH_CHECK(o.in_channels() > 0, "SoftHebbConv2d: option 'in_channels' expected > 0, got ",
              o.in_channels());
  TORCH_CHECK(o.out_channels() >= 2,
              "SoftHebbConv2d: option 'out_channels' expected >= 2 competing channels, got ",
              o.out_channels());
  TORCH_CHECK(o.kernel_size() >= 1, "SoftHebbConv2d: option 'kernel_size' expected >= 1, got ",
              o.kernel_size());
  TORCH_CHECK(o.stride() >= 1, "SoftHebbConv2d: option 'stride' expected >= 1, got ", o.stride());
  TORCH_CHECK(o.padding() >= 0, "SoftHebbConv2d: option 'padding' expected >= 0, got ",
              o.padding());
  soft_hebb::check_rule_options("SoftHebbConv2d", o);
  weight = register_buffer("weight", torch::empty({o.out_channels(), o.in_channels(),
                                                   o.kernel_size(), o.kernel_size()}));
  step = register_buffer("step", torch::zeros({}, torch::kLong));
  reset_parameters();
}

void SoftHebbConv2dImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  weight.normal_();
  const at::Tensor norms = weight.flatten(1).norm(2, {1}).clamp_min(1e-12).view({-1, 1, 1, 1});
  weight.mul_(options.init_radius() / norms);
  step.zero_();
}

void SoftHebbConv2dImpl::check_input(const torch::Tensor& x, const char* where) const {
  const auto& o = options;
  TORCH_CHECK(x.defined() && x.dim() == 4 && x.size(1) == o.in_channels() &&
                  x.size(2) + 2 * o.padding() >= o.kernel_size() &&
                  x.size(3) + 2 * o.padding() >= o.kernel_size(),
              "SoftHebbConv2d::", where, ": argument 'x' expected [B, ", o.in_channels(),
              ", H, W] with H, W + 2 * padding >= kernel_size ", o.kernel_size(), ", got ",
              x.defined() ? x.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(x.scalar_type() == weight.scalar_type(), "SoftHebbConv2d::", where,
              ": argument 'x' expected dtype ", weight.scalar_type(), " (the layer's), got ",
              x.scalar_type());
  TORCH_CHECK(x.device() == weight.device(), "SoftHebbConv2d::", where,
              ": argument 'x' expected on device ", weight.device(), " (the layer's), got ",
              x.device());
}

torch::Tensor SoftHebbConv2dImpl::preactivation(const torch::Tensor& x) const {
  check_input(x, "forward");
  torch::NoGradGuard no_grad;
  return at::conv2d(x.detach(), weight, {}, options.stride(), options.padding());
}

void SoftHebbConv2dImpl::learn(const torch::Tensor& x) {
  const at::Tensor u = preactivation(x);
  TORCH_CHECK(x.size(0) > 0, "SoftHebbConv2d::learn: argument 'x' expected a non-empty batch");
  apply_rule(x.detach(), u);
}

void SoftHebbConv2dImpl::apply_rule(const at::Tensor& x, const at::Tensor& u) {
  torch::NoGradGuard no_grad;
  const auto& o = options;
  const int64_t k = o.kernel_size();
  // Every (image, position) is one sample of the rule: patches [B*L, C*k*k], u [B*L, O].
  const at::Tensor patches = at::im2col(x, {k, k}, {1, 1}, {o.padding(), o.padding()},
                                        {o.stride(), o.stride()}) // [B, C*k*k, L]
                                 .transpose(1, 2)
                                 .reshape({-1, o.in_channels() * k * k});
  const at::Tensor u_flat = u.permute({0, 2, 3, 1}).reshape({-1, o.out_channels()});
  const at::Tensor w = weight.view({o.out_channels(), -1});
  const at::Tensor rates = soft_hebb::learning_rates(
      w, o.learning_rate(), o.adaptive_learning_rate(), o.learning_rate_power());
  w.add_(rates * soft_hebb::weight_change(w, patches, u_flat, o.temperature(), o.anti_hebbian(),
                                          o.normalize_update()));
  step.add_(1);
}

torch::Tensor SoftHebbConv2dImpl::forward(const torch::Tensor& x) {
  const at::Tensor u = preactivation(x);
  if (is_training()) {
    TORCH_CHECK(x.size(0) > 0, "SoftHebbConv2d::forward: argument 'x' expected a non-empty batch");
    apply_rule(x.detach(), u);
  }
  torch::NoGradGuard no_grad;
  return soft_hebb::activate(u, options.activation(), options.triangle_power(), 1);
}

void SoftHebbConv2dImpl::pretty_print(std::ostream& stream) const {
  const auto& o = options;
  stream << "engram::SoftHebbConv2d(" << o.in_channels() << ", " << o.out_channels()
         << ", kernel_size=" << o.kernel_size() << ", stride=" << o.stride()
         << ", padding=" << o.padding() << ", temperature=" << o.temperature()
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
