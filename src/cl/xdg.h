#pragma once
// Context-dependent gating (XdG; Masse, Grant & Freedman 2018): each task gets a fixed random
// subset of hidden units in every gated layer, the other gated_fraction of them being silenced,
// so tasks train largely disjoint sub-networks. Needs the task id at test time: task-IL only.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct XdgOptions {
  /// Fraction of each gated layer's hidden units silenced for a task.
  TORCH_ARG(double, gated_fraction) = 0.8;
};

class XdgStrategy : public StrategyWithOptions<XdgOptions> {
public:
  // The gates are drawn from `seed`.
  XdgStrategy(XdgOptions options, uint64_t seed);
  std::string name() const override { return "xdg"; }
  std::string unsupported_reason(data::Scenario scenario) const override;
  void begin(StrategyContext& ctx) override;
  std::vector<at::Tensor> context_gates(const at::Tensor& task) const override;
  // gates()[l]: float [num_tasks, width_l] of 0/1.
  const std::vector<at::Tensor>& gates() const { return gates_; }

private:
  uint64_t seed_;
  std::vector<at::Tensor> gates_;
};
} // namespace engram::cl
