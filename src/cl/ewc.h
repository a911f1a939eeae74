#pragma once
// Elastic Weight Consolidation (Kirkpatrick et al. 2017): after each task, the diagonal Fisher F_k
// and the parameters theta*_k are stored; training then minimises
//   loss + lambda/2 * sum_k sum_i F_k,i (theta_i - theta*_k,i)^2,
// evaluated as one consolidated quadratic (same value and gradient) so that the per-iteration
// cost does not grow with the number of tasks.
#include <engram/cl/fisher.h>
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct EwcOptions {
  /// Strength of the penalty (lambda above).
  TORCH_ARG(double, lambda) = 10000;
  /// Samples of the task's training data over which the diagonal Fisher is estimated.
  TORCH_ARG(int64_t, fisher_samples) = 500;
};

class EwcStrategy : public StrategyWithOptions<EwcOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "ewc"; }
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_task(StrategyContext& ctx, const data::Task& task) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

private:
  std::vector<std::vector<at::Tensor>> fishers_; // per task, as checkpointed
  std::vector<std::vector<at::Tensor>> anchors_;
  ConsolidatedPenalty penalty_; // their sum, recomputed when a task is added or loaded
};
} // namespace engram::cl
