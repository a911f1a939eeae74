#include "bio_layers.h"

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
at::Tensor activate(layers::PlasticActivation a, const at::Tensor& u) {
  switch (a) {
  case layers::PlasticActivation::kNone:
    return u;
  case layers::PlasticActivation::kTanh:
    return at::tanh(u);
  case layers::PlasticActivation::kRelu:
    return at::relu(u);
  case layers::PlasticActivation::kSigmoid:
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
    plastic->reset_trace(x.size(0));
    plastic->forward(x); // imprints H from this sample's (x, y)
    return plastic->forward(x);
  }
  // From H = 0 both rules imprint H = eta x (x) y1 (Oja's decay term is H-weighted), so the second
  // pass reads x (W + alpha * H) = x W + eta y1 * ((x * x) alpha): the same function and gradient
  // as the two passes of the layer, in O(B in out) instead of [B, in, out] traces.
  const auto& p = *plastic;
  const at::Tensor rate = at::clamp(p.eta, 0.0, 1.0); // as the layer's rule sees it
  at::Tensor linear = at::matmul(x, p.weight);
  if (p.bias.defined())
    linear = linear + p.bias;
  const at::Tensor y1 = activate(options.activation(), linear);
  const at::Tensor x2 = x.square();
  at::Tensor gain;
  switch (options.alpha_shape()) {
  case layers::AlphaShape::kPerConnection:
    gain = at::matmul(x2, p.alpha);
    break;
  case layers::AlphaShape::kPerNeuron:
  case layers::AlphaShape::kScalar:
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

std::string string_or(const LayerSpec& s, const char* key, const std::string& fallback) {
  auto it = s.strings.find(key);
  return it == s.strings.end() ? fallback : it->second;
}

layers::PlasticActivation plastic_activation(const LayerSpec& s) {
  const std::string a = string_or(s, "activation", "relu");
  if (a == "relu")
    return layers::PlasticActivation::kRelu;
  if (a == "tanh")
    return layers::PlasticActivation::kTanh;
  if (a == "sigmoid")
    return layers::PlasticActivation::kSigmoid;
  if (a == "none")
    return layers::PlasticActivation::kNone;
  TORCH_CHECK(false, s.path, ".activation: expected one of relu, tanh, sigmoid, none; got '", a,
              "'");
}

layers::PlasticityRule plasticity_rule(const LayerSpec& s) {
  const std::string r = string_or(s, "rule", "hebb");
  if (r == "hebb")
    return layers::PlasticityRule::kHebb;
  if (r == "oja")
    return layers::PlasticityRule::kOja;
  TORCH_CHECK(false, s.path, ".rule: expected one of hebb, oja; got '", r, "'");
}

layers::HebbianActivation hebbian_activation(const LayerSpec& s) {
  const std::string a = string_or(s, "activation", "relu");
  if (a == "relu")
    return layers::HebbianActivation::kRelu;
  if (a == "tanh")
    return layers::HebbianActivation::kTanh;
  if (a == "sigmoid")
    return layers::HebbianActivation::kSigmoid;
  if (a == "none")
    return layers::HebbianActivation::kNone;
  TORCH_CHECK(false, s.path, ".activation: expected one of relu, tanh, sigmoid, none; got '", a,
              "'");
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
        o.rule(plasticity_rule(s))
            .activation(plastic_activation(s))
            .eta(number_or(s, "eta", 0.1))
            .alpha_init(number_or(s, "alpha_init", 0.01))
            .clip(number_or(s, "clip", 0.0));
        // The activation is inside the layer, so its output is where context gates act.
        return NetworkLayer{"plastic_linear", torch::nn::AnyModule(PlasticFeedForward(o)),
                            o.out_features(), o.activation() != layers::PlasticActivation::kNone};
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
        o.rule(layers::parse_hebbian_rule(string_or(s, "rule", "soft_wta")))
            .activation(hebbian_activation(s))
            .learning_rate(number_or(s, "learning_rate", 1e-2))
            .temperature(number_or(s, "temperature", 1.0))
            .anti_hebbian(number_or(s, "anti_hebbian", 1.0));
        const bool unit = s.flags.count("unit_norm") ? s.flags.at("unit_norm") : true;
        o.weight_normalization(unit ? layers::WeightNormalization::kUnitNorm
                                    : layers::WeightNormalization::kNone);
        return NetworkLayer{"hebbian_linear", torch::nn::AnyModule(HebbianFeatures(o)),
                            o.out_features(), o.activation() != layers::HebbianActivation::kNone};
      }};
}

} // namespace engram::models
