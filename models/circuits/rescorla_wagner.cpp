#include <engram/models/circuits/rescorla_wagner.h>

#include <c10/util/Exception.h>

#include <cmath>
#include <ostream>

namespace engram::models::circuits {

RescorlaWagnerImpl::RescorlaWagnerImpl(RescorlaWagnerOptions options_)
    : options(std::move(options_)) {
  TORCH_CHECK(options.num_cues() >= 1, "RescorlaWagner: option 'num_cues' expected >= 1, got ",
              options.num_cues());
  TORCH_CHECK(options.beta() > 0 && options.beta() <= 1,
              "RescorlaWagner: option 'beta' expected a number in (0, 1], got ", options.beta());
  TORCH_CHECK(options.lambda() > 0 && std::isfinite(options.lambda()),
              "RescorlaWagner: option 'lambda' expected a finite number > 0, got ",
              options.lambda());
  const auto& s = options.salience();
  TORCH_CHECK(s.empty() || static_cast<int64_t>(s.size()) == options.num_cues(),
              "RescorlaWagner: option 'salience' expected ", options.num_cues(),
              " values (one per cue) or none, got ", s.size());
  for (double a : s)
    TORCH_CHECK(a > 0 && a <= 1,
                "RescorlaWagner: option 'salience' expected values in (0, 1], got ", a);
  reset();
}

void RescorlaWagnerImpl::reset() {
  strength_ = register_buffer("strength", at::zeros({options.num_cues()}, at::kDouble));
  salience_ = register_buffer(
      "salience", options.salience().empty()
                      ? at::ones({options.num_cues()}, at::kDouble)
                      : at::tensor(options.salience(), at::TensorOptions().dtype(at::kDouble)));
  reset_parameters();
}

void RescorlaWagnerImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  strength_.zero_();
}

at::Tensor RescorlaWagnerImpl::predict(const at::Tensor& cues) const {
  TORCH_CHECK((cues.dim() == 1 || cues.dim() == 2) && cues.size(-1) == options.num_cues(),
              "RescorlaWagner::predict: argument 'cues' expected [", options.num_cues(),
              "] or [B, ", options.num_cues(), "], got ", cues.sizes());
  return at::matmul(cues.to(strength_.options()), strength_);
}

double RescorlaWagnerImpl::trial(const at::Tensor& cues, double us) {
  TORCH_CHECK(cues.dim() == 1 && cues.size(0) == options.num_cues(),
              "RescorlaWagner::trial: argument 'cues' expected [", options.num_cues(), "], got ",
              cues.sizes());
  TORCH_CHECK(us >= 0 && std::isfinite(us),
              "RescorlaWagner::trial: argument 'us' expected a finite number >= 0, got ", us);
  const at::Tensor x = cues.to(strength_.options());
  TORCH_CHECK(x.ge(0).logical_and(x.le(1)).all().item<bool>(),
              "RescorlaWagner::trial: argument 'cues' expected values in [0, 1]");
  at::NoGradGuard no_grad;
  const double error = options.lambda() * us - at::dot(x, strength_).item<double>();
  strength_.add_(salience_ * x, options.beta() * error);
  return error;
}

void RescorlaWagnerImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::RescorlaWagner(num_cues=" << options.num_cues() << ", beta=" << options.beta()
         << ", lambda=" << options.lambda() << ")";
}

} // namespace engram::models::circuits
