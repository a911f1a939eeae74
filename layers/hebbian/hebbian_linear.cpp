#include <engram/layers/hebbian/competition.h>
#include <engram/layers/hebbian/hebbian_linear.h>
#include <engram/layers/hebbian/local_rules.h>

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <cmath>

namespace engram::layers {

namespace {

// DeSieno's conscience: units that win more than their share raise their threshold.
void adapt_competition_threshold(HebbianLinearImpl& layer, const at::Tensor& contest) {
  if (layer.options.homeostasis() <= 0.0) {
    return;
  }
  const auto out = layer.options.out_features();
  const auto wins = at::bincount(contest.argmax(1), {}, out).to(contest.scalar_type());
  layer.competition_threshold.add_(wins.div_(static_cast<double>(contest.size(0))).sub_(1.0 / out),
                                   layer.options.homeostasis());
}

at::Tensor update_hebb(HebbianLinearImpl& layer, const HebbianBatch& b) {
  const auto delta = rules::hebb(b.x, b.y);
  if (layer.options.decay() > 0.0) {
    b.w.mul_(1.0 - layer.options.decay());
  }
  return delta;
}

at::Tensor update_oja(HebbianLinearImpl&, const HebbianBatch& b) {
  return rules::oja(b.w, b.x, b.y);
}

at::Tensor update_sanger(HebbianLinearImpl&, const HebbianBatch& b) {
  return rules::sanger(b.w, b.x, b.y);
}

at::Tensor update_bcm(HebbianLinearImpl& layer, const HebbianBatch& b) {
  const auto delta = rules::bcm(b.x, b.y, layer.theta);
  layer.theta.add_((b.y.square().mean(0) - layer.theta) * layer.options.bcm_rate());
  return delta;
}

at::Tensor update_covariance(HebbianLinearImpl& layer, const HebbianBatch& b) {
  if (layer.step.item<int64_t>() == 0) { // start the means at the first batch, not at zero
    layer.mean_x.copy_(b.x.mean(0));
    layer.mean_y.copy_(b.y.mean(0));
  }
  const auto delta = rules::covariance(b.x, b.y, layer.mean_x, layer.mean_y);
  layer.mean_x.add_((b.x.mean(0) - layer.mean_x) * layer.options.mean_rate());
  layer.mean_y.add_((b.y.mean(0) - layer.mean_y) * layer.options.mean_rate());
  return delta;
}

at::Tensor update_soft_wta(HebbianLinearImpl& layer, const HebbianBatch& b) {
  const auto& o = layer.options;
  const auto contest = b.u - layer.competition_threshold.unsqueeze(0);
  const auto delta = rules::competitive(
      b.w, b.x, b.u, competition::soft_wta(contest, o.temperature(), o.anti_hebbian()));
  adapt_competition_threshold(layer, contest);
  return delta;
}

at::Tensor update_hard_wta(HebbianLinearImpl& layer, const HebbianBatch& b) {
  const auto& o = layer.options;
  const auto contest = b.u - layer.competition_threshold.unsqueeze(0);
  auto delta = rules::competitive(b.w, b.x, b.u,
                                  competition::hard_wta(contest, o.wta_rank(), o.wta_delta()));
  adapt_competition_threshold(layer, contest);
  if (o.normalize_update()) {
    delta.div_(delta.abs().max().clamp_min(1e-30));
  }
  return delta;
}

} // namespace

const std::vector<HebbianRuleEntry>& hebbian_rule_table() {
  static const std::vector<HebbianRuleEntry> table{
      {HebbianRule::kHebb, update_hebb, "dW = eta <y x^T> - decay W"},
      {HebbianRule::kOja, update_oja, "dW_j = eta <y_j (x - y_j W_j)> (Oja 1982)"},
      {HebbianRule::kSanger, update_sanger, "dW = eta <y x^T - LT(y y^T) W> (Sanger 1989)"},
      {HebbianRule::kBcm, update_bcm,
       "dW_j = eta <x y_j (y_j - theta_j)>, theta ~ <y^2> (Bienenstock et al. 1982)"},
      {HebbianRule::kCovariance, update_covariance,
       "dW = eta <(y - <y>)(x - <x>)^T> (Sejnowski 1977)"},
      {HebbianRule::kSoftWta, update_soft_wta,
       "softmax competition, anti-Hebbian losers (Journe et al. 2023)"},
      {HebbianRule::kHardWta, update_hard_wta,
       "winner +1, k-th ranked -delta (Krotov & Hopfield 2019)"},
  };
  return table;
}

HebbianLinearImpl::HebbianLinearImpl(const HebbianLinearOptions& options_) : options(options_) {
  reset();
}

void HebbianLinearImpl::check_options() const {
  const auto& o = options;
  TORCH_CHECK(o.in_features() > 0, "HebbianLinear: option 'in_features' expected > 0, got ",
              o.in_features());
  TORCH_CHECK(o.out_features() > 0, "HebbianLinear: option 'out_features' expected > 0, got ",
              o.out_features());
  TORCH_CHECK(o.learning_rate() >= 0.0 && std::isfinite(o.learning_rate()),
              "HebbianLinear: option 'learning_rate' expected finite and >= 0, got ",
              o.learning_rate());
  TORCH_CHECK(o.schedule_steps() > 0, "HebbianLinear: option 'schedule_steps' expected > 0, got ",
              o.schedule_steps());
  TORCH_CHECK(o.decay() >= 0.0 && o.decay() < 1.0,
              "HebbianLinear: option 'decay' expected in [0, 1), got ", o.decay());
  TORCH_CHECK(o.bcm_rate() > 0.0 && o.bcm_rate() <= 1.0,
              "HebbianLinear: option 'bcm_rate' expected in (0, 1], got ", o.bcm_rate());
  TORCH_CHECK(o.mean_rate() > 0.0 && o.mean_rate() <= 1.0,
              "HebbianLinear: option 'mean_rate' expected in (0, 1], got ", o.mean_rate());
  TORCH_CHECK(o.temperature() > 0.0 && std::isfinite(o.temperature()),
              "HebbianLinear: option 'temperature' expected finite and > 0, got ", o.temperature());
  TORCH_CHECK(o.anti_hebbian() >= 0.0, "HebbianLinear: option 'anti_hebbian' expected >= 0, got ",
              o.anti_hebbian());
  TORCH_CHECK(o.homeostasis() >= 0.0 && std::isfinite(o.homeostasis()),
              "HebbianLinear: option 'homeostasis' expected finite and >= 0, got ",
              o.homeostasis());
  TORCH_CHECK(o.wta_delta() >= 0.0, "HebbianLinear: option 'wta_delta' expected >= 0, got ",
              o.wta_delta());
  if (o.rule() == HebbianRule::kHardWta) {
    TORCH_CHECK(o.wta_rank() >= 2 && o.wta_rank() <= o.out_features(),
                "HebbianLinear: option 'wta_rank' expected in [2, out_features = ",
                o.out_features(), "], got ", o.wta_rank());
  }
  if (o.rule() == HebbianRule::kSoftWta || o.rule() == HebbianRule::kHardWta) {
    TORCH_CHECK(o.out_features() >= 2, "HebbianLinear: rule '", to_string(o.rule()),
                "' needs out_features >= 2 competing units, got ", o.out_features());
  }
}

void HebbianLinearImpl::reset() {
  check_options();
  hebbian_rule_entry(options.rule()); // every rule has a row
  const auto in = options.in_features();
  const auto out = options.out_features();
  weight = register_parameter("weight", torch::empty({out, in}));
  if (options.bias()) {
    bias = register_parameter("bias", torch::empty({out}));
  } else {
    bias = register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
  }
  theta = register_buffer("theta", torch::zeros({out}));
  mean_x = register_buffer("mean_x", torch::zeros({in}));
  mean_y = register_buffer("mean_y", torch::zeros({out}));
  competition_threshold = register_buffer("competition_threshold", torch::zeros({out}));
  step = register_buffer("step", torch::zeros({}, torch::kLong));
  reset_parameters();
}

void HebbianLinearImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features()));
  weight.uniform_(-bound, bound);
  if (options.weight_normalization() == WeightNormalization::kUnitNorm) {
    weight.div_(weight.norm(2, {1}, true).clamp_min(1e-12));
  }
  if (bias.defined()) {
    bias.zero_();
  }
  theta.zero_();
  mean_x.zero_();
  mean_y.zero_();
  competition_threshold.zero_();
  step.zero_();
}

