#include <engram/layers/feedback/feedback_layers.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/nn/init.h>

#include <cmath>

namespace engram::layers {

const char* to_string(FeedbackKind kind) {
  switch (kind) {
  case FeedbackKind::kRandom:
    return "fa";
  case FeedbackKind::kSign:
    return "usf";
  case FeedbackKind::kSignBatchRandom:
    return "brsf";
  case FeedbackKind::kSignFixedRandom:
    return "frsf";
  case FeedbackKind::kDirect:
    return "dfa";
  }
  return "?";
}

namespace {

// Xavier-uniform values of `like`'s shape (fans as torch::nn::init computes them).
at::Tensor xavier_like(const at::Tensor& like) {
  at::NoGradGuard no_grad;
  at::Tensor m = at::empty_like(like);
  torch::nn::init::xavier_uniform_(m);
  return m;
}

// The feedback buffer of a layer whose weight is `weight` (undefined where none).
at::Tensor make_feedback(FeedbackKind kind, const at::Tensor& weight, int64_t num_outputs,
                         int64_t input_units) {
  switch (kind) {
  case FeedbackKind::kRandom:
    return xavier_like(weight);
  case FeedbackKind::kSignFixedRandom:
    return xavier_like(weight).abs();
  case FeedbackKind::kDirect:
    return xavier_like(at::empty({num_outputs, input_units}, weight.options()));
  case FeedbackKind::kSign:
  case FeedbackKind::kSignBatchRandom:
    return {};
  }
  return {};
}

at::Tensor sign_feedback(FeedbackKind kind, const at::Tensor& weight, const at::Tensor& feedback,
                         const char* who) {
  at::NoGradGuard no_grad;
  const at::Tensor w = weight.detach();
  switch (kind) {
  case FeedbackKind::kRandom:
    return feedback;
  case FeedbackKind::kSign:
    return w.sign();
  case FeedbackKind::kSignBatchRandom:
    return xavier_like(w).abs_().mul_(w.sign());
  case FeedbackKind::kSignFixedRandom:
    return feedback * w.sign();
  case FeedbackKind::kDirect:
    break;
  }
  TORCH_CHECK(false, who,
              "::backward_weight: a dfa layer has no backward weight (its input "
              "gradient is the projected output error)");
  return {};
}

// Gradients flow (training with autograd): the feedback pathway is needed.
bool needs_backward(const at::Tensor& x, const at::Tensor& weight) {
  return at::GradMode::is_enabled() && (x.requires_grad() || weight.requires_grad());
}

} // namespace

FeedbackLinearImpl::FeedbackLinearImpl(const FeedbackLinearOptions& options_) : options(options_) {
  reset();
}

void FeedbackLinearImpl::reset() {
  TORCH_CHECK(options.in_features() >= 1 && options.out_features() >= 1,
              "FeedbackLinear: in_features and out_features expected >= 1, got ",
              options.in_features(), " and ", options.out_features());
  TORCH_CHECK(options.feedback() != FeedbackKind::kDirect || options.num_outputs() >= 1,
              "FeedbackLinear: option 'num_outputs' expected >= 1 for dfa, got ",
              options.num_outputs());
  weight = register_parameter("weight", at::empty({options.out_features(), options.in_features()}));
  bias = options.bias() ? register_parameter("bias", at::empty({options.out_features()}))
                        : register_parameter("bias", {}, /*requires_grad=*/false);
  const at::Tensor f =
      make_feedback(options.feedback(), weight, options.num_outputs(), options.in_features());
  if (f.defined())
    feedback = register_buffer("feedback", f);
  reset_parameters();
}

void FeedbackLinearImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features()));
    bias.uniform_(-bound, bound);
  }
  if (feedback.defined())
    feedback.copy_(
        make_feedback(options.feedback(), weight, options.num_outputs(), options.in_features()));
}

at::Tensor FeedbackLinearImpl::backward_weight() const {
  return sign_feedback(options.feedback(), weight, feedback, "FeedbackLinear");
}

at::Tensor FeedbackLinearImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options.in_features(),
              "FeedbackLinear: argument 'x' expected [B, ", options.in_features(), "], got ",
              x.sizes());
  if (!needs_backward(x, weight))
    return at::linear(x, weight, bias);
  if (options.feedback() == FeedbackKind::kDirect)
    return at::linear(direct_feedback(x, feedback, output_error_), weight, bias);
  return feedback_linear(x, weight, bias, backward_weight());
}

void FeedbackLinearImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::layers::FeedbackLinear(in_features=" << options.in_features()
         << ", out_features=" << options.out_features() << ", bias=" << std::boolalpha
         << options.bias() << ", feedback=" << to_string(options.feedback()) << ")";
}

FeedbackConv2dImpl::FeedbackConv2dImpl(const FeedbackConv2dOptions& options_) : options(options_) {
  reset();
}

