#pragma once
// Deep generative replay (Shin, Lee, Kim & Kim 2017), as in van de Ven & Tolias's code
// (GMvandeVen/continual-learning, "Three scenarios for continual learning", 2019): a variational
// autoencoder (models::Vae) is trained alongside the classifier on the same batches. From the
// second task on, every iteration draws as many inputs as the batch holds from a frozen copy of
// the generator as it was at the end of the previous task, and a frozen copy of the classifier
// (the previous solver) labels them over the previous tasks' units (class-IL: the classes of the
// previous tasks; domain-IL: all units; task-IL: each previous task's head, averaged). The
// classifier's softmax on them covers every unit active at the current task (class-IL: the
// current task's classes too, where the targets are zero, as in the reference):
//   dgr          hard targets: the previous solver's most likely unit, cross-entropy;
//   dgr-distill  soft targets: T^2 * cross-entropy between the previous solver's softmax at
//                temperature T and the classifier's (Hinton et al. 2015).
// Both the classifier's loss and the generator's are 1/(t+1) * current + t/(t+1) * replayed, at
// task t (0-based). The generator has its own Adam optimizer (lr, betas 0.9 and 0.999), kept
// across tasks; its inputs must lie in [0, 1] (its reconstruction loss is a binary
// cross-entropy).
#include <engram/cl/strategy.h>
#include <engram/models/vae.h>

#include <torch/arg.h>
#include <torch/optim/adam.h>

#include <memory>

namespace engram::cl {

struct DgrOptions {
  /// Units of each hidden layer of the VAE's encoder and decoder.
  TORCH_ARG(int64_t, hidden) = 400;
  /// Dimensions of the VAE's latent space.
  TORCH_ARG(int64_t, latent_dim) = 100;
  /// Learning rate of the generator's Adam optimizer.
  TORCH_ARG(double, lr) = 0.001;
  /// Temperature T of the soft targets (dgr-distill only).
  TORCH_ARG(double, temperature) = 2;
};

// The replay loss of `student` logits against `teacher` logits: the student's softmax over
// `student_units` (bool [O]), the teacher's targets over `teacher_units` (zero elsewhere): hard
// (cross-entropy to the teacher's best unit) or soft (T^2 * cross-entropy of the softmaxes at
// temperature T).
at::Tensor generative_replay_loss(const at::Tensor& student, const at::Tensor& teacher,
                                  const at::Tensor& student_units, const at::Tensor& teacher_units,
                                  bool soft, double temperature);

class DgrStrategy : public StrategyWithOptions<DgrOptions> {
public:
  explicit DgrStrategy(DgrOptions options = {});
  std::string name() const override { return "dgr"; }
  void begin(StrategyContext& ctx) override;
  void before_task(StrategyContext& ctx, const data::Task& task) override;
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_step(StrategyContext& ctx, const Batch& batch) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  const models::Vae& generator() const { return generator_; }

protected:
  bool soft_targets_ = false;

private:
  models::Vae generator_{nullptr};
  models::Vae previous_generator_{nullptr};
  models::Network previous_solver_{nullptr};
  std::unique_ptr<torch::optim::Adam> generator_optimizer_;
  at::Tensor replayed_x_; // the generated inputs of this iteration, replayed to the generator too
};

class DgrDistillStrategy : public DgrStrategy {
public:
  explicit DgrDistillStrategy(DgrOptions options = {});
  std::string name() const override { return "dgr-distill"; }
};

} // namespace engram::cl
