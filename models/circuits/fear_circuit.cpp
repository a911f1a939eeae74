#include <engram/models/circuits/fear_circuit.h>

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>
#include <ostream>

namespace engram::models::circuits {

FearCircuitImpl::FearCircuitImpl(FearCircuitOptions options_) : options(std::move(options_)) {
  const char* n = "FearCircuit: option '";
  TORCH_CHECK(options.num_cues() >= 1, n, "num_cues' expected >= 1, got ", options.num_cues());
  TORCH_CHECK(options.num_contexts() >= 1, n, "num_contexts' expected >= 1, got ",
              options.num_contexts());
  TORCH_CHECK(options.acquisition_rate() > 0 && options.acquisition_rate() <= 1, n,
              "acquisition_rate' expected a number in (0, 1], got ", options.acquisition_rate());
  TORCH_CHECK(options.extinction_rate() > 0 && options.extinction_rate() <= 1, n,
              "extinction_rate' expected a number in (0, 1], got ", options.extinction_rate());
  reset();
}

void FearCircuitImpl::reset() {
  association_ = register_buffer("association", at::zeros({options.num_cues()}, at::kDouble));
  extinction_ = register_buffer(
      "extinction", at::zeros({options.num_contexts(), options.num_cues()}, at::kDouble));
  reset_parameters();
}

void FearCircuitImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  association_.zero_();
  extinction_.zero_();
}

void FearCircuitImpl::check(const char* fn, const at::Tensor& cues,
                            const at::Tensor& context) const {
  TORCH_CHECK(cues.dim() == 1 && cues.size(0) == options.num_cues(), "FearCircuit::", fn,
              ": argument 'cues' expected [", options.num_cues(), "], got ", cues.sizes());
  TORCH_CHECK(context.dim() == 1 && context.size(0) == options.num_contexts(), "FearCircuit::", fn,
              ": argument 'context' expected [", options.num_contexts(), "], got ",
              context.sizes());
  for (const auto& [arg, t] : {std::pair{"cues", cues}, std::pair{"context", context}})
    TORCH_CHECK(t.ge(0).logical_and(t.le(1)).all().item<bool>(), "FearCircuit::", fn,
                ": argument '", arg, "' expected values in [0, 1]");
}

double FearCircuitImpl::fear(const at::Tensor& cues, const at::Tensor& context) const {
  check("fear", cues, context);
  at::NoGradGuard no_grad;
  const at::Tensor x = cues.to(association_.options());
  const at::Tensor c = context.to(association_.options());
  const double drive = at::dot(association_, x).item<double>();
  const double inhibition = at::dot(c, at::mv(extinction_, x)).item<double>();
  return std::max(0.0, drive - inhibition);
}

at::Tensor FearCircuitImpl::forward(const at::Tensor& cues, const at::Tensor& context) {
  return at::scalar_tensor(fear(cues, context), association_.options());
}

double FearCircuitImpl::trial(const at::Tensor& cues, const at::Tensor& context, double us) {
  TORCH_CHECK(us >= 0 && us <= 1,
              "FearCircuit::trial: argument 'us' expected a number in [0, 1], got ", us);
  const double response = fear(cues, context);
  at::NoGradGuard no_grad;
  const at::Tensor x = cues.to(association_.options());
  const at::Tensor c = context.to(association_.options());
  if (us > 0)
    association_.add_(x * (1 - association_), options.acquisition_rate() * us);
  const double surprise = std::max(0.0, response - us); // a US expected that did not come
  if (surprise > 0)
    extinction_.add_(at::outer(c, x), options.extinction_rate() * surprise);
  return response;
}

void FearCircuitImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::FearCircuit(num_cues=" << options.num_cues()
         << ", num_contexts=" << options.num_contexts()
         << ", acquisition_rate=" << options.acquisition_rate()
         << ", extinction_rate=" << options.extinction_rate() << ")";
}

} // namespace engram::models::circuits
