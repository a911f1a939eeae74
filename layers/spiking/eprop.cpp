#include <engram/layers/spiking/detail/spiking_dynamics.h>
#include <engram/layers/spiking/eprop.h>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include <cmath>

namespace engram::layers::spiking {

std::string to_string(EpropFeedback feedback) {
  return feedback == EpropFeedback::kSymmetric ? "symmetric" : "random";
}

EpropFeedback parse_eprop_feedback(const std::string& text, const std::string& what) {
  if (text == "symmetric") {
    return EpropFeedback::kSymmetric;
  }
  if (text == "random") {
    return EpropFeedback::kRandom;
  }
  TORCH_CHECK(false, what, ": expected 'symmetric' or 'random', got '", text, "'");
}

namespace {

// The neuron model's part of the eligibility trace.
struct Eligibility {
  double alpha = 0;      // decay of the presynaptic traces
  bool adaptive = false; // ALIF: the adaptation's eligibility vector epsa
  double rho = 0;
  double beta = 0;
};

// dE^t/dy^t [B, K] (undefined where step t has no loss) and E^t.
std::pair<at::Tensor, double> output_error(const StepLoss& loss, int64_t t, const at::Tensor& y) {
  torch::AutoGradMode enable_grad(true);
  const auto y_leaf = y.detach().requires_grad_(true);
  const auto value = loss(t, y_leaf);
  if (!value.defined()) {
    return {at::Tensor(), 0.0};
  }
  TORCH_CHECK(value.numel() == 1, "Eprop: the step loss at step ", t,
              " expected a scalar tensor, got shape ", value.sizes());
  if (!value.requires_grad()) {
    return {at::Tensor(), value.item<double>()};
  }
  auto grads = torch::autograd::grad({value}, {y_leaf}, {}, /*retain_graph=*/false,
                                     /*create_graph=*/false, /*allow_unused=*/true);
  return {grads[0], value.item<double>()};
}

void add_to_grad(at::Tensor& parameter, const at::Tensor& gradient) {
  auto& grad = parameter.mutable_grad();
  if (grad.defined()) {
    grad.add_(gradient);
  } else {
    grad = gradient.clone();
  }
}

template <typename Layer>
EpropResult run_eprop(Layer& layer, LeakyReadoutImpl& readout, const at::Tensor& feedback_matrix,
                      const at::Tensor& x, const StepLoss& loss, const Eligibility& el) {
  torch::NoGradGuard no_grad;
  const auto steps = x.size(0);
  const auto batch = x.size(1);
  const auto n = layer.options.hidden_size();
  const auto k = readout.options.output_size();
  const auto opts = layer.w_in.options();
  const double kappa = readout.kappa();
  // B [K, N]: the readout's weights now (symmetric) or the fixed random matrix.
  const auto b = feedback_matrix.defined() ? feedback_matrix : readout.weight.detach();

  auto state = layer.initial_state(batch);
  auto pre_in = at::zeros({batch, layer.options.input_size()}, opts);
  auto pre_rec = at::zeros({batch, n}, opts);
  auto ebar_in = at::zeros({batch, n, layer.options.input_size()}, opts);
  auto ebar_rec = at::zeros({batch, n, n}, opts);
  at::Tensor epsa_in, epsa_rec;
  if (el.adaptive) {
    epsa_in = at::zeros_like(ebar_in);
    epsa_rec = at::zeros_like(ebar_rec);
  }
  auto y = at::zeros({batch, k}, opts);
  auto zbar = at::zeros({batch, n}, opts);
  double bbar = 0;
  auto g_in = at::zeros_like(layer.w_in);
  auto g_rec = at::zeros_like(layer.w_rec);
  auto g_out = at::zeros_like(readout.weight);
  auto g_bias = at::zeros_like(readout.bias);

  std::vector<at::Tensor> outputs;
  outputs.reserve(static_cast<size_t>(steps));
  double total = 0;
  for (int64_t t = 0; t < steps; ++t) {
    const auto z_prev = state.z;
    state = layer.step(x[t], state);
    pre_in = el.alpha * pre_in + x[t];
    pre_rec = el.alpha * pre_rec + z_prev;
    const auto psi = layer.pseudo_derivative(state).unsqueeze(2); // [B, N, 1]
    if (el.adaptive) {
      const auto e_in = psi * (pre_in.unsqueeze(1) - el.beta * epsa_in);
      const auto e_rec = psi * (pre_rec.unsqueeze(1) - el.beta * epsa_rec);
      epsa_in = psi * pre_in.unsqueeze(1) + (el.rho - el.beta * psi) * epsa_in;
      epsa_rec = psi * pre_rec.unsqueeze(1) + (el.rho - el.beta * psi) * epsa_rec;
      ebar_in = kappa * ebar_in + e_in;
      ebar_rec = kappa * ebar_rec + e_rec;
    } else {
      ebar_in = kappa * ebar_in + psi * pre_in.unsqueeze(1);
      ebar_rec = kappa * ebar_rec + psi * pre_rec.unsqueeze(1);
    }
    y = readout.step(state.z, y);
    zbar = kappa * zbar + state.z;
    bbar = kappa * bbar + 1.0;
    outputs.push_back(y);

    const auto [dy, value] = output_error(loss, t, y);
    total += value;
    if (!dy.defined()) {
      continue;
    }
    const auto signal = at::matmul(dy, b); // L^t [B, N]
    g_in += at::einsum("bj,bji->ji", {signal, ebar_in});
    g_rec += at::einsum("bj,bji->ji", {signal, ebar_rec});
    g_out += at::matmul(dy.t(), zbar);
    g_bias += bbar * dy.sum(0);
  }
  add_to_grad(layer.w_in, g_in);
  add_to_grad(layer.w_rec, g_rec);
  add_to_grad(readout.weight, g_out);
  add_to_grad(readout.bias, g_bias);
  return {at::stack(outputs), total};
}

} // namespace

EpropImpl::EpropImpl(const EpropOptions& options_) : options(options_) {
  reset();
}

void EpropImpl::check_options() const {
  TORCH_CHECK(options.hidden_size() > 0, "Eprop: option 'hidden_size' expected > 0, got ",
              options.hidden_size());
  TORCH_CHECK(options.output_size() > 0, "Eprop: option 'output_size' expected > 0, got ",
              options.output_size());
}

void EpropImpl::reset() {
  check_options();
  if (options.feedback() == EpropFeedback::kRandom) {
    feedback =
        register_buffer("feedback", torch::empty({options.output_size(), options.hidden_size()}));
  }
  reset_parameters();
}

void EpropImpl::reset_parameters() {
  if (feedback.defined()) {
    torch::NoGradGuard no_grad;
    feedback.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(options.hidden_size())));
  }
}

