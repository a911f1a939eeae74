#pragma once
// Builders of the feedback rules (fa, dfa, usf, brsf, frsf): layers/feedback/feedback_layers.h
// modules for linear and conv2d layers and the head.
#include <engram/layers/feedback/feedback_layers.h>
#include <engram/train/learning_rule.h>

namespace engram::learning::detail {

LinearRuleBuilder feedback_linear_builder(layers::FeedbackKind kind);
Conv2dRuleBuilder feedback_conv2d_builder(layers::FeedbackKind kind);
HeadRuleBuilder feedback_head_builder(layers::FeedbackKind kind);

} // namespace engram::learning::detail
