#pragma once
// Elastic Weight Consolidation (Kirkpatrick et al. 2017): after each task k, the diagonal Fisher
// F_k (fisher.h) and the parameters theta*_k; training then minimises
//   loss + lambda/2 * sum_k sum_i F_k,i (theta_i - theta*_k,i)^2.
// Only the sum is kept, as one consolidated quadratic A (theta - m)^2 + c (same value and gradient;
// fisher.h): memory, checkpoints and the per-iteration cost are O(P) whatever the number of tasks.
#include <engram/cl/fisher.h>
#include <engram/cl/strategy.h>

#include <torch/arg.h>

#include <string>

namespace engram::cl {

struct EwcOptions {
  /// Strength of the penalty (lambda above).
  TORCH_ARG(double, lambda) = 10000;
  /// Samples of the task's training data over which the diagonal Fisher is estimated.
  TORCH_ARG(int64_t, fisher_samples) = 500;
  /// Labels of the Fisher: "exact", "argmax", "empirical" or "sampled" (fisher.h).
  TORCH_ARG(std::string, fisher_labels) = "exact";
  /// 1: the Fisher is computed in eval mode (the references); 0: in training mode.
  TORCH_ARG(int64_t, fisher_eval) = 1;
  /// Samples per batched pass of the Fisher computation.
  TORCH_ARG(int64_t, fisher_batch) = 128;
};

// The FisherOptions of a strategy's fisher_* options.
FisherOptions fisher_options(int64_t samples, const std::string& labels, int64_t eval,
                             int64_t batch);

class EwcStrategy : public StrategyWithOptions<EwcOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "ewc"; }
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_task(StrategyContext& ctx, const data::Task& task) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  // The consolidated penalty of the tasks so far (empty weights before the first).
  const ConsolidatedPenalty& penalty() const { return penalty_; }
  int64_t consolidated_tasks() const { return tasks_; }

private:
  ConsolidatedPenalty penalty_;
  int64_t tasks_ = 0;
};
} // namespace engram::cl
