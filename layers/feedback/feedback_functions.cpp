#include <engram/layers/feedback/feedback_functions.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/autograd.h>

namespace engram::layers {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

OutputError make_output_error() {
  OutputError slot;
  slot.push_back(at::empty({0}));
  return slot;
}

at::Tensor output_error_of(const OutputError& slot, int64_t batch, const char* who) {
  TORCH_CHECK(slot.size() == 1, who, ": the output-error slot is malformed");
  at::Tensor e = slot.get(0);
  TORCH_CHECK(e.dim() == 2 && e.size(0) == batch, who,
              ": no output error of this backward pass (expected [", batch, ", K], got ", e.sizes(),
              "); direct feedback needs the network's head to run under the same rule");
  return e;
}

namespace {

struct FeedbackLinearFunction : public torch::autograd::Function<FeedbackLinearFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const at::Tensor& bias, const at::Tensor& backward_weight) {
    ctx->save_for_backward({x, backward_weight});
    ctx->saved_data["has_bias"] = bias.defined();
    return at::linear(x, weight, bias);
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& bw = saved[1];
    const at::Tensor g = grads[0];
    const at::Tensor grad_bias = ctx->saved_data["has_bias"].toBool() ? g.sum(0) : at::Tensor();
    return {g.mm(bw), g.t().mm(x), grad_bias, at::Tensor()};
  }
};

struct FeedbackConv2dFunction : public torch::autograd::Function<FeedbackConv2dFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const at::Tensor& bias, const at::Tensor& backward_weight,
                            int64_t stride, int64_t padding) {
    ctx->save_for_backward({x, weight, backward_weight});
    ctx->saved_data["has_bias"] = bias.defined();
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    return at::conv2d(x, weight, bias, {stride, stride}, {padding, padding});
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& bw = saved[2];
    const bool has_bias = ctx->saved_data["has_bias"].toBool();
    const int64_t s = ctx->saved_data["stride"].toInt();
    const int64_t p = ctx->saved_data["padding"].toInt();
    const at::Tensor g = grads[0].contiguous();
    const std::vector<int64_t> bias_sizes{weight.size(0)};
    const auto input_grads =
        at::convolution_backward(g, x, bw, c10::nullopt, {s, s}, {p, p}, {1, 1},
                                 /*transposed=*/false, {0, 0}, /*groups=*/1, {true, false, false});
    const auto weight_grads = at::convolution_backward(
        g, x, weight, has_bias ? at::OptionalIntArrayRef(bias_sizes) : c10::nullopt, {s, s}, {p, p},
        {1, 1}, /*transposed=*/false, {0, 0}, /*groups=*/1, {false, true, has_bias});
    return {std::get<0>(input_grads),
            std::get<1>(weight_grads),
            has_bias ? std::get<2>(weight_grads) : at::Tensor(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor()};
  }
};

struct DirectFeedbackFunction : public torch::autograd::Function<DirectFeedbackFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& feedback,
                            const OutputError& slot) {
    ctx->save_for_backward({feedback});
    ctx->saved_data["slot"] = slot;
    ctx->saved_data["shape"] = x.sizes();
    return x.view_as(x);
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const at::Tensor feedback = ctx->get_saved_variables()[0];
    const auto shape = ctx->saved_data["shape"].toIntVector();
    const OutputError slot = ctx->saved_data["slot"].toTensorList();
    const at::Tensor e = output_error_of(slot, shape[0], "direct feedback");
    TORCH_CHECK(e.size(1) == feedback.size(0), "direct feedback: the output error has ", e.size(1),
                " units, the feedback matrix ", feedback.size(0));
    return {e.to(grads[0].scalar_type()).mm(feedback).view(shape), at::Tensor(), at::Tensor()};
  }
};

struct CaptureOutputErrorFunction : public torch::autograd::Function<CaptureOutputErrorFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& logits,
                            const OutputError& slot) {
    ctx->saved_data["slot"] = slot;
    return logits.view_as(logits);
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    OutputError slot = ctx->saved_data["slot"].toTensorList();
    slot.set(0, grads[0].detach());
    return {grads[0], at::Tensor()};
  }
};

} // namespace

at::Tensor feedback_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           const at::Tensor& backward_weight) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == weight.size(1),
              "feedback_linear: argument 'x' expected [N, ", weight.size(1), "], got ", x.sizes());
  TORCH_CHECK(backward_weight.sizes() == weight.sizes(),
              "feedback_linear: argument 'backward_weight' expected ", weight.sizes(), ", got ",
              backward_weight.sizes());
  return FeedbackLinearFunction::apply(x, weight, bias, backward_weight.detach());
}

at::Tensor feedback_conv2d(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           const at::Tensor& backward_weight, int64_t stride, int64_t padding) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == weight.size(1),
              "feedback_conv2d: argument 'x' expected [N, ", weight.size(1), ", H, W], got ",
              x.sizes());
  TORCH_CHECK(backward_weight.sizes() == weight.sizes(),
              "feedback_conv2d: argument 'backward_weight' expected ", weight.sizes(), ", got ",
              backward_weight.sizes());
  return FeedbackConv2dFunction::apply(x, weight, bias, backward_weight.detach(), stride, padding);
}

at::Tensor direct_feedback(const at::Tensor& x, const at::Tensor& feedback,
                           const OutputError& slot) {
  TORCH_CHECK(feedback.dim() == 2 && x.dim() >= 2 && feedback.size(1) == x[0].numel(),
              "direct_feedback: argument 'feedback' expected [K, ", x.dim() >= 2 ? x[0].numel() : 0,
              "], got ", feedback.sizes());
  return DirectFeedbackFunction::apply(x, feedback.detach(), slot);
}

at::Tensor capture_output_error(const at::Tensor& logits, const OutputError& slot) {
  TORCH_CHECK(logits.dim() == 2, "capture_output_error: argument 'logits' expected [N, K], got ",
              logits.sizes());
  return CaptureOutputErrorFunction::apply(logits, slot);
}

} // namespace engram::layers
