#pragma once
// Online EWC (Schwarz et al. 2018): one running Fisher F <- gamma * F + F_t and one anchor (the
// parameters after the latest task), so memory and checkpoints are O(P); penalty
//   variant vandeven (default): lambda/2 * sum_i gamma * F_i (theta_i - theta*_i)^2, gamma inside
//                     the penalty as in GMvandeVen/continual-learning (ewc_loss), so the latest
//                     task's Fisher is decayed once too;
//   variant schwarz:  lambda/2 * sum_i F_i (theta_i - theta*_i)^2, as Schwarz et al. write it.
// The two coincide for gamma = 1 (the default).
#include <engram/cl/strategy.h>

#include <torch/arg.h>

#include <string>

namespace engram::cl {

struct OnlineEwcOptions {
  /// Strength of the penalty (lambda above).
  TORCH_ARG(double, lambda) = 10000;
  /// Decay of the running Fisher at each task boundary (1: no decay).
  TORCH_ARG(double, gamma) = 1;
  /// Where gamma enters: "vandeven" (also inside the penalty) or "schwarz" (only in the update).
  TORCH_ARG(std::string, variant) = "vandeven";
  /// Samples of the task's training data over which the diagonal Fisher is estimated.
  TORCH_ARG(int64_t, fisher_samples) = 500;
  /// Labels of the Fisher: "exact", "argmax", "empirical" or "sampled" (fisher.h).
  TORCH_ARG(std::string, fisher_labels) = "exact";
  /// 1: the Fisher is computed in eval mode (the references); 0: in training mode.
  TORCH_ARG(int64_t, fisher_eval) = 1;
  /// Samples per batched pass of the Fisher computation.
  TORCH_ARG(int64_t, fisher_batch) = 128;
};

class OnlineEwcStrategy : public StrategyWithOptions<OnlineEwcOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "online-ewc"; }
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_task(StrategyContext& ctx, const data::Task& task) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  // The running Fisher and the anchor (empty before the first task).
  const std::vector<at::Tensor>& fisher() const { return fisher_; }
  const std::vector<at::Tensor>& anchor() const { return anchor_; }

private:
  std::vector<at::Tensor> fisher_;
  std::vector<at::Tensor> anchor_;
};
} // namespace engram::cl
