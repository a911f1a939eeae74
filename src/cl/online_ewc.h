#pragma once
// Online EWC (Schwarz et al. 2018): one running Fisher F <- gamma * F + F_t and one anchor (the
// parameters after the latest task); penalty lambda/2 * sum_i F_i (theta_i - theta*_i)^2.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct OnlineEwcOptions {
  /// Strength of the penalty (lambda above).
  TORCH_ARG(double, lambda) = 10000;
  /// Decay of the running Fisher at each task boundary (1: no decay).
  TORCH_ARG(double, gamma) = 1;
  /// Samples of the task's training data over which the diagonal Fisher is estimated.
  TORCH_ARG(int64_t, fisher_samples) = 500;
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

private:
  std::vector<at::Tensor> fisher_;
  std::vector<at::Tensor> anchor_;
};
} // namespace engram::cl
