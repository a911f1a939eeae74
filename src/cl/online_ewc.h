#pragma once
// Online EWC (Schwarz et al. 2018): one running Fisher F <- gamma * F + F_t and one anchor (the
// parameters after the latest task); penalty lambda/2 * sum_i F_i (theta_i - theta*_i)^2.
// Hyperparameters: lambda, gamma, fisher_samples.
#include "strategy.h"

namespace engram::cl {
class OnlineEwcStrategy : public Strategy {
public:
  using Strategy::Strategy;
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
