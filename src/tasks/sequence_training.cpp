#include <engram/tasks/sequence_training.h>

#include <torch/optim/adam.h>

namespace engram::tasks {

double train_sequence_model(const SequenceModel& model, const std::vector<at::Tensor>& params,
                            const SequenceTask& task, const SequenceTrainingOptions& options,
                            const SequenceTrainingProgress& progress) {
  TORCH_CHECK(options.iterations >= 0 && options.batch > 0 && options.eval_batch > 0,
              "train_sequence_model: expected iterations >= 0, batch > 0, eval_batch > 0, got ",
              options.iterations, ", ", options.batch, ", ", options.eval_batch);
  TORCH_CHECK(options.lr > 0 && options.grad_clip >= 0,
              "train_sequence_model: expected lr > 0 and grad_clip >= 0, got ", options.lr, " and ",
              options.grad_clip);
  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(options.lr));
  for (int64_t it = 1; it <= options.iterations; ++it) {
    const SequenceBatch batch = task(options.batch);
    const at::Tensor logits = model(batch.inputs);
    const at::Tensor loss = masked_cross_entropy(logits, batch);
    optimizer.zero_grad();
    loss.backward();
    if (options.grad_clip > 0) {
      for (const auto& p : params) {
        if (p.grad().defined())
          p.grad().clamp_(-options.grad_clip, options.grad_clip);
      }
    }
    optimizer.step();
    if (progress && options.log_every > 0 && it % options.log_every == 0)
      progress(it, loss.item<double>(), masked_accuracy(logits.detach(), batch));
  }
  at::NoGradGuard no_grad;
  const SequenceBatch batch = task(options.eval_batch);
  return masked_accuracy(model(batch.inputs), batch);
}

} // namespace engram::tasks
