#pragma once
// Diagonal Fisher information of the model's parameters on a task: the mean over samples of the
// squared gradient of log p(y|x), y being the model's own prediction (the "true" Fisher, sampled at
// the mode, as in van de Ven et al.'s EWC implementation), over the task's active output units.
#include "strategy.h"

namespace engram::cl {
std::vector<at::Tensor> diagonal_fisher(StrategyContext& ctx, const data::Task& task,
                                        int64_t samples);

// sum_i weight_i * (theta_i - anchor_i)^2 over the model's parameters.
at::Tensor quadratic_penalty(const std::vector<at::Tensor>& params,
                             const std::vector<at::Tensor>& weights,
                             const std::vector<at::Tensor>& anchors);
} // namespace engram::cl
