#include <engram/models/residual_block.h>

#include <engram/models/detail/layer_options.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace engram::models {

namespace {
torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}
} // namespace

BasicBlockImpl::BasicBlockImpl(const BasicBlockOptions& options_) : options(options_) {
  reset();
}

void BasicBlockImpl::reset() {
  TORCH_CHECK(options.in_channels() >= 1, "BasicBlock: option 'in_channels' expected >= 1, got ",
              options.in_channels());
  TORCH_CHECK(options.out_channels() >= 1, "BasicBlock: option 'out_channels' expected >= 1, got ",
              options.out_channels());
  TORCH_CHECK(options.stride() >= 1, "BasicBlock: option 'stride' expected >= 1, got ",
              options.stride());
  const int64_t in = options.in_channels(), out = options.out_channels();
  auto bn = [&] {
    return ContinualBatchNorm2d(ContinualBatchNorm2dOptions(out).stats(options.bn_stats()));
  };
  conv1 = register_module("conv1", conv(in, out, 3, options.stride()));
  bn1 = register_module("bn1", bn());
  conv2 = register_module("conv2", conv(out, out, 3, 1));
  bn2 = register_module("bn2", bn());
  if (options.stride() != 1 || in != out) {
    shortcut_conv = register_module("shortcut_conv", conv(in, out, 1, options.stride()));
    shortcut_bn = register_module("shortcut_bn", bn());
  }
}

void BasicBlockImpl::reset_parameters() {
  conv1->reset_parameters();
  bn1->reset_parameters();
  conv2->reset_parameters();
  bn2->reset_parameters();
  if (has_projection()) {
    shortcut_conv->reset_parameters();
    shortcut_bn->reset_parameters();
  }
}

at::Tensor BasicBlockImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options.in_channels(),
              "BasicBlock::forward: argument 'x' expected [B, ", options.in_channels(),
              ", H, W], got ", x.sizes());
  at::Tensor out = at::relu(bn1->forward(conv1->forward(x)));
  out = bn2->forward(conv2->forward(out));
  const at::Tensor shortcut =
      has_projection() ? shortcut_bn->forward(shortcut_conv->forward(x)) : x;
  return at::relu(out + shortcut);
}

void BasicBlockImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::models::BasicBlock(" << options.in_channels() << ", " << options.out_channels()
         << ", stride=" << options.stride()
         << ", shortcut=" << (has_projection() ? "conv1x1" : "identity")
         << ", bn_stats=" << to_string(options.bn_stats()) << ")";
}

void add_residual_layer_types(std::map<std::string, LayerType>& types) {
  types["basic_block"] = LayerType{
      {{"out_channels", ParamKind::kInteger},
       {"stride", ParamKind::kInteger},
       {"bn_stats", ParamKind::kString}},
      {"out_channels"},
      [](const LayerSpec& s, const Shape& in) {
        detail::expect_image_input(s, in);
        BasicBlockOptions o(in[0], detail::integer_at_least(s, "out_channels", 1, 1));
        o.stride(detail::integer_at_least(s, "stride", 1, 1));
        if (s.strings.count("bn_stats"))
          o.bn_stats(parse_batch_norm_stats(s.strings.at("bn_stats"), s.path + ".bn_stats"));
        const int64_t side_h = (in[1] - 1) / o.stride() + 1;
        const int64_t side_w = (in[2] - 1) / o.stride() + 1;
        const Shape out{o.out_channels(), side_h, side_w};
        return NetworkLayer{"basic_block", torch::nn::AnyModule(BasicBlock(o)), shape_numel(out),
                            false, out};
      }};
}

} // namespace engram::models
