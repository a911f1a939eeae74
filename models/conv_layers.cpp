#include <engram/models/conv_layers.h>

#include <engram/models/detail/layer_options.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

namespace engram::models {

using detail::expect_image_input;
using detail::flag_or;
using detail::integer_at_least;
using detail::number_in_half_open;

Conv2dLayerImpl::Conv2dLayerImpl(const Conv2dLayerOptions& options_) : options(options_) {
  reset();
}

void Conv2dLayerImpl::reset() {
  TORCH_CHECK(options.in_channels() >= 1, "Conv2dLayer: option 'in_channels' expected >= 1, got ",
              options.in_channels());
  TORCH_CHECK(options.out_channels() >= 1, "Conv2dLayer: option 'out_channels' expected >= 1, got ",
              options.out_channels());
  TORCH_CHECK(options.kernel() >= 1, "Conv2dLayer: option 'kernel' expected >= 1, got ",
              options.kernel());
  TORCH_CHECK(options.stride() >= 1, "Conv2dLayer: option 'stride' expected >= 1, got ",
              options.stride());
  TORCH_CHECK(options.padding() >= 0, "Conv2dLayer: option 'padding' expected >= 0, got ",
              options.padding());
  conv = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(options.in_channels(),
                                                         options.out_channels(), options.kernel())
                                    .stride(options.stride())
                                    .padding(options.padding())
                                    .bias(options.bias())));
}

void Conv2dLayerImpl::reset_parameters() {
  conv->reset_parameters();
}

at::Tensor Conv2dLayerImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options.in_channels(),
              "Conv2dLayer::forward: argument 'x' expected [B, ", options.in_channels(),
              ", H, W], got ", x.sizes());
  if (!options.frozen())
    return conv->forward(x);
  const at::Tensor bias = conv->bias.defined() ? conv->bias.detach() : at::Tensor();
  return at::conv2d(x, conv->weight.detach(), bias, {options.stride(), options.stride()},
                    {options.padding(), options.padding()});
}

void Conv2dLayerImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::models::Conv2dLayer(" << options.in_channels() << ", "
         << options.out_channels() << ", kernel=" << options.kernel()
         << ", stride=" << options.stride() << ", padding=" << options.padding()
         << ", bias=" << (options.bias() ? "true" : "false")
         << (options.frozen() ? ", frozen=true" : "") << ")";
}

int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding) {
  const int64_t span = in + 2 * padding - kernel;
  return span < 0 ? 0 : span / stride + 1;
}

namespace {

// The [C', H', W'] output of a kernel x kernel window with `stride` and `padding` over `in`.
Shape windowed(const LayerSpec& s, const Shape& in, int64_t channels, int64_t kernel,
               int64_t stride, int64_t padding) {
  const Shape out{channels, window_output_size(in[1], kernel, stride, padding),
                  window_output_size(in[2], kernel, stride, padding)};
  TORCH_CHECK(out[1] >= 1 && out[2] >= 1, layer_label(s), ": kernel ", kernel, " with padding ",
              padding, " does not fit the input ", shape_string(in), " (output ", shape_string(out),
              ")");
  return out;
}

struct Window {
  int64_t kernel, stride, padding;
};

Window read_window(const LayerSpec& s, int64_t default_kernel, bool stride_is_kernel) {
  Window w{};
  w.kernel = integer_at_least(s, "kernel", default_kernel, 1);
  w.stride = integer_at_least(s, "stride", stride_is_kernel ? w.kernel : 1, 1);
  w.padding = integer_at_least(s, "padding", 0, 0);
  return w;
}

template <typename Pool, typename PoolOptions>
LayerType pool_type(const std::string& name) {
  return LayerType{
      {{"kernel", ParamKind::kInteger},
       {"stride", ParamKind::kInteger},
       {"padding", ParamKind::kInteger}},
      {"kernel"},
      [name](const LayerSpec& s, const Shape& in) {
        expect_image_input(s, in);
        const Window w = read_window(s, 2, /*stride_is_kernel=*/true);
        TORCH_CHECK(2 * w.padding <= w.kernel, s.path, ".padding: expected at most ",
                    "half the kernel (", w.kernel / 2, "), got ", w.padding);
        const Shape out = windowed(s, in, in[0], w.kernel, w.stride, w.padding);
        Pool pool(PoolOptions(w.kernel).stride(w.stride).padding(w.padding));
        return NetworkLayer{name, torch::nn::AnyModule(pool), shape_numel(out), false, out};
      }};
}

} // namespace

void add_conv_layer_types(std::map<std::string, LayerType>& types) {
  types["conv2d"] =
      LayerType{{{"out_channels", ParamKind::kInteger},
                 {"kernel", ParamKind::kInteger},
                 {"stride", ParamKind::kInteger},
                 {"padding", ParamKind::kInteger},
                 {"bias", ParamKind::kBool},
                 {"freeze", ParamKind::kBool}},
                {"out_channels"},
                [](const LayerSpec& s, const Shape& in) {
                  expect_image_input(s, in);
                  const int64_t out_channels = integer_at_least(s, "out_channels", 1, 1);
                  const Window w = read_window(s, 3, /*stride_is_kernel=*/false);
                  const Shape out = windowed(s, in, out_channels, w.kernel, w.stride, w.padding);
                  Conv2dLayerOptions o(in[0], out_channels, w.kernel);
                  o.stride(w.stride).padding(w.padding).bias(flag_or(s, "bias", true));
                  o.frozen(flag_or(s, "freeze", false));
                  return NetworkLayer{"conv2d", torch::nn::AnyModule(Conv2dLayer(o)),
                                      shape_numel(out), false, out};
                }};
  types["maxpool2d"] = pool_type<torch::nn::MaxPool2d, torch::nn::MaxPool2dOptions>("maxpool2d");
  types["avgpool2d"] = pool_type<torch::nn::AvgPool2d, torch::nn::AvgPool2dOptions>("avgpool2d");
  types["adaptive_avgpool2d"] = LayerType{
      {{"output_size", ParamKind::kInteger}}, {}, [](const LayerSpec& s, const Shape& in) {
        expect_image_input(s, in);
        const int64_t size = integer_at_least(s, "output_size", 1, 1);
        TORCH_CHECK(size <= in[1] && size <= in[2], s.path, ".output_size: expected at most the ",
                    "input's height and width, got ", size, " for the input ", shape_string(in));
        torch::nn::AdaptiveAvgPool2d pool(torch::nn::AdaptiveAvgPool2dOptions({size, size}));
        const Shape out{in[0], size, size};
        return NetworkLayer{"adaptive_avgpool2d", torch::nn::AnyModule(pool), shape_numel(out),
                            false, out};
      }};
  types["dropout"] = LayerType{
      {{"p", ParamKind::kNumber}}, {}, [](const LayerSpec& s, const Shape& in) {
        const double p = number_in_half_open(s, "p", 0.5, 0.0, 1.0);
        torch::nn::Dropout dropout{torch::nn::DropoutOptions(p)};
        return NetworkLayer{"dropout", torch::nn::AnyModule(dropout), shape_numel(in), false, in};
      }};
  types["flatten"] =
      LayerType{{}, {}, [](const LayerSpec&, const Shape& in) {
                  torch::nn::Flatten flatten;
                  const Shape out{shape_numel(in)};
                  return NetworkLayer{"flatten", torch::nn::AnyModule(flatten), out[0], false, out};
                }};
}

} // namespace engram::models
