#pragma once
// iCaRL (Rebuffi, Kolesnikov, Sperl & Lampert 2017, "iCaRL: Incremental Classifier and
// Representation Learning"), class-IL only.
// - Memory: memory_size exemplars in all, memory_size / (classes seen) per class. After each
//   task the sets of the old classes are cut to their first m exemplars, and each new class gets
//   m exemplars chosen by herding on the L2-normalised features of the model (the body's output):
//   the k-th exemplar is the sample that brings the mean of the first k closest to the class
//   mean (the paper's Algorithm 4).
// - Training: each batch is drawn from the task's data joined with the exemplars (each sample is
//   replaced by a random exemplar with probability M / (N + M), M exemplars, N task samples), and
//   the loss is the sigmoid binary cross-entropy over the units of the classes seen so far, with
//   one-hot targets on the new classes and, on the old ones, the sigmoid outputs of the model as
//   it was at the end of the previous task (distillation; the paper's Algorithm 3, averaged over
//   units as in Mammoth's models/icarl.py).
// - Prediction: nearest mean of exemplars. A test sample goes to the class whose exemplar mean
//   (of normalised features, renormalised) is closest to its normalised features.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct IcarlOptions {
  /// Exemplars stored over all classes (memory_size / classes seen per class).
  TORCH_ARG(int64_t, memory_size) = 2000;
  /// Temperature T of the distillation targets, sigmoid(teacher logit / T) on the old classes: 1
  /// as in Rebuffi et al. and Mammoth, 2 in van de Ven & Tolias's code (its --temp also scales
  /// iCaRL's binary distillation).
  TORCH_ARG(double, temperature) = 1;
};

// iCaRL's loss on one batch: the mean sigmoid binary cross-entropy of `logits` [B, O] over the
// `seen_units` (long [S]), against one-hot targets of `y` (long [B]) except on the `old_units`
// (long [K]), whose targets are sigmoid(teacher_logits / temperature) (teacher_logits [B, O];
// undefined or no old units: one-hot everywhere).
at::Tensor icarl_loss(const at::Tensor& logits, const at::Tensor& teacher_logits,
                      const at::Tensor& y, const at::Tensor& old_units,
                      const at::Tensor& seen_units, double temperature);

// Herding (iCaRL Algorithm 4): `m` distinct rows of `features` [N, F], in the order chosen, each
// one minimising the distance between the class mean and the mean of the rows chosen so far.
at::Tensor herding_selection(const at::Tensor& features, int64_t m);

// Scores [B, C] of the nearest-mean-of-exemplars classifier: minus the squared distance of each
// row of `features` [B, F] to each class mean `means` [C, F]; classes where `has_mean` (bool [C])
// is false get the lowest finite score.
at::Tensor nearest_mean_scores(const at::Tensor& features, const at::Tensor& means,
                               const at::Tensor& has_mean);

// Rows of `x` scaled to unit L2 norm.
at::Tensor l2_normalize_rows(const at::Tensor& x);

class IcarlStrategy : public StrategyWithOptions<IcarlOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "icarl"; }
  std::string unsupported_reason(data::Scenario scenario) const override;
  void before_task(StrategyContext& ctx, const data::Task& task) override;
  Batch compose_batch(StrategyContext& ctx, Batch current) override;
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_task(StrategyContext& ctx, const data::Task& task) override;
  at::Tensor prediction_scores(models::NetworkImpl& model, const at::Tensor& x,
                               const at::Tensor& task) const override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  // The exemplars, class by class, each class's in herding order.
  const Batch& exemplars() const { return memory_; }
  int64_t memory_used() const { return memory_.x.defined() ? memory_.size() : 0; }
  // Class means [num_outputs, F] and which classes have one.
  const at::Tensor& class_means() const { return means_; }
  const at::Tensor& has_mean() const { return has_mean_; }

private:
  void update_class_means(StrategyContext& ctx);

  models::Network teacher_{nullptr};
  at::Tensor seen_units_; // int64: units of the classes seen so far (this task included)
  at::Tensor old_units_;  // int64: units of the classes of earlier tasks
  Batch memory_;
  at::Tensor means_, has_mean_;
};
} // namespace engram::cl
