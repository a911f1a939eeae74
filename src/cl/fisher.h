#pragma once
// Diagonal Fisher information of the model's parameters on a task, over the task's active output
// units:  F_i = 1/N sum_n E_y [ (d/dtheta_i log p(y|x_n))^2 ],  where the labels y are
//   exact      the expectation over every active label, weighted by the model's predicted
//              probabilities p(y|x_n): the Fisher information matrix's diagonal itself (the current
//              default of GMvandeVen/continual-learning, `--fisher-labels all`);
//   argmax     the model's most probable label (its 2019 code): one label per sample, so only an
//              approximation of the Fisher (exact when the model is certain);
//   empirical  the sample's data label: the "empirical Fisher" (Kunstner et al. 2019), a different
//              quantity from the Fisher;
//   sampled    one label drawn from p(y|x_n): an unbiased one-sample estimate of the exact value.
// The model is evaluated in eval mode (the references' choice) or in training mode. In eval mode
// the squared per-sample gradients of every torch::nn::Linear layer come from one forward and one
// backward per label over a batch (gradient = outer product of the layer's output gradient and its
// input); other parameters (convolutions, plastic layers, ...) by one pass per sample. In training
// mode, where a layer may couple the samples of a batch (batch norm), every sample gets its own
// pass.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

#include <string>

namespace engram::cl {

struct FisherOptions {
  /// Labels the squared gradients are taken at: "exact", "argmax", "empirical" or "sampled".
  TORCH_ARG(std::string, labels) = "exact";
  /// Training samples of the task the Fisher is estimated on (all of them when fewer).
  TORCH_ARG(int64_t, samples) = 500;
  /// Evaluate the model in eval mode (true) or in training mode.
  TORCH_ARG(bool, eval_mode) = true;
  /// Samples per batched pass (eval mode).
  TORCH_ARG(int64_t, batch_size) = 128;
};

// The names FisherOptions::labels accepts, in the order of the strategies' `fisher_labels` option.
const std::vector<std::string>& fisher_label_names();

// The Fisher over `samples` training samples of `task` drawn with ctx.generator, as above.
std::vector<at::Tensor> diagonal_fisher(StrategyContext& ctx, const data::Task& task,
                                        const FisherOptions& options);
// The same, with the default labels and mode (exact, eval mode).
std::vector<at::Tensor> diagonal_fisher(StrategyContext& ctx, const data::Task& task,
                                        int64_t samples);

// The sum over the samples of `x` (not the mean) of the squared gradients of log p(y|x) of
// `model`'s parameters (in the order of model.parameters()), y as options.labels() says; `forward`
// gives the logits of `model` for inputs of tasks `task_ids`, `mask` (bool [B, O]) the active units
// of each sample, `y` the data labels (used by "empirical"), `generator` the draws of "sampled".
// The model's mode is the caller's; options.eval_mode() decides only whether linear layers are
// batched. Parameters that do not require a gradient get 0.
std::vector<at::Tensor>
fisher_sum(models::NetworkImpl& model,
           const std::function<at::Tensor(const at::Tensor& x, const at::Tensor& task)>& forward,
           const at::Tensor& x, const at::Tensor& task_ids, const at::Tensor& y,
           const at::Tensor& mask, const FisherOptions& options, at::Generator& generator);

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
// `penalty` with one more task's penalty (`weights`, `anchors`) added, as consolidate_penalties of
// all of them would give (to rounding): what EWC keeps, O(P) whatever the number of tasks.
ConsolidatedPenalty add_penalty(const ConsolidatedPenalty& penalty,
                                const std::vector<at::Tensor>& weights,
                                const std::vector<at::Tensor>& anchors);
} // namespace engram::cl
