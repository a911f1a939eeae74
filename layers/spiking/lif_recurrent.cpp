#include <engram/layers/spiking/detail/spiking_dynamics.h>
#include <engram/layers/spiking/lif_recurrent.h>

#include <ATen/ATen.h>

#include <cmath>

namespace engram::layers::spiking {

LifRecurrentImpl::LifRecurrentImpl(const LifRecurrentOptions& options_) : options(options_) {
  reset();
}

void LifRecurrentImpl::check_options() const {
  const auto& o = options;
  TORCH_CHECK(o.input_size() > 0, "LifRecurrent: option 'input_size' expected > 0, got ",
              o.input_size());
  TORCH_CHECK(o.hidden_size() > 0, "LifRecurrent: option 'hidden_size' expected > 0, got ",
              o.hidden_size());
  TORCH_CHECK(o.dt() > 0, "LifRecurrent: option 'dt' expected > 0, got ", o.dt());
  TORCH_CHECK(o.tau_mem() > 0, "LifRecurrent: option 'tau_mem' expected > 0, got ", o.tau_mem());
  TORCH_CHECK(o.threshold() > 0, "LifRecurrent: option 'threshold' expected > 0, got ",
              o.threshold());
  TORCH_CHECK(o.dampening() > 0, "LifRecurrent: option 'dampening' expected > 0, got ",
              o.dampening());
  TORCH_CHECK(o.refractory_steps() >= 0,
              "LifRecurrent: option 'refractory_steps' expected >= 0, got ", o.refractory_steps());
}

void LifRecurrentImpl::reset() {
  check_options();
  const auto n = options.hidden_size();
  w_in = register_parameter("w_in", torch::empty({n, options.input_size()}));
  w_rec = register_parameter("w_rec", torch::empty({n, n}));
  reset_parameters();
}

void LifRecurrentImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  w_in.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(options.input_size())));
  w_rec.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(options.hidden_size())));
}

double LifRecurrentImpl::alpha() const {
  return std::exp(-options.dt() / options.tau_mem());
}

detail::SpikingDynamics LifRecurrentImpl::dynamics() const {
  detail::SpikingDynamics d;
  d.alpha = alpha();
  d.v_th = options.threshold();
  d.gamma = options.dampening();
  d.refractory_steps = options.refractory_steps();
  d.detach_reset = options.detach_reset();
  d.truncate_recurrent_gradient = options.truncate_recurrent_gradient();
  return d;
}

SpikingState LifRecurrentImpl::initial_state(int64_t batch_size) const {
  TORCH_CHECK(batch_size > 0,
              "LifRecurrent::initial_state: argument 'batch_size' expected > 0, got ", batch_size);
  return detail::zero_spiking_state(batch_size, options.hidden_size(), w_in);
}

SpikingState LifRecurrentImpl::step(const torch::Tensor& x_t, const SpikingState& state) const {
  TORCH_CHECK(x_t.defined() && x_t.dim() == 2 && x_t.size(1) == options.input_size(),
              "LifRecurrent::step: argument 'x_t' expected shape [B, ", options.input_size(),
              "], got ", x_t.defined() ? x_t.sizes() : c10::IntArrayRef{});
  detail::check_spiking_state("LifRecurrent::step", state, x_t.size(0), options.hidden_size());
  return detail::spiking_step(x_t, state, w_in, w_rec, dynamics());
}

torch::Tensor LifRecurrentImpl::pseudo_derivative(const SpikingState& state) const {
  return detail::spiking_pseudo_derivative(state, dynamics());
}

SpikingOutput LifRecurrentImpl::forward(const torch::Tensor& x,
                                        const std::optional<SpikingState>& state) {
  check_options();
  detail::check_sequence_input("LifRecurrent", x, options.input_size(), w_in);
  auto s = state ? *state : initial_state(x.size(1));
  detail::check_spiking_state("LifRecurrent", s, x.size(1), options.hidden_size());
  return detail::run_spiking(x, s, w_in, w_rec, dynamics());
}

void LifRecurrentImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::LifRecurrent(input_size=" << options.input_size()
         << ", hidden_size=" << options.hidden_size() << ", dt=" << options.dt()
         << ", tau_mem=" << options.tau_mem() << ", threshold=" << options.threshold()
         << ", dampening=" << options.dampening();
  if (options.refractory_steps() > 0) {
    stream << ", refractory_steps=" << options.refractory_steps();
  }
  if (!options.detach_reset()) {
    stream << ", detach_reset=false";
  }
  if (options.truncate_recurrent_gradient()) {
    stream << ", truncate_recurrent_gradient=true";
  }
  stream << ")";
}

} // namespace engram::layers::spiking
