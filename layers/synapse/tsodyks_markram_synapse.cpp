#include <engram/layers/synapse/tsodyks_markram_synapse.h>

#include <c10/util/Exception.h>

#include <cmath>
#include <ostream>

namespace engram::layers::synapse {

TsodyksMarkramSynapseImpl::TsodyksMarkramSynapseImpl(TsodyksMarkramSynapseOptions options_)
    : options(std::move(options_)) {
  const char* n = "TsodyksMarkramSynapse: option '";
  TORCH_CHECK(options.size() >= 1, n, "size' expected >= 1, got ", options.size());
  TORCH_CHECK(options.utilisation() > 0 && options.utilisation() < 1, n,
              "utilisation' expected a number in (0, 1), got ", options.utilisation());
  for (const auto& [name, v] : {std::pair{"tau_recovery", options.tau_recovery()},
                                std::pair{"tau_facilitation", options.tau_facilitation()},
                                std::pair{"amplitude", options.amplitude()}})
    TORCH_CHECK(v > 0 && std::isfinite(v), n, name, "' expected a finite number > 0, got ", v);
  reset();
}

void TsodyksMarkramSynapseImpl::reset() {
  const int64_t n = options.size();
  auto add = [&](const char* name) {
    at::Tensor t = at::zeros({n});
    return options.learnable() ? register_parameter(name, t) : register_buffer(name, t);
  };
  logit_utilisation_ = add("logit_utilisation");
  log_tau_recovery_ = add("log_tau_recovery");
  log_tau_facilitation_ = add("log_tau_facilitation");
  log_amplitude_ = add("log_amplitude");
  resources_ = register_buffer("resources", at::ones({0, n}));
  utilisation_state_ = register_buffer("utilisation_state", at::zeros({0, n}));
  reset_parameters();
}

void TsodyksMarkramSynapseImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  const double u = options.utilisation();
  logit_utilisation_.fill_(std::log(u / (1 - u)));
  log_tau_recovery_.fill_(std::log(options.tau_recovery()));
  log_tau_facilitation_.fill_(std::log(options.tau_facilitation()));
  log_amplitude_.fill_(std::log(options.amplitude()));
  resources_.set_data(at::ones({0, options.size()}, logit_utilisation_.options()));
  utilisation_state_.set_data(at::zeros({0, options.size()}, logit_utilisation_.options()));
}

void TsodyksMarkramSynapseImpl::reset_state(int64_t batch) {
  TORCH_CHECK(batch >= 1,
              "TsodyksMarkramSynapse::reset_state: argument 'batch' expected >= 1, got ", batch);
  resources_.set_data(at::ones({batch, options.size()}, logit_utilisation_.options()));
  utilisation_state_.set_data(at::zeros({batch, options.size()}, logit_utilisation_.options()));
}

void TsodyksMarkramSynapseImpl::check_spikes(const char* fn, const at::Tensor& spikes,
                                             int64_t dims) const {
  const int64_t b = resources_.size(0);
  TORCH_CHECK(b > 0, "TsodyksMarkramSynapse::", fn, ": no state; call reset_state(batch) first");
  TORCH_CHECK(spikes.dim() == dims && spikes.size(-1) == options.size() && spikes.size(-2) == b,
              "TsodyksMarkramSynapse::", fn, ": argument 'spikes' expected ",
              dims == 3 ? "[T, " : "[", b, ", ", options.size(), "], got ", spikes.sizes());
  TORCH_CHECK(spikes.is_floating_point(), "TsodyksMarkramSynapse::", fn,
              ": argument 'spikes' expected a floating-point tensor, got ", spikes.scalar_type());
}

TsodyksMarkramSynapseImpl::State TsodyksMarkramSynapseImpl::relaxed(State s, double elapsed) const {
  if (elapsed == 0)
    return s;
  s.x = 1 - (1 - s.x) * at::exp(-elapsed / tau_recovery());
  s.u = s.u * at::exp(-elapsed / tau_facilitation());
  return s;
}

at::Tensor TsodyksMarkramSynapseImpl::spike(State& s, const at::Tensor& spikes) const {
  s.u = s.u + utilisation() * (1 - s.u) * spikes;
  const at::Tensor used = s.u * s.x * spikes;
  s.x = s.x - used;
  return amplitude() * used;
}

void TsodyksMarkramSynapseImpl::store(const State& s) {
  resources_.set_data(s.x.detach());
  utilisation_state_.set_data(s.u.detach());
}

at::Tensor TsodyksMarkramSynapseImpl::step(const at::Tensor& spikes, double elapsed) {
  check_spikes("step", spikes, 2);
  TORCH_CHECK(elapsed >= 0 && std::isfinite(elapsed),
              "TsodyksMarkramSynapse::step: argument 'elapsed' expected a finite number >= 0, got ",
              elapsed);
  // Copies: the buffers are re-pointed at the new state below, and autograd keeps the old one.
  State s = relaxed({resources_.clone(), utilisation_state_.clone()}, elapsed);
  const at::Tensor release = spike(s, spikes.to(resources_.dtype()));
  store(s);
  return release;
}

void TsodyksMarkramSynapseImpl::relax(double elapsed) {
  TORCH_CHECK(resources_.size(0) > 0,
              "TsodyksMarkramSynapse::relax: no state; call reset_state(batch) first");
  TORCH_CHECK(elapsed >= 0 && std::isfinite(elapsed),
              "TsodyksMarkramSynapse::relax: argument 'elapsed' expected a finite number >= 0, "
              "got ",
              elapsed);
  store(relaxed({resources_, utilisation_state_}, elapsed));
}

at::Tensor TsodyksMarkramSynapseImpl::forward(const at::Tensor& spikes, double dt) {
  check_spikes("forward", spikes, 3);
  TORCH_CHECK(dt > 0 && std::isfinite(dt),
              "TsodyksMarkramSynapse::forward: argument 'dt' expected a finite number > 0, got ",
              dt);
  // Copies: the buffers are re-pointed at the new state below, and autograd keeps the old one.
  State s{resources_.clone(), utilisation_state_.clone()};
  std::vector<at::Tensor> out;
  out.reserve(static_cast<size_t>(spikes.size(0)));
  const at::Tensor input = spikes.to(resources_.dtype());
  for (int64_t t = 0; t < spikes.size(0); ++t) {
    s = relaxed(std::move(s), t == 0 ? 0.0 : dt);
    out.push_back(spike(s, input[t]));
  }
  store(s);
  return at::stack(out);
}

at::Tensor TsodyksMarkramSynapseImpl::paired_pulse_ratio(double interval) {
  TORCH_CHECK(interval > 0 && std::isfinite(interval),
              "TsodyksMarkramSynapse::paired_pulse_ratio: argument 'interval' expected a finite "
              "number > 0, got ",
              interval);
  at::NoGradGuard no_grad;
  State s{at::ones({1, options.size()}, resources_.options()),
          at::zeros({1, options.size()}, resources_.options())};
  const at::Tensor one = at::ones({1, options.size()}, resources_.options());
  const at::Tensor first = spike(s, one);
  s = relaxed(std::move(s), interval);
  const at::Tensor second = spike(s, one);
  return (second / first)[0];
}

void TsodyksMarkramSynapseImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::TsodyksMarkramSynapse(size=" << options.size()
         << ", utilisation=" << options.utilisation() << ", tau_recovery=" << options.tau_recovery()
         << ", tau_facilitation=" << options.tau_facilitation()
         << ", amplitude=" << options.amplitude() << ", learnable=" << options.learnable() << ")";
}

} // namespace engram::layers::synapse
