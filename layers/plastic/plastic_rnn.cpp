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
  const double in_bound = 1.0 / std::sqrt(static_cast<double>(in));
  const double rec_bound = 1.0 / std::sqrt(static_cast<double>(n));
  w_in = register_parameter("w_in", torch::empty({n, in}).uniform_(-in_bound, in_bound));
  bias = register_parameter("bias", torch::zeros({n}));
  w = register_parameter("w", torch::empty({n, n}).uniform_(-rec_bound, rec_bound));
  std::vector<int64_t> alpha_shape;
  if (options.alpha_shape() == AlphaShape::kPerConnection) {
    alpha_shape = {n, n};
  } else if (options.alpha_shape() == AlphaShape::kPerNeuron) {
    alpha_shape = {n};
  }
  alpha = register_parameter("alpha", torch::full(alpha_shape, options.alpha_init()));
  if (options.learn_eta()) {
    eta = register_parameter("eta", torch::full({}, options.eta()));
  } else {
    eta = register_buffer("eta", torch::full({}, options.eta()));
  }
  if (options.modulation() != Neuromodulation::kNone) {
    w_mod = register_parameter("w_mod", torch::empty({n}).uniform_(-rec_bound, rec_bound));
    b_mod = register_parameter("b_mod", torch::zeros({}));
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
    TORCH_CHECK(mode != Neuromodulation::kNone,
                "PlasticRNN: argument 'modulation' given, but option 'modulation' is none; choose "
                "simple or retroactive");
    TORCH_CHECK(modulation->sizes() == c10::IntArrayRef({steps, batch}),
                "PlasticRNN: argument 'modulation' expected shape [", steps, ", ", batch, "], got ",
                modulation->sizes());
  }
  auto s = state ? *state : initial_state(batch);
  check_state(s, batch);

  ops::PlasticRnnOptions op_options;
  op_options.rule(options.rule() == PlasticityRule::kHebb ? ops::PlasticRule::kHebb
                                                          : ops::PlasticRule::kOja);
  op_options.modulation(mode == Neuromodulation::kNone     ? ops::Modulation::kNone
                        : mode == Neuromodulation::kSimple ? ops::Modulation::kSimple
                                                           : ops::Modulation::kRetroactive);
  if (options.clip() > 0) {
    op_options.clip(options.clip());
  }
  if (options.chunk_size() > 0) {
    op_options.chunk_size(options.chunk_size());
  }
  ops::PlasticRnnModulationInputs mod;
  if (mode != Neuromodulation::kNone) {
    if (mode == Neuromodulation::kRetroactive) {
      mod.E0 = s.eligibility;
    }
    if (modulation) {
      mod.m = *modulation;
    } else {
      mod.w_m = w_mod;
      mod.b_m = b_mod;
    }
  }
  // The op keeps LibTorch's Linear layout for W and a matrix alpha ([post, pre]); this layer
  // keeps the trace's [pre, post].
  // A learned eta can be stepped out of [0, 1] by the optimiser; the rule sees it clamped.
  const auto rate = at::clamp(eta, 0.0, 1.0);
  const auto w_op = w.t();
  const auto alpha_op = options.alpha_shape() == AlphaShape::kPerConnection ? alpha.t() : alpha;
  const auto result =
      options.fused()
          ? ops::plastic_rnn(x, s.h, s.trace, w_in, w_op, alpha_op, bias, rate, mod, op_options)
          : ops::reference::plastic_rnn(x, s.h, s.trace, w_in, w_op, alpha_op, bias, rate, mod,
                                        op_options);
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
