#include <engram/core/join.h>
#include <engram/layers/hebbian/soft_hebb_conv2d.h>
#include <engram/layers/hebbian/soft_hebb_linear.h>
#include <engram/models/detail/layer_options.h>
#include <engram/models/soft_hebb_layers.h>

#include <c10/util/Exception.h>

#include <string>
#include <vector>

namespace engram::models {

namespace {

using detail::flag_or;
using detail::integer_at_least;
using detail::number_in;
using detail::positive_number;

layers::SoftHebbActivation activation_of(const LayerSpec& s) {
  auto it = s.strings.find("activation");
  if (it == s.strings.end()) {
    return layers::SoftHebbActivation::kTriangle;
  }
  std::vector<std::string> names;
  for (const auto a : layers::all_soft_hebb_activations()) {
    if (it->second == layers::to_string(a)) {
      return a;
    }
    names.push_back(layers::to_string(a));
  }
  TORCH_CHECK(false, s.path, ".activation: expected one of ", join(names), "; got '", it->second,
              "'");
}

// The rule's keys, shared by both layer types.
template <typename Options>
void read_rule(const LayerSpec& s, Options& o) {
  o.temperature(positive_number(s, "temperature", o.temperature()))
      .learning_rate(number_in(s, "learning_rate", o.learning_rate(), 0.0, 1e3))
      .adaptive_learning_rate(flag_or(s, "adaptive_lr", o.adaptive_learning_rate()))
      .learning_rate_power(number_in(s, "learning_rate_power", o.learning_rate_power(), 1e-6, 4.0))
      .anti_hebbian(flag_or(s, "anti_hebbian", o.anti_hebbian()))
      .init_radius(positive_number(s, "init_radius", o.init_radius()))
      .activation(activation_of(s))
      .triangle_power(number_in(s, "triangle_power", o.triangle_power(), 1e-6, 4.0));
}

std::map<std::string, ParamKind> rule_params() {
  return {{"temperature", ParamKind::kNumber}, {"learning_rate", ParamKind::kNumber},
          {"adaptive_lr", ParamKind::kBool},   {"learning_rate_power", ParamKind::kNumber},
          {"anti_hebbian", ParamKind::kBool},  {"init_radius", ParamKind::kNumber},
          {"activation", ParamKind::kString},  {"triangle_power", ParamKind::kNumber}};
}

int64_t window_output(int64_t size, int64_t kernel, int64_t stride, int64_t padding) {
  return (size + 2 * padding - kernel) / stride + 1;
}

} // namespace

NetworkLayer build_soft_hebb_linear(const LayerSpec& s, int64_t in_features) {
  TORCH_CHECK(s.numbers.count("out_features") != 0, layer_label(s),
              ": expected the key 'out_features'");
  const int64_t out = integer_at_least(s, "out_features", 2, 2);
  layers::SoftHebbLinearOptions o(in_features, out);
  read_rule(s, o);
  return NetworkLayer{"softhebb-linear", torch::nn::AnyModule(layers::SoftHebbLinear(o)), out,
                      o.activation() != layers::SoftHebbActivation::kNone};
}

NetworkLayer build_soft_hebb_conv2d(const LayerSpec& s, const Shape& in) {
  detail::expect_image_input(s, in);
  TORCH_CHECK(s.numbers.count("out_channels") != 0, layer_label(s),
              ": expected the key 'out_channels'");
  const int64_t channels = integer_at_least(s, "out_channels", 2, 2);
  const int64_t kernel = integer_at_least(s, "kernel", 3, 1);
  const int64_t stride = integer_at_least(s, "stride", 1, 1);
  const int64_t padding = integer_at_least(s, "padding", 0, 0);
  const Shape out{channels, window_output(in[1], kernel, stride, padding),
                  window_output(in[2], kernel, stride, padding)};
  TORCH_CHECK(in[1] + 2 * padding >= kernel && in[2] + 2 * padding >= kernel, layer_label(s),
              ": kernel ", kernel, " with padding ", padding, " does not fit the input ",
              shape_string(in));
  layers::SoftHebbConv2dOptions o(in[0], channels, kernel);
  o.stride(stride).padding(padding);
  read_rule(s, o);
  return NetworkLayer{"softhebb-conv2d", torch::nn::AnyModule(layers::SoftHebbConv2d(o)),
                      shape_numel(out), o.activation() != layers::SoftHebbActivation::kNone, out};
}

LayerType soft_hebb_linear_layer_type() {
  auto params = rule_params();
  params["out_features"] = ParamKind::kInteger;
  return LayerType{params, {"out_features"}, FlatLayerBuilder([](const LayerSpec& s, int64_t in) {
                     return build_soft_hebb_linear(s, in);
                   })};
}

LayerType soft_hebb_conv2d_layer_type() {
  auto params = rule_params();
  params["out_channels"] = ParamKind::kInteger;
  params["kernel"] = ParamKind::kInteger;
  params["stride"] = ParamKind::kInteger;
  params["padding"] = ParamKind::kInteger;
  return LayerType{
      params, {"out_channels"}, ShapedLayerBuilder([](const LayerSpec& s, const Shape& in) {
        return build_soft_hebb_conv2d(s, in);
      })};
}

} // namespace engram::models
