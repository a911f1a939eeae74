#include <engram/train/detail/feedback_rule_builders.h>

namespace engram::learning::detail {

using layers::FeedbackKind;

LinearRuleBuilder feedback_linear_builder(FeedbackKind kind) {
  return [kind](const LinearGeometry& g, RuleContext& context) {
    layers::FeedbackLinear layer(layers::FeedbackLinearOptions(g.in_features, g.out_features)
                                     .bias(g.bias)
                                     .feedback(kind)
                                     .num_outputs(context.num_outputs));
    if (kind == FeedbackKind::kDirect) {
      layer->connect_output_error(context.output_error);
      context.output_error_read = true;
    }
    return torch::nn::AnyModule(layer);
  };
}

Conv2dRuleBuilder feedback_conv2d_builder(FeedbackKind kind) {
  return [kind](const Conv2dGeometry& g, RuleContext& context) {
    layers::FeedbackConv2d layer(
        layers::FeedbackConv2dOptions(g.in_channels, g.out_channels, g.kernel)
            .stride(g.stride)
            .padding(g.padding)
            .bias(g.bias)
            .feedback(kind)
            .num_outputs(context.num_outputs)
            .input_height(g.input_shape.at(1))
            .input_width(g.input_shape.at(2)));
    if (kind == FeedbackKind::kDirect) {
      layer->connect_output_error(context.output_error);
      context.output_error_read = true;
    }
    return torch::nn::AnyModule(layer);
  };
}

HeadRuleBuilder feedback_head_builder(FeedbackKind kind) {
  return [kind](int64_t in_features, RuleContext& context) -> std::shared_ptr<models::HeadRule> {
    auto head = std::make_shared<layers::FeedbackHeadImpl>(
        layers::FeedbackHeadOptions(in_features, context.num_outputs).feedback(kind));
    if (kind == FeedbackKind::kDirect) {
      head->connect_output_error(context.output_error);
      context.output_error_provided = true;
    }
    return head;
  };
}

} // namespace engram::learning::detail
