#include <engram/layers/spiking/detail/spiking_dynamics.h>
#include <engram/layers/spiking/surrogate_spike.h>

#include <ATen/ATen.h>

#include <vector>

namespace engram::layers::spiking::detail {

SpikingState zero_spiking_state(int64_t batch, int64_t hidden, const at::Tensor& like) {
  const auto zeros = [&] { return at::zeros({batch, hidden}, like.options()); };
  return {zeros(), zeros(), zeros(), zeros()};
}

void check_spiking_state(const std::string& layer, const SpikingState& s, int64_t batch,
                         int64_t hidden) {
  const std::pair<const char*, const at::Tensor*> parts[] = {
      {"z", &s.z}, {"v", &s.v}, {"a", &s.a}, {"refractory", &s.refractory}};
  for (const auto& [name, t] : parts) {
    TORCH_CHECK(t->defined() && t->sizes() == c10::IntArrayRef({batch, hidden}), layer,
                ": argument 'state.", name, "' expected shape [", batch, ", ", hidden, "], got ",
                t->defined() ? t->sizes() : c10::IntArrayRef{});
  }
}

void check_sequence_input(const std::string& layer, const at::Tensor& x, int64_t input_size,
                          const at::Tensor& w_in) {
  TORCH_CHECK(x.defined() && x.dim() == 3 && x.size(2) == input_size && x.size(0) > 0 &&
                  x.size(1) > 0,
              layer, ": argument 'x' expected shape [T > 0, B > 0, ", input_size, "], got ",
              x.defined() ? x.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(x.scalar_type() == w_in.scalar_type() && x.device() == w_in.device(), layer,
              ": argument 'x' expected dtype ", w_in.scalar_type(), " on ", w_in.device(),
              " (the layer's), got ", x.scalar_type(), " on ", x.device());
}

SpikingState spiking_step(const at::Tensor& x_t, const SpikingState& s, const at::Tensor& w_in,
                          const at::Tensor& w_rec, const SpikingDynamics& d) {
  const auto& z_prev = s.z;
  const auto recurrent_input = d.truncate_recurrent_gradient ? z_prev.detach() : z_prev;
  const auto reset = d.detach_reset ? z_prev.detach() : z_prev;
  SpikingState next;
  next.v = d.alpha * s.v + at::matmul(x_t, w_in.t()) + at::matmul(recurrent_input, w_rec.t()) -
           d.v_th * reset;
  next.a = d.beta > 0 ? d.rho * s.a + z_prev : s.a;
  if (d.refractory_steps > 0) {
    next.refractory = at::where(
        z_prev.detach() > 0, at::full_like(s.refractory, static_cast<double>(d.refractory_steps)),
        at::clamp_min(s.refractory - 1.0, 0.0));
  } else {
    next.refractory = s.refractory;
  }
  const auto threshold = d.beta > 0 ? d.v_th + d.beta * next.a : at::full_like(next.v, d.v_th);
  next.z = spike_with_surrogate((next.v - threshold) / d.v_th, d.gamma);
  if (d.refractory_steps > 0) {
    next.z = next.z * (next.refractory <= 0).to(next.z.scalar_type());
  }
  return next;
}

at::Tensor spiking_pseudo_derivative(const SpikingState& s, const SpikingDynamics& d) {
  const auto threshold = d.beta > 0 ? d.v_th + d.beta * s.a : at::full_like(s.v, d.v_th);
  auto psi = spike_pseudo_derivative(s.v, threshold, d.v_th, d.gamma);
  if (d.refractory_steps > 0) {
    psi = psi * (s.refractory <= 0).to(psi.scalar_type());
  }
  return psi;
}

SpikingOutput run_spiking(const at::Tensor& x, SpikingState s, const at::Tensor& w_in,
                          const at::Tensor& w_rec, const SpikingDynamics& d) {
  std::vector<at::Tensor> spikes;
  spikes.reserve(static_cast<size_t>(x.size(0)));
  for (int64_t t = 0; t < x.size(0); ++t) {
    s = spiking_step(x[t], s, w_in, w_rec, d);
    spikes.push_back(s.z);
  }
  return {at::stack(spikes), s};
}

} // namespace engram::layers::spiking::detail