void EpropImpl::check_readout(const LeakyReadoutImpl& readout, int64_t hidden_size) const {
  TORCH_CHECK(hidden_size == options.hidden_size(), "Eprop: the layer's hidden_size expected ",
              options.hidden_size(), " (option 'hidden_size'), got ", hidden_size);
  TORCH_CHECK(readout.options.input_size() == hidden_size,
              "Eprop: the readout's input_size expected ", hidden_size,
              " (the layer's hidden_size), got ", readout.options.input_size());
  TORCH_CHECK(readout.options.output_size() == options.output_size(),
              "Eprop: the readout's output_size expected ", options.output_size(),
              " (option 'output_size'), got ", readout.options.output_size());
  if (feedback.defined()) {
    TORCH_CHECK(feedback.scalar_type() == readout.weight.scalar_type() &&
                    feedback.device() == readout.weight.device(),
                "Eprop: the feedback matrix has dtype ", feedback.scalar_type(), " on ",
                feedback.device(), ", the readout ", readout.weight.scalar_type(), " on ",
                readout.weight.device(), "; move both with .to()");
  }
}

EpropResult EpropImpl::accumulate_gradients(LifRecurrentImpl& layer, LeakyReadoutImpl& readout,
                                            const torch::Tensor& x, const StepLoss& loss) {
  check_readout(readout, layer.options.hidden_size());
  detail::check_sequence_input("Eprop", x, layer.options.input_size(), layer.w_in);
  return run_eprop(layer, readout, feedback, x, loss, {layer.alpha(), false, 0.0, 0.0});
}

EpropResult EpropImpl::accumulate_gradients(AlifRecurrentImpl& layer, LeakyReadoutImpl& readout,
                                            const torch::Tensor& x, const StepLoss& loss) {
  check_readout(readout, layer.options.hidden_size());
  detail::check_sequence_input("Eprop", x, layer.options.input_size(), layer.w_in);
  return run_eprop(layer, readout, feedback, x, loss,
                   {layer.alpha(), true, layer.rho(), layer.options.beta()});
}

EpropResult EpropImpl::accumulate_gradients(LeakyTanhRecurrentImpl& layer,
                                            LeakyReadoutImpl& readout, const torch::Tensor& x,
                                            const StepLoss& loss) {
  check_readout(readout, layer.options.hidden_size());
  detail::check_sequence_input("Eprop", x, layer.options.input_size(), layer.w_in);
  return run_eprop(layer, readout, feedback, x, loss, {layer.alpha(), false, 0.0, 0.0});
}

void EpropImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::Eprop(hidden_size=" << options.hidden_size()
         << ", output_size=" << options.output_size()
         << ", feedback=" << to_string(options.feedback()) << ")";
}

} // namespace engram::layers::spiking
