#pragma once
// Diagonal Fisher information of the model's parameters on a task: the mean over samples of the
// squared gradient of log p(y|x), y being the model's own prediction (the "true" Fisher, sampled at
// the mode, as in van de Ven et al.'s EWC implementation), over the task's active output units.
#include <engram/cl/strategy.h>

namespace engram::cl {
std::vector<at::Tensor> diagonal_fisher(StrategyContext& ctx, const data::Task& task,
                                        int64_t samples);

// sum_i weight_i * (theta_i - anchor_i)^2 over the model's parameters.
at::Tensor quadratic_penalty(const std::vector<at::Tensor>& params,
                             const std::vector<at::Tensor>& weights,
                             const std::vector<at::Tensor>& anchors);

// Several quadratic penalties as one: sum_k F_k (theta - a_k)^2 = A (theta - m)^2 + offset with
// A = sum_k F_k, m = sum_k F_k a_k / A (0 where A = 0) and a constant offset, so that a penalty
// over many tasks costs one pass over the parameters instead of one per task.
struct ConsolidatedPenalty {
  std::vector<at::Tensor> weights; // A
  std::vector<at::Tensor> anchors; // m
  double offset = 0;
};
ConsolidatedPenalty consolidate_penalties(const std::vector<std::vector<at::Tensor>>& weights,
                                          const std::vector<std::vector<at::Tensor>>& anchors);
} // namespace engram::cl
