#include <engram/layers/plastic/plastic_rnn.h>
#include <engram/ops/plastic_rnn.h>

#include <ATen/ATen.h>

#include <cmath>

namespace engram::layers {

PlasticRNNImpl::PlasticRNNImpl(const PlasticRNNOptions& options_) : options(options_) {
  reset();
}

void PlasticRNNImpl::check_options() const {
  const auto& o = options;
  check_hebbian_rule("PlasticRNN", o.rule(), {HebbianRule::kHebb, HebbianRule::kOja});
  TORCH_CHECK(o.input_size() > 0, "PlasticRNN: option 'input_size' expected > 0, got ",
              o.input_size());
  TORCH_CHECK(o.hidden_size() > 0, "PlasticRNN: option 'hidden_size' expected > 0, got ",
              o.hidden_size());
  TORCH_CHECK(o.eta() >= 0.0 && o.eta() <= 1.0, "PlasticRNN: option 'eta' expected in [0, 1], got ",
              o.eta());
  TORCH_CHECK(o.clip() >= 0.0, "PlasticRNN: option 'clip' expected >= 0 (0 disables), got ",
              o.clip());
  TORCH_CHECK(o.chunk_size() >= 0, "PlasticRNN: option 'chunk_size' expected >= 0 (0 = auto), got ",
              o.chunk_size());
}

void PlasticRNNImpl::reset() {
  check_options();
  const auto n = options.hidden_size();
  const auto in = options.input_size();
  w_in = register_parameter("w_in", torch::empty({n, in}));
  bias = register_parameter("bias", torch::empty({n}));
  w = register_parameter("w", torch::empty({n, n}));
  std::vector<int64_t> alpha_shape;
  if (options.alpha_shape() == AlphaShape::kPerConnection) {
    alpha_shape = {n, n};
  } else if (options.alpha_shape() == AlphaShape::kPerNeuron) {
    alpha_shape = {n};
  }
  alpha = register_parameter("alpha", torch::empty(alpha_shape));
  if (options.learn_eta()) {
    eta = register_parameter("eta", torch::empty({}));
  } else {
    eta = register_buffer("eta", torch::empty({}));
  }
  if (options.modulation() != Modulation::kNone) {
    w_mod = register_parameter("w_mod", torch::empty({n}));
    b_mod = register_parameter("b_mod", torch::empty({}));
  }
  reset_parameters();
}

void PlasticRNNImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  const auto n = options.hidden_size();
  const double in_bound = 1.0 / std::sqrt(static_cast<double>(options.input_size()));
  const double rec_bound = 1.0 / std::sqrt(static_cast<double>(n));
  w_in.uniform_(-in_bound, in_bound);
  bias.zero_();
  // Drawn in the trace's [pre, post] shape, then stored transposed: the same numbers as before
  // the weights took LibTorch's [out, in] layout.
  w.copy_(torch::empty({n, n}).uniform_(-rec_bound, rec_bound).t());
  alpha.fill_(options.alpha_init());
  eta.fill_(options.eta());
  if (options.modulation() != Modulation::kNone) {
    w_mod.uniform_(-rec_bound, rec_bound);
    b_mod.zero_();
  }
}

PlasticRNNState PlasticRNNImpl::initial_state(int64_t batch_size) const {
  TORCH_CHECK(batch_size > 0, "PlasticRNN::initial_state: argument 'batch_size' expected > 0, got ",
              batch_size);
  const auto n = options.hidden_size();
  const auto opts = w.options();
  return {torch::zeros({batch_size, n}, opts), torch::zeros({batch_size, n, n}, opts),
          torch::zeros({batch_size, n, n}, opts)};
}

