#include <engram/models/circuits/gill_withdrawal_circuit.h>

#include <c10/util/Exception.h>

#include <cmath>
#include <ostream>

namespace engram::models::circuits {

GillWithdrawalCircuitImpl::GillWithdrawalCircuitImpl(GillWithdrawalCircuitOptions options_)
    : options(std::move(options_)) {
  const char* n = "GillWithdrawalCircuit: option '";
  TORCH_CHECK(options.pathways() >= 1, n, "pathways' expected >= 1, got ", options.pathways());
  TORCH_CHECK(options.utilisation() > 0 && options.utilisation() < 1, n,
              "utilisation' expected a number in (0, 1), got ", options.utilisation());
  TORCH_CHECK(options.tau_recovery() > 0 && std::isfinite(options.tau_recovery()), n,
              "tau_recovery' expected a finite number > 0, got ", options.tau_recovery());
  TORCH_CHECK(options.depletion() >= 0 && options.depletion() < 1, n,
              "depletion' expected a number in [0, 1), got ", options.depletion());
  TORCH_CHECK(options.tau_capacity() > options.tau_recovery() &&
                  std::isfinite(options.tau_capacity()),
              n, "tau_capacity' expected a finite number > tau_recovery (", options.tau_recovery(),
              "), got ", options.tau_capacity());
  TORCH_CHECK(options.tau_modulator() > 0 && std::isfinite(options.tau_modulator()), n,
              "tau_modulator' expected a finite number > 0, got ", options.tau_modulator());
  TORCH_CHECK(options.modulation() >= 0 && std::isfinite(options.modulation()), n,
              "modulation' expected a finite number >= 0, got ", options.modulation());
  reset();
}

void GillWithdrawalCircuitImpl::reset() {
  synapse_ = register_module("sensory_motor",
                             layers::synapse::TsodyksMarkramSynapse(
                                 layers::synapse::TsodyksMarkramSynapseOptions(options.pathways())
                                     .utilisation(options.utilisation())
                                     .tau_recovery(options.tau_recovery())
                                     .tau_facilitation(1.0)
                                     .learnable(false)));
  capacity_ = register_buffer("capacity", at::ones({options.pathways()}));
  modulator_ = register_buffer("modulator", at::zeros({}));
  clock_ = register_buffer("clock", at::zeros({}, at::kDouble));
  reset_parameters();
}

void GillWithdrawalCircuitImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  synapse_->reset_parameters();
  synapse_->reset_state(1);
  capacity_.fill_(1);
  modulator_.zero_();
  clock_.zero_();
}

void GillWithdrawalCircuitImpl::check_pathway(const char* fn, int64_t pathway) const {
  TORCH_CHECK(pathway >= 0 && pathway < options.pathways(), "GillWithdrawalCircuit::", fn,
              ": argument 'pathway' expected an integer in [0, ", options.pathways() - 1, "], got ",
              pathway);
}

void GillWithdrawalCircuitImpl::rest(double duration) {
  TORCH_CHECK(duration >= 0 && std::isfinite(duration),
              "GillWithdrawalCircuit: argument 'after' / 'duration' expected a finite number >= 0 "
              "(seconds), got ",
              duration);
  if (duration == 0)
    return;
  at::NoGradGuard no_grad;
  synapse_->relax(duration);
  capacity_.copy_(1 - (1 - capacity_) * std::exp(-duration / options.tau_capacity()));
  modulator_.mul_(std::exp(-duration / options.tau_modulator()));
  clock_.add_(duration);
}

double GillWithdrawalCircuitImpl::probe(int64_t pathway) const {
  check_pathway("probe", pathway);
  const auto& x = synapse_->resources();
  const auto& u = synapse_->utilisation_state();
  const double u_next =
      u[0][pathway].item<double>() + options.utilisation() * (1 - u[0][pathway].item<double>());
  return (1 + options.modulation() * modulator()) * capacity_[pathway].item<double>() * u_next *
         x[0][pathway].item<double>() / options.utilisation();
}

double GillWithdrawalCircuitImpl::touch(int64_t pathway, double after, double intensity) {
  check_pathway("touch", pathway);
  TORCH_CHECK(intensity > 0 && intensity <= 1,
              "GillWithdrawalCircuit::touch: argument 'intensity' expected a number in (0, 1], "
              "got ",
              intensity);
  rest(after);
  at::NoGradGuard no_grad;
  at::Tensor spikes = at::zeros({1, options.pathways()}, capacity_.options());
  spikes[0][pathway] = intensity;
  const at::Tensor release = synapse_->step(spikes, 0.0)[0];
  const double response =
      ((1 + options.modulation() * modulator()) * (capacity_ * release).sum()).item<double>() /
      options.utilisation();
  capacity_.mul_(1 - options.depletion() * release);
  return response;
}

void GillWithdrawalCircuitImpl::shock(double strength, double after) {
  TORCH_CHECK(strength > 0 && std::isfinite(strength),
              "GillWithdrawalCircuit::shock: argument 'strength' expected a finite number > 0, "
              "got ",
              strength);
  rest(after);
  at::NoGradGuard no_grad;
  modulator_.add_(strength);
}

std::vector<double> GillWithdrawalCircuitImpl::series(int64_t pathway, int64_t count,
                                                      double interval, double after) {
  TORCH_CHECK(count >= 1, "GillWithdrawalCircuit::series: argument 'count' expected >= 1, got ",
              count);
  std::vector<double> out;
  for (int64_t k = 0; k < count; ++k)
    out.push_back(touch(pathway, k == 0 ? after : interval));
  return out;
}

void GillWithdrawalCircuitImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::GillWithdrawalCircuit(pathways=" << options.pathways()
         << ", utilisation=" << options.utilisation() << ", tau_recovery=" << options.tau_recovery()
         << ", depletion=" << options.depletion() << ", tau_capacity=" << options.tau_capacity()
         << ", tau_modulator=" << options.tau_modulator() << ", modulation=" << options.modulation()
         << ")";
}

} // namespace engram::models::circuits