torch::Tensor HebbianLinearImpl::preactivation(const torch::Tensor& x) const {
  TORCH_CHECK(x.defined() && x.dim() >= 1 && x.size(-1) == options.in_features(),
              "HebbianLinear: argument 'x' expected shape [..., ", options.in_features(), "], got ",
              x.defined() ? x.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(x.is_floating_point(), "HebbianLinear: argument 'x' expected a floating dtype, got ",
              x.scalar_type());
  TORCH_CHECK(x.device() == weight.device(), "HebbianLinear: argument 'x' expected on device ",
              weight.device(), " (the layer's), got ", x.device());
  return bias.defined() ? at::linear(x, weight, bias) : at::linear(x, weight);
}

torch::Tensor HebbianLinearImpl::activate(const torch::Tensor& u) const {
  switch (options.activation()) {
  case Activation::kNone:
    return u;
  case Activation::kRelu:
    return at::relu(u);
  case Activation::kTanh:
    return at::tanh(u);
  case Activation::kSigmoid:
    return at::sigmoid(u);
  }
  return u;
}

torch::Tensor HebbianLinearImpl::forward(const torch::Tensor& x) {
  return activate(preactivation(x));
}

double HebbianLinearImpl::current_learning_rate() const {
  return options.learning_rate() *
         learning_rate_factor(options.schedule(), step.item<int64_t>(), options.schedule_steps());
}

torch::Tensor HebbianLinearImpl::learn(const torch::Tensor& input) {
  TORCH_CHECK(is_training(),
              "HebbianLinear::learn: the module is in eval mode, where its weights are frozen; "
              "call train() before learn()");
  check_options();
  TORCH_CHECK(input.defined() && (input.dim() == 1 || input.dim() == 2) &&
                  input.size(-1) == options.in_features(),
              "HebbianLinear::learn: argument 'x' expected shape [batch, ", options.in_features(),
              "] or [", options.in_features(), "], got ",
              input.defined() ? input.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(input.dim() == 1 || input.size(0) > 0,
              "HebbianLinear::learn: argument 'x' expected a non-empty batch, got ", input.sizes());
  TORCH_CHECK(input.scalar_type() == weight.scalar_type(),
              "HebbianLinear::learn: argument 'x' expected dtype ", weight.scalar_type(),
              " (the layer's), got ", input.scalar_type());
  torch::NoGradGuard no_grad;
  const auto x = input.dim() == 1 ? input.unsqueeze(0) : input;
  const auto u = preactivation(x);
  const auto y = activate(u);
  const double eta = current_learning_rate();
  const auto w = weight.detach();

  const auto delta = hebbian_rule_entry(options.rule()).update(*this, {w, x, u, y});
  w.add_(delta, eta);
  if (options.weight_normalization() == WeightNormalization::kUnitNorm) {
    w.div_(w.norm(2, {1}, true).clamp_min(1e-12));
  }
  step.add_(1);
  return input.dim() == 1 ? y.squeeze(0) : y;
}

void HebbianLinearImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::HebbianLinear(in_features=" << options.in_features()
         << ", out_features=" << options.out_features() << ", rule=" << to_string(options.rule())
         << ", activation=" << to_string(options.activation()) << ", bias=" << options.bias()
         << ", learning_rate=" << options.learning_rate()
         << ", schedule=" << to_string(options.schedule());
  if (options.weight_normalization() != WeightNormalization::kNone) {
    stream << ", weight_normalization=" << to_string(options.weight_normalization());
  }
  if (options.rule() == HebbianRule::kSoftWta) {
    stream << ", temperature=" << options.temperature()
           << ", anti_hebbian=" << options.anti_hebbian();
  }
  if ((options.rule() == HebbianRule::kSoftWta || options.rule() == HebbianRule::kHardWta) &&
      options.homeostasis() > 0.0) {
    stream << ", homeostasis=" << options.homeostasis();
  }
  if (options.rule() == HebbianRule::kHardWta) {
    stream << ", wta_rank=" << options.wta_rank() << ", wta_delta=" << options.wta_delta();
  }
  stream << ")";
}

} // namespace engram::layers