void FeedbackConv2dImpl::reset() {
  const auto& o = options;
  TORCH_CHECK(o.in_channels() >= 1 && o.out_channels() >= 1 && o.kernel() >= 1 && o.stride() >= 1 &&
                  o.padding() >= 0,
              "FeedbackConv2d: expected in_channels, out_channels, kernel, stride >= 1 and "
              "padding >= 0, got ",
              o.in_channels(), ", ", o.out_channels(), ", ", o.kernel(), ", ", o.stride(), ", ",
              o.padding());
  TORCH_CHECK(o.feedback() != FeedbackKind::kDirect ||
                  (o.num_outputs() >= 1 && o.input_height() >= 1 && o.input_width() >= 1),
              "FeedbackConv2d: options 'num_outputs', 'input_height', 'input_width' expected >= 1 "
              "for dfa, got ",
              o.num_outputs(), ", ", o.input_height(), ", ", o.input_width());
  weight = register_parameter(
      "weight", at::empty({o.out_channels(), o.in_channels(), o.kernel(), o.kernel()}));
  bias = o.bias() ? register_parameter("bias", at::empty({o.out_channels()}))
                  : register_parameter("bias", {}, /*requires_grad=*/false);
  const at::Tensor f = make_feedback(o.feedback(), weight, o.num_outputs(),
                                     o.in_channels() * o.input_height() * o.input_width());
  if (f.defined())
    feedback = register_buffer("feedback", f);
  reset_parameters();
}

void FeedbackConv2dImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double fan_in = static_cast<double>(weight[0].numel());
    bias.uniform_(-1.0 / std::sqrt(fan_in), 1.0 / std::sqrt(fan_in));
  }
  if (feedback.defined())
    feedback.copy_(
        make_feedback(options.feedback(), weight, options.num_outputs(),
                      options.in_channels() * options.input_height() * options.input_width()));
}

at::Tensor FeedbackConv2dImpl::backward_weight() const {
  return sign_feedback(options.feedback(), weight, feedback, "FeedbackConv2d");
}

at::Tensor FeedbackConv2dImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options.in_channels(),
              "FeedbackConv2d: argument 'x' expected [B, ", options.in_channels(), ", H, W], got ",
              x.sizes());
  const int64_t s = options.stride();
  const int64_t p = options.padding();
  if (!needs_backward(x, weight))
    return at::conv2d(x, weight, bias, {s, s}, {p, p});
  if (options.feedback() == FeedbackKind::kDirect) {
    TORCH_CHECK(x.size(2) == options.input_height() && x.size(3) == options.input_width(),
                "FeedbackConv2d (dfa): argument 'x' expected [B, ", options.in_channels(), ", ",
                options.input_height(), ", ", options.input_width(), "], got ", x.sizes());
    return at::conv2d(direct_feedback(x, feedback, output_error_), weight, bias, {s, s}, {p, p});
  }
  return feedback_conv2d(x, weight, bias, backward_weight(), s, p);
}

void FeedbackConv2dImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::layers::FeedbackConv2d(" << options.in_channels() << ", "
         << options.out_channels() << ", kernel=" << options.kernel()
         << ", stride=" << options.stride() << ", padding=" << options.padding()
         << ", bias=" << std::boolalpha << options.bias()
         << ", feedback=" << to_string(options.feedback()) << ")";
}

FeedbackHeadImpl::FeedbackHeadImpl(const FeedbackHeadOptions& options_) : options(options_) {
  TORCH_CHECK(options.in_features() >= 1 && options.num_outputs() >= 1,
              "FeedbackHead: in_features and num_outputs expected >= 1, got ",
              options.in_features(), " and ", options.num_outputs());
  const at::Tensor like = at::empty({options.num_outputs(), options.in_features()});
  // The head's feedback to the last hidden layer: for dfa the same kind of matrix as for fa.
  const FeedbackKind kind =
      options.feedback() == FeedbackKind::kDirect ? FeedbackKind::kRandom : options.feedback();
  const at::Tensor f = make_feedback(kind, like, 0, 0);
  if (f.defined())
    feedback = register_buffer("feedback", f);
}

at::Tensor FeedbackHeadImpl::backward_weight(const at::Tensor& head_weight) const {
  const FeedbackKind kind =
      options.feedback() == FeedbackKind::kDirect ? FeedbackKind::kRandom : options.feedback();
  return sign_feedback(kind, head_weight, feedback, "FeedbackHead");
}

at::Tensor FeedbackHeadImpl::forward(torch::nn::Linear& head, const at::Tensor& features) {
  TORCH_CHECK(head->weight.size(0) == options.num_outputs() &&
                  head->weight.size(1) == options.in_features(),
              "FeedbackHead: the head's weight expected [", options.num_outputs(), ", ",
              options.in_features(), "], got ", head->weight.sizes());
  if (!needs_backward(features, head->weight))
    return head->forward(features);
  at::Tensor logits =
      feedback_linear(features, head->weight, head->bias, backward_weight(head->weight));
  if (options.feedback() == FeedbackKind::kDirect)
    logits = capture_output_error(logits, output_error_);
  return logits;
}

void FeedbackHeadImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::layers::FeedbackHead(in_features=" << options.in_features()
         << ", num_outputs=" << options.num_outputs()
         << ", feedback=" << to_string(options.feedback()) << ")";
}

} // namespace engram::layers
