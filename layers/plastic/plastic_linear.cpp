#include <engram/layers/plastic/plastic_linear.h>
#include <engram/ops/hebbian_update.h>

#include <ATen/ATen.h>

#include <cmath>

namespace engram::layers {

namespace {
// alpha in the trace's [in, out] layout, broadcastable against H [B, in, out].
at::Tensor alpha_in_trace_layout(const at::Tensor& alpha, AlphaShape shape) {
  switch (shape) {
  case AlphaShape::kPerConnection:
    return alpha.t();
  case AlphaShape::kPerNeuron:
    return alpha.unsqueeze(0);
  case AlphaShape::kScalar:
    break;
  }
  return alpha;
}
} // namespace

PlasticLinearImpl::PlasticLinearImpl(const PlasticLinearOptions& options_) : options(options_) {
  reset();
}

void PlasticLinearImpl::check_options() const {
  const auto& o = options;
  TORCH_CHECK(o.in_features() > 0, "PlasticLinear: option 'in_features' expected > 0, got ",
              o.in_features());
  TORCH_CHECK(o.out_features() > 0, "PlasticLinear: option 'out_features' expected > 0, got ",
              o.out_features());
  check_hebbian_rule("PlasticLinear", o.rule(), {HebbianRule::kHebb, HebbianRule::kOja});
  TORCH_CHECK(o.eta() >= 0.0 && o.eta() <= 1.0,
              "PlasticLinear: option 'eta' expected in [0, 1], got ", o.eta());
  TORCH_CHECK(o.clip() >= 0.0, "PlasticLinear: option 'clip' expected >= 0 (0 disables), got ",
              o.clip());
}

void PlasticLinearImpl::reset() {
  check_options();
  const auto in = options.in_features();
  const auto out = options.out_features();
  weight = register_parameter("weight", torch::empty({out, in}));
  if (options.bias()) {
    bias = register_parameter("bias", torch::empty({out}));
  } else {
    bias = register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
  }
  std::vector<int64_t> shape;
  if (options.alpha_shape() == AlphaShape::kPerConnection) {
    shape = {out, in};
  } else if (options.alpha_shape() == AlphaShape::kPerNeuron) {
    shape = {out};
  }
  alpha = register_parameter("alpha", torch::empty(shape));
  if (options.learn_eta()) {
    eta = register_parameter("eta", torch::empty({}));
  } else {
    eta = register_buffer("eta", torch::empty({}));
  }
  reset_parameters();
  trace_ = torch::Tensor();
  eligibility_ = torch::Tensor();
}

void PlasticLinearImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  const auto in = options.in_features();
  const auto out = options.out_features();
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  // Drawn in the trace's [in, out] shape, then stored transposed: the same numbers as before the
  // weights took LibTorch's [out, in] layout.
  weight.copy_(torch::empty({in, out}).uniform_(-bound, bound).t());
  if (bias.defined()) {
    bias.zero_();
  }
  alpha.fill_(options.alpha_init());
  eta.fill_(options.eta());
}

void PlasticLinearImpl::reset_state(int64_t batch_size) {
  TORCH_CHECK(batch_size > 0,
              "PlasticLinear::reset_state: argument 'batch_size' expected > 0, got ", batch_size);
  trace_ =
      torch::zeros({batch_size, options.in_features(), options.out_features()}, weight.options());
  eligibility_ = options.modulation() == Modulation::kRetroactive ? torch::zeros_like(trace_)
                                                                  : torch::Tensor();
}

void PlasticLinearImpl::reset_eligibility() {
  TORCH_CHECK(options.modulation() == Modulation::kRetroactive,
              "PlasticLinear::reset_eligibility: expected option 'modulation' retroactive, got ",
              to_string(options.modulation()));
  TORCH_CHECK(eligibility_.defined(),
              "PlasticLinear: no episode started; call reset_state(batch_size) first");
  eligibility_ = torch::zeros_like(eligibility_);
}

