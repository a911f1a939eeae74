#include <engram/core/join.h>
#include <engram/models/bio_layers.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace engram::models {

PlasticFeedForwardImpl::PlasticFeedForwardImpl(const layers::PlasticLinearOptions& options_)
    : options(options_) {
  reset();
}

void PlasticFeedForwardImpl::reset() {
  plastic = register_module("plastic", layers::PlasticLinear(options));
}

namespace {
at::Tensor activate(Activation a, const at::Tensor& u) {
  switch (a) {
  case Activation::kNone:
    return u;
  case Activation::kTanh:
    return at::tanh(u);
  case Activation::kRelu:
    return at::relu(u);
  case Activation::kSigmoid:
    return at::sigmoid(u);
  }
  return u;
}
} // namespace

at::Tensor PlasticFeedForwardImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options.in_features(),
              "PlasticFeedForward::forward: argument 'x' expected [B, ", options.in_features(),
              "], got ", x.sizes());
  if (options.clip() > 0) {
    // A clipped trace has no closed form: run the episode through the layer, [B, in, out] traces.
    plastic->reset_state(x.size(0));
    plastic->forward(x); // imprints H from this sample's (x, y)
    return plastic->forward(x);
  }
  // From H = 0 both rules imprint H = eta x (x) y1 (Oja's decay term is H-weighted), so the second
  // pass reads x (W + alpha * H) = x W + eta y1 * ((x * x) alpha): the same function and gradient
  // as the two passes of the layer, in O(B in out) instead of [B, in, out] traces.
  const auto& p = *plastic;
  const at::Tensor rate = at::clamp(p.eta, 0.0, 1.0); // as the layer's rule sees it
  // The GEMMs read W and alpha in the trace's [in, out] layout, contiguous, as they did before
  // the layer's weights took LibTorch's [out, in] layout: the trained numbers stay bit-identical.
  at::Tensor linear = at::matmul(x, p.weight.t().contiguous());
  if (p.bias.defined())
    linear = linear + p.bias;
  const at::Tensor y1 = activate(options.activation(), linear);
  const at::Tensor x2 = x.square();
  at::Tensor gain;
  switch (options.alpha_shape()) {
  case AlphaShape::kPerConnection:
    gain = at::matmul(x2, p.alpha.t().contiguous());
    break;
  case AlphaShape::kPerNeuron:
  case AlphaShape::kScalar:
    gain = x2.sum(1, /*keepdim=*/true) * p.alpha;
    break;
  }
  return activate(options.activation(), linear + rate * y1 * gain);
}

void PlasticFeedForwardImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::models::PlasticFeedForward(";
  plastic->pretty_print(stream);
  stream << ")";
}

HebbianFeaturesImpl::HebbianFeaturesImpl(const layers::HebbianLinearOptions& options_)
    : options(options_) {
  reset();
}

void HebbianFeaturesImpl::reset() {
  hebbian = register_module("hebbian", layers::HebbianLinear(options));
}

at::Tensor HebbianFeaturesImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2, "HebbianFeatures::forward: argument 'x' expected [B, ",
              options.in_features(), "], got ", x.sizes());
  at::NoGradGuard no_grad;
  if (is_training())
    hebbian->learn(x.detach());
  return hebbian->forward(x.detach());
}

void HebbianFeaturesImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::models::HebbianFeatures(";
  hebbian->pretty_print(stream);
  stream << ")";
}

namespace {

int64_t positive_int(const LayerSpec& s, const char* key) {
  const auto v = static_cast<int64_t>(s.numbers.at(key));
  TORCH_CHECK(v > 0, s.path, ".", key, ": expected a positive integer, got ", v);
  return v;
}

double number_or(const LayerSpec& s, const char* key, double fallback) {
  auto it = s.numbers.find(key);
  return it == s.numbers.end() ? fallback : it->second;
}

// The preset's choice `key` among `choices` (the vocabulary's names), `fallback` when absent.
template <typename Enum>
Enum choice_or(const LayerSpec& s, const char* key, Enum fallback,
               const std::vector<Enum>& choices) {
  auto it = s.strings.find(key);
  if (it == s.strings.end())
    return fallback;
  std::vector<std::string> names;
  for (auto c : choices) {
    if (to_string(c) == it->second)
      return c;
    names.push_back(to_string(c));
  }
  TORCH_CHECK(false, s.path, ".", key, ": expected one of ", join(names), "; got '", it->second,
              "'");
}

const std::vector<Activation>& preset_activations() {
  static const std::vector<Activation> v{Activation::kRelu, Activation::kTanh, Activation::kSigmoid,
                                         Activation::kNone};
  return v;
}

} // namespace

void add_bio_layer_types(std::map<std::string, LayerType>& types) {
  types["plastic_linear"] = LayerType{
      {{"out_features", ParamKind::kInteger},
       {"rule", ParamKind::kString},
       {"activation", ParamKind::kString},
       {"eta", ParamKind::kNumber},
       {"alpha_init", ParamKind::kNumber},
       {"clip", ParamKind::kNumber}},
      {"out_features"},
      [](const LayerSpec& s, int64_t in) {
        layers::PlasticLinearOptions o(in, positive_int(s, "out_features"));
        o.rule(choice_or(s, "rule", HebbianRule::kHebb, {HebbianRule::kHebb, HebbianRule::kOja}))
            .activation(choice_or(s, "activation", Activation::kRelu, preset_activations()))
            .eta(number_or(s, "eta", 0.1))
            .alpha_init(number_or(s, "alpha_init", 0.01))
            .clip(number_or(s, "clip", 0.0));
        // The activation is inside the layer, so its output is where context gates act.
        return NetworkLayer{"plastic_linear", torch::nn::AnyModule(PlasticFeedForward(o)),
                            o.out_features(), o.activation() != Activation::kNone};
      }};
  types["hebbian_linear"] = LayerType{
      {{"out_features", ParamKind::kInteger},
       {"rule", ParamKind::kString},
       {"activation", ParamKind::kString},
       {"learning_rate", ParamKind::kNumber},
       {"temperature", ParamKind::kNumber},
       {"anti_hebbian", ParamKind::kNumber},
       {"unit_norm", ParamKind::kBool}},
      {"out_features"},
      [](const LayerSpec& s, int64_t in) {
        layers::HebbianLinearOptions o(in, positive_int(s, "out_features"));
        o.rule(choice_or(s, "rule", HebbianRule::kSoftWta, all_hebbian_rules()))
            .activation(choice_or(s, "activation", Activation::kRelu, preset_activations()))
            .learning_rate(number_or(s, "learning_rate", 1e-2))
            .temperature(number_or(s, "temperature", 1.0))
            .anti_hebbian(number_or(s, "anti_hebbian", 1.0));
        const bool unit = s.flags.count("unit_norm") ? s.flags.at("unit_norm") : true;
        o.weight_normalization(unit ? layers::WeightNormalization::kUnitNorm
                                    : layers::WeightNormalization::kNone);
        return NetworkLayer{"hebbian_linear", torch::nn::AnyModule(HebbianFeatures(o)),
                            o.out_features(), o.activation() != Activation::kNone};
      }};
}

} // namespace engram::models
