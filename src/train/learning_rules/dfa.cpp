// dfa: direct feedback alignment.
#include <engram/train/detail/feedback_rule_builders.h>

namespace engram::learning {
using layers::FeedbackKind;
using namespace detail;

ENGRAM_REGISTER_LAYER_RULE("dfa",
                           "Direct feedback alignment (Nøkland 2016): the output error e goes "
                           "straight to every hidden layer through a fixed random matrix, δₗ = (Bₗ "
                           "e) ⊙ f'(aₗ); the head keeps e (needs dfa for the whole model).",
                           feedback_linear_builder(FeedbackKind::kDirect),
                           feedback_conv2d_builder(FeedbackKind::kDirect),
                           feedback_head_builder(FeedbackKind::kDirect));

} // namespace engram::learning