void PlasticLinearImpl::check_input(const torch::Tensor& x, const char* fn) const {
  TORCH_CHECK(trace_.defined(), fn,
              ": no episode started; call reset_state(batch_size) before forward");
  const auto batch = trace_.size(0);
  TORCH_CHECK(x.defined() && x.dim() == 2 && x.size(0) == batch &&
                  x.size(1) == options.in_features(),
              fn, ": argument 'x' expected shape [", batch, ", ", options.in_features(),
              "] (batch of reset_state), got ", x.defined() ? x.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(x.scalar_type() == weight.scalar_type() && x.device() == weight.device(), fn,
              ": argument 'x' expected dtype ", weight.scalar_type(), " on ", weight.device(),
              " (the layer's), got ", x.scalar_type(), " on ", x.device());
  TORCH_CHECK(trace_.device() == weight.device() && trace_.scalar_type() == weight.scalar_type(),
              fn, ": the trace lives on ", trace_.device(), " as ", trace_.scalar_type(),
              " but the layer on ", weight.device(), " as ", weight.scalar_type(),
              "; call reset_state after moving the layer");
}

torch::Tensor PlasticLinearImpl::respond(const torch::Tensor& x) const {
  check_input(x, "PlasticLinear");
  // W + alpha ⊙ H in the trace's [in, out] layout, made contiguous so that the batched GEMM reads
  // it as it did before the weights took LibTorch's [out, in] layout (bit-identical results).
  const auto effective =
      (weight.t() + alpha_in_trace_layout(alpha, options.alpha_shape()) * trace_).contiguous();
  auto y = at::bmm(x.unsqueeze(1), effective).squeeze(1);
  if (bias.defined()) {
    y = y + bias;
  }
  switch (options.activation()) {
  case Activation::kNone:
    break;
  case Activation::kTanh:
    y = at::tanh(y);
    break;
  case Activation::kRelu:
    y = at::relu(y);
    break;
  case Activation::kSigmoid:
    y = at::sigmoid(y);
    break;
  }
  return y;
}

torch::Tensor PlasticLinearImpl::forward(const torch::Tensor& x,
                                         const std::optional<torch::Tensor>& modulation,
                                         const std::optional<torch::Tensor>& post) {
  const auto y = respond(x);
  const auto batch = trace_.size(0);
  const auto out = options.out_features();
  const bool retroactive = options.modulation() == Modulation::kRetroactive;
  at::Tensor m;
  if (modulation) {
    TORCH_CHECK(options.modulation() != Modulation::kNone,
                "PlasticLinear: argument 'modulation' given but option 'modulation' is none");
    m = *modulation;
    const bool per_sample = m.dim() == 1 && m.size(0) == batch;
    const bool per_unit = m.dim() == 2 && m.size(0) == batch && m.size(1) == out;
    TORCH_CHECK(per_sample || per_unit, "PlasticLinear: argument 'modulation' expected shape [",
                batch, "] or [", batch, ", ", out, "], got ", m.sizes());
  }
  at::Tensor paired = y;
  if (post) {
    TORCH_CHECK(retroactive,
                "PlasticLinear: argument 'post' expected only with option 'modulation' "
                "retroactive, got ",
                to_string(options.modulation()));
    TORCH_CHECK(post->defined() && post->dim() == 2 && post->size(0) == batch &&
                    post->size(1) == out,
                "PlasticLinear: argument 'post' expected shape [", batch, ", ", out, "], got ",
                post->defined() ? post->sizes() : c10::IntArrayRef{});
    paired = post->to(y.options());
  }
  // A learned eta can be stepped out of [0, 1] by the optimiser; the rule sees it clamped.
  const auto rate = at::clamp(eta, 0.0, 1.0);
  ops::HebbianUpdateOptions update;
  update.rule(options.rule());
  if (!retroactive) {
    if (options.clip() > 0) {
      update.clip(options.clip());
    }
    trace_ = ops::hebbian_update(trace_, x, paired, rate, m, {}, update).H;
    return y;
  }
  TORCH_CHECK(eligibility_.defined() && eligibility_.sizes() == trace_.sizes(),
              "PlasticLinear: the eligibility trace is missing; call reset_state(batch_size)");
  // The third factor arriving with this step also credits this step's coincidence.
  eligibility_ = ops::hebbian_update(eligibility_, x, paired, rate, {}, {}, update).H;
  if (m.defined()) {
    const auto gate = m.dim() == 1 ? m.view({batch, 1, 1}) : m.unsqueeze(1);
    trace_ = trace_ + gate.to(trace_.options()) * eligibility_;
    if (options.clip() > 0) {
      trace_ = at::clamp(trace_, -options.clip(), options.clip());
    }
  }
  return y;
}

void PlasticLinearImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::PlasticLinear(in_features=" << options.in_features()
         << ", out_features=" << options.out_features() << ", rule=" << to_string(options.rule())
         << ", alpha=" << to_string(options.alpha_shape()) << ", eta=" << options.eta()
         << (options.learn_eta() ? " (learned)" : " (fixed)") << ", bias=" << options.bias()
         << ", modulation=" << to_string(options.modulation()) << ")";
}

} // namespace engram::layers
