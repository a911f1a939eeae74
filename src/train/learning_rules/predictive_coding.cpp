// pc: predictive coding, a model-level rule.
#include <engram/layers/learning/predictive_coding.h>
#include <engram/train/learning_rule.h>

namespace engram::learning {

ENGRAM_REGISTER_MODEL_RULE(
    "pc",
    "Predictive coding (Whittington & Bogacz 2017): value nodes relax on the prediction errors "
    "with the task loss at the output, then local updates eps f(x)ᵀ; linear layers and "
    "relu/tanh/sigmoid only.",
    [](models::NetworkImpl& net, const at::Tensor& x, const TaskLoss& task_loss) {
      layers::predictive_coding_gradients(net, x, task_loss);
    });

} // namespace engram::learning
