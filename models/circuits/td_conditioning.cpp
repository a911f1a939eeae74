#include <engram/models/circuits/td_conditioning.h>

#include <c10/util/Exception.h>

#include <ostream>

namespace engram::models::circuits {

TDConditioningImpl::TDConditioningImpl(TDConditioningOptions options_)
    : options(std::move(options_)) {
  const char* n = "TDConditioning: option '";
  TORCH_CHECK(options.num_cues() >= 1, n, "num_cues' expected >= 1, got ", options.num_cues());
  TORCH_CHECK(options.trial_length() >= 2, n, "trial_length' expected >= 2, got ",
              options.trial_length());
  TORCH_CHECK(options.learning_rate() > 0 && options.learning_rate() <= 1, n,
              "learning_rate' expected a number in (0, 1], got ", options.learning_rate());
  TORCH_CHECK(options.gamma() >= 0 && options.gamma() <= 1, n,
              "gamma' expected a number in [0, 1], got ", options.gamma());
  TORCH_CHECK(options.lambda() >= 0 && options.lambda() <= 1, n,
              "lambda' expected a number in [0, 1], got ", options.lambda());
  const auto& s = options.salience();
  TORCH_CHECK(s.empty() || static_cast<int64_t>(s.size()) == options.num_cues(), n,
              "salience' expected ", options.num_cues(), " values (one per cue) or none, got ",
              s.size());
  for (double a : s)
    TORCH_CHECK(a > 0 && a <= 1, n, "salience' expected values in (0, 1], got ", a);
  reset();
}

void TDConditioningImpl::reset() {
  weight_ = register_buffer("weight",
                            at::zeros({options.num_cues(), options.trial_length()}, at::kDouble));
  salience_ = register_buffer(
      "salience", options.salience().empty()
                      ? at::ones({options.num_cues()}, at::kDouble)
                      : at::tensor(options.salience(), at::TensorOptions().dtype(at::kDouble)));
  reset_parameters();
}

void TDConditioningImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  weight_.zero_();
}

at::Tensor TDConditioningImpl::features(const char* fn, const at::Tensor& cues) const {
  const int64_t c = options.num_cues(), len = options.trial_length();
  TORCH_CHECK(cues.dim() == 2 && cues.size(1) == c && cues.size(0) >= 1 && cues.size(0) <= len,
              "TDConditioning::", fn, ": argument 'cues' expected [T, ", c,
              "] with 1 <= T <= ", len, ", got ", cues.sizes());
  const at::Tensor x = cues.to(at::kCPU, at::kDouble).contiguous();
  TORCH_CHECK(x.ge(0).logical_and(x.le(1)).all().item<bool>(), "TDConditioning::", fn,
              ": argument 'cues' expected values in [0, 1]");
  const int64_t steps = x.size(0);
  at::Tensor f = at::zeros({steps, c, len}, at::kDouble);
  auto xa = x.accessor<double, 2>();
  auto fa = f.accessor<double, 3>();
  for (int64_t i = 0; i < c; ++i) {
    int64_t onset = -1;
    for (int64_t t = 0; t < steps; ++t) {
      if (xa[t][i] <= 0) {
        onset = -1;
        continue;
      }
      if (onset < 0)
        onset = t;
      fa[t][i][t - onset] = xa[t][i];
    }
  }
  return f.to(weight_.device());
}

at::Tensor TDConditioningImpl::values(const at::Tensor& cues) const {
  at::NoGradGuard no_grad;
  const at::Tensor f = features("values", cues);
  return (f * (weight_ * salience_.unsqueeze(1)).unsqueeze(0)).sum({1, 2});
}

at::Tensor TDConditioningImpl::trial(const at::Tensor& cues, const at::Tensor& us) {
  const at::Tensor f = features("trial", cues);
  const int64_t steps = f.size(0);
  TORCH_CHECK(us.dim() == 1 && us.size(0) == steps,
              "TDConditioning::trial: argument 'us' expected [", steps, "], got ", us.sizes());
  const at::Tensor r = us.to(at::kCPU, at::kDouble).contiguous();
  TORCH_CHECK(r.ge(0).all().item<bool>() && r.isfinite().all().item<bool>(),
              "TDConditioning::trial: argument 'us' expected finite values >= 0");
  at::NoGradGuard no_grad;
  const double g = options.gamma(), gl = options.gamma() * options.lambda();
  const at::Tensor alpha = salience_.unsqueeze(1);
  at::Tensor trace = at::zeros_like(weight_);
  at::Tensor deltas = at::zeros({steps + 1}, at::kDouble);
  auto ra = r.accessor<double, 1>();
  auto da = deltas.accessor<double, 1>();
  double v_prev = 0.0; // the cue-free baseline before the trial
  for (int64_t t = 0; t <= steps; ++t) {
    const double us_t = t < steps ? ra[t] : 0.0;
    const at::Tensor x_t = t < steps ? f[t] * alpha : at::Tensor();
    const double v_t = t < steps ? (x_t * weight_).sum().item<double>() : 0.0;
    const double delta = us_t + g * v_t - v_prev;
    da[t] = delta;
    weight_.add_(trace, options.learning_rate() * delta);
    if (t < steps) {
      trace.mul_(gl).add_(x_t);
      v_prev = (x_t * weight_).sum().item<double>();
    }
  }
  return deltas;
}

void TDConditioningImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::TDConditioning(num_cues=" << options.num_cues()
         << ", trial_length=" << options.trial_length()
         << ", learning_rate=" << options.learning_rate() << ", gamma=" << options.gamma()
         << ", lambda=" << options.lambda() << ")";
}

} // namespace engram::models::circuits
