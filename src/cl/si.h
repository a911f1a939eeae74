#pragma once
// Synaptic Intelligence (Zenke, Poole & Ganguli 2017): each parameter's contribution to the drop
// in loss is integrated along the training path, w_i += -g_i * delta_theta_i at every step; at the
// end of a task the importance grows by Omega_i += w_i / (Delta_i^2 + xi), Delta_i being the
// parameter's change over the task, and training minimises loss + c * sum_i Omega_i (theta_i -
// theta*_i)^2.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct SiOptions {
  /// Strength of the penalty (c above).
  TORCH_ARG(double, c) = 500;
  /// Damping of the importance, keeping it finite where a parameter hardly moved (xi above).
  TORCH_ARG(double, xi) = 0.1;
};

class SiStrategy : public StrategyWithOptions<SiOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "si"; }
  void before_task(StrategyContext& ctx, const data::Task& task) override;
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_step(StrategyContext& ctx, const Batch& batch) override;
  void after_task(StrategyContext& ctx, const data::Task& task) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

private:
  std::vector<at::Tensor> omega_;    // consolidated importance
  std::vector<at::Tensor> anchor_;   // parameters at the start of the current task
  std::vector<at::Tensor> path_;     // running path integral w over the current task
  std::vector<at::Tensor> previous_; // parameters before the latest step
};
} // namespace engram::cl
