#include <engram/layers/spiking/detail/spiking_dynamics.h>
#include <engram/layers/spiking/leaky_tanh_recurrent.h>

#include <ATen/ATen.h>

#include <cmath>
#include <string>
#include <vector>

namespace engram::layers::spiking {

LeakyTanhRecurrentImpl::LeakyTanhRecurrentImpl(const LeakyTanhRecurrentOptions& options_)
    : options(options_) {
  reset();
}

void LeakyTanhRecurrentImpl::check_options() const {
  const auto& o = options;
  TORCH_CHECK(o.input_size() > 0, "LeakyTanhRecurrent: option 'input_size' expected > 0, got ",
              o.input_size());
  TORCH_CHECK(o.hidden_size() > 0, "LeakyTanhRecurrent: option 'hidden_size' expected > 0, got ",
              o.hidden_size());
  TORCH_CHECK(o.dt() > 0, "LeakyTanhRecurrent: option 'dt' expected > 0, got ", o.dt());
  TORCH_CHECK(o.tau() > 0, "LeakyTanhRecurrent: option 'tau' expected > 0, got ", o.tau());
}

void LeakyTanhRecurrentImpl::reset() {
  check_options();
  const auto n = options.hidden_size();
  w_in = register_parameter("w_in", torch::empty({n, options.input_size()}));
  w_rec = register_parameter("w_rec", torch::empty({n, n}));
  reset_parameters();
}

void LeakyTanhRecurrentImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  w_in.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(options.input_size())));
  w_rec.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(options.hidden_size())));
}

double LeakyTanhRecurrentImpl::alpha() const {
  return std::exp(-options.dt() / options.tau());
}

LeakyTanhState LeakyTanhRecurrentImpl::initial_state(int64_t batch_size) const {
  TORCH_CHECK(batch_size > 0,
              "LeakyTanhRecurrent::initial_state: argument 'batch_size' expected > 0, got ",
              batch_size);
  const auto n = options.hidden_size();
  return {at::zeros({batch_size, n}, w_in.options()), at::zeros({batch_size, n}, w_in.options())};
}

void LeakyTanhRecurrentImpl::check_state(const std::string& where, const LeakyTanhState& s,
                                         int64_t batch) const {
  const auto n = options.hidden_size();
  for (const auto& [name, t] : {std::pair<const char*, const torch::Tensor*>{"z", &s.z},
                                std::pair<const char*, const torch::Tensor*>{"c", &s.c}}) {
    TORCH_CHECK(t->defined() && t->sizes() == c10::IntArrayRef({batch, n}), where,
                ": argument 'state.", name, "' expected shape [", batch, ", ", n, "], got ",
                t->defined() ? t->sizes() : c10::IntArrayRef{});
  }
}

LeakyTanhState LeakyTanhRecurrentImpl::step(const torch::Tensor& x_t,
                                            const LeakyTanhState& state) const {
  TORCH_CHECK(x_t.defined() && x_t.dim() == 2 && x_t.size(1) == options.input_size(),
              "LeakyTanhRecurrent::step: argument 'x_t' expected shape [B, ", options.input_size(),
              "], got ", x_t.defined() ? x_t.sizes() : c10::IntArrayRef{});
  check_state("LeakyTanhRecurrent::step", state, x_t.size(0));
  const auto recurrent_input = options.truncate_recurrent_gradient() ? state.z.detach() : state.z;
  LeakyTanhState next;
  next.c = alpha() * state.c + at::matmul(x_t, w_in.t()) + at::matmul(recurrent_input, w_rec.t());
  next.z = at::tanh(next.c);
  return next;
}

torch::Tensor LeakyTanhRecurrentImpl::pseudo_derivative(const LeakyTanhState& state) const {
  return 1.0 - state.z * state.z;
}

LeakyTanhOutput LeakyTanhRecurrentImpl::forward(const torch::Tensor& x,
                                                const std::optional<LeakyTanhState>& state) {
  check_options();
  detail::check_sequence_input("LeakyTanhRecurrent", x, options.input_size(), w_in);
  auto s = state ? *state : initial_state(x.size(1));
  check_state("LeakyTanhRecurrent", s, x.size(1));
  std::vector<torch::Tensor> outputs;
  outputs.reserve(static_cast<size_t>(x.size(0)));
  for (int64_t t = 0; t < x.size(0); ++t) {
    s = step(x[t], s);
    outputs.push_back(s.z);
  }
  return {at::stack(outputs), s};
}

void LeakyTanhRecurrentImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::LeakyTanhRecurrent(input_size=" << options.input_size()
         << ", hidden_size=" << options.hidden_size() << ", dt=" << options.dt()
         << ", tau=" << options.tau();
  if (options.truncate_recurrent_gradient()) {
    stream << ", truncate_recurrent_gradient=true";
  }
  stream << ")";
}

} // namespace engram::layers::spiking