void PlasticRNNImpl::check_state(const PlasticRNNState& s, int64_t batch) const {
  const auto n = options.hidden_size();
  TORCH_CHECK(s.h.defined() && s.h.sizes() == c10::IntArrayRef({batch, n}),
              "PlasticRNN: argument 'state.h' expected shape [", batch, ", ", n, "], got ",
              s.h.defined() ? s.h.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(s.trace.defined() && s.trace.sizes() == c10::IntArrayRef({batch, n, n}),
              "PlasticRNN: argument 'state.trace' expected shape [", batch, ", ", n, ", ", n,
              "], got ", s.trace.defined() ? s.trace.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(s.eligibility.defined() && s.eligibility.sizes() == s.trace.sizes(),
              "PlasticRNN: argument 'state.eligibility' expected shape [", batch, ", ", n, ", ", n,
              "], got ", s.eligibility.defined() ? s.eligibility.sizes() : c10::IntArrayRef{});
}

PlasticRNNOutput PlasticRNNImpl::forward(const torch::Tensor& x,
                                         const std::optional<PlasticRNNState>& state,
                                         const std::optional<torch::Tensor>& modulation) {
  check_options();
  TORCH_CHECK(x.defined() && x.dim() == 3 && x.size(2) == options.input_size() && x.size(0) > 0 &&
                  x.size(1) > 0,
              "PlasticRNN: argument 'x' expected shape [T > 0, B > 0, ", options.input_size(),
              "], got ", x.defined() ? x.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(x.scalar_type() == w.scalar_type() && x.device() == w.device(),
              "PlasticRNN: argument 'x' expected dtype ", w.scalar_type(), " on ", w.device(),
              " (the layer's), got ", x.scalar_type(), " on ", x.device());
  const auto steps = x.size(0);
  const auto batch = x.size(1);
  const auto mode = options.modulation();
  if (modulation) {
    TORCH_CHECK(mode != Modulation::kNone,
                "PlasticRNN: argument 'modulation' given, but option 'modulation' is none; choose "
                "simple or retroactive");
    TORCH_CHECK(modulation->sizes() == c10::IntArrayRef({steps, batch}),
                "PlasticRNN: argument 'modulation' expected shape [", steps, ", ", batch, "], got ",
                modulation->sizes());
  }
  auto s = state ? *state : initial_state(batch);
  check_state(s, batch);

  ops::PlasticRnnOptions op_options;
  op_options.rule(options.rule()).modulation(mode);
  if (options.clip() > 0) {
    op_options.clip(options.clip());
  }
  if (options.chunk_size() > 0) {
    op_options.chunk_size(options.chunk_size());
  }
  ops::PlasticRnnModulationInputs mod;
  if (mode != Modulation::kNone) {
    if (mode == Modulation::kRetroactive) {
      mod.E0 = s.eligibility;
    }
    if (modulation) {
      mod.m = *modulation;
    } else {
      mod.w_m = w_mod;
      mod.b_m = b_mod;
    }
  }
  // A learned eta can be stepped out of [0, 1] by the optimiser; the rule sees it clamped.
  const auto rate = at::clamp(eta, 0.0, 1.0);
  const auto result = options.fused() ? ops::plastic_rnn(x, s.h, s.trace, w_in, w, alpha, bias,
                                                         rate, mod, op_options)
                                      : ops::reference::plastic_rnn(x, s.h, s.trace, w_in, w, alpha,
                                                                    bias, rate, mod, op_options);
  return {result.outputs, {result.h, result.H, result.E.defined() ? result.E : s.eligibility}};
}

void PlasticRNNImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::PlasticRNN(input_size=" << options.input_size()
         << ", hidden_size=" << options.hidden_size() << ", rule=" << to_string(options.rule())
         << ", modulation=" << to_string(options.modulation())
         << ", alpha=" << to_string(options.alpha_shape()) << ", eta=" << options.eta()
         << (options.learn_eta() ? " (learned)" : " (fixed)");
  if (!options.fused()) {
    stream << ", fused=false";
  }
  if (options.clip() > 0) {
    stream << ", clip=" << options.clip();
  }
  stream << ")";
}

} // namespace engram::layers
