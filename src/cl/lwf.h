#pragma once
// Learning without Forgetting (Li & Hoiem 2017), as in van de Ven et al.: a frozen copy of the
// model from the end of the previous task labels the current inputs; the loss is
//   1/(t+1) * CE(current) + t/(t+1) * T^2 * KL-style distillation at temperature T
// over the previous tasks' output units (task-IL: each previous head; class-IL: all previous
// classes; domain-IL: all units).
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct LwfOptions {
  /// Temperature T of the distillation softmax.
  TORCH_ARG(double, temperature) = 2;
};

class LwfStrategy : public StrategyWithOptions<LwfOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "lwf"; }
  void before_task(StrategyContext& ctx, const data::Task& task) override;
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;

private:
  models::Network teacher_{nullptr};
};

// Distillation loss T^2 * mean_b sum_k softmax(teacher/T)_k * -log_softmax(student/T)_k over the
// units where `mask` (bool [B, O]) is true.
at::Tensor distillation_loss(const at::Tensor& student, const at::Tensor& teacher,
                             const at::Tensor& mask, double temperature);
} // namespace engram::cl
