// fa: feedback alignment.
#include <engram/train/detail/feedback_rule_builders.h>

namespace engram::learning {
using layers::FeedbackKind;
using namespace detail;

ENGRAM_REGISTER_LAYER_RULE(
    "fa",
    "Feedback alignment (Lillicrap et al. 2016): a fixed random matrix B (Xavier-uniform, a "
    "buffer) replaces Wᵀ in the backward pass of every layer and the head.",
    feedback_linear_builder(FeedbackKind::kRandom), feedback_conv2d_builder(FeedbackKind::kRandom),
    feedback_head_builder(FeedbackKind::kRandom));

} // namespace engram::learning
