// usf, brsf, frsf: sign symmetry (Liao, Leibo & Poggio 2016), named as BioTorch names them.
#include <engram/train/detail/feedback_rule_builders.h>

namespace engram::learning {
using layers::FeedbackKind;
using namespace detail;

ENGRAM_REGISTER_LAYER_RULE("usf",
                           "Uniform sign-concordant feedback (Liao et al. 2016): sign(W) replaces "
                           "Wᵀ in the backward pass.",
                           feedback_linear_builder(FeedbackKind::kSign),
                           feedback_conv2d_builder(FeedbackKind::kSign),
                           feedback_head_builder(FeedbackKind::kSign));
ENGRAM_REGISTER_LAYER_RULE("brsf",
                           "Batch-wise random-magnitude sign-concordant feedback (Liao et al. "
                           "2016): abs(M) ∘ sign(W), M Xavier-uniform redrawn every batch.",
                           feedback_linear_builder(FeedbackKind::kSignBatchRandom),
                           feedback_conv2d_builder(FeedbackKind::kSignBatchRandom),
                           feedback_head_builder(FeedbackKind::kSignBatchRandom));
ENGRAM_REGISTER_LAYER_RULE("frsf",
                           "Fixed random-magnitude sign-concordant feedback (Liao et al. 2016): "
                           "abs(M) ∘ sign(W), M Xavier-uniform drawn once (a buffer).",
                           feedback_linear_builder(FeedbackKind::kSignFixedRandom),
                           feedback_conv2d_builder(FeedbackKind::kSignFixedRandom),
                           feedback_head_builder(FeedbackKind::kSignFixedRandom));

} // namespace engram::learning
