#pragma once
// BatchNorm2d for continual learning. Batch statistics are a known pitfall when the data
// distribution changes from task to task: running means and variances estimated on the current
// task drift away from the earlier tasks', so an earlier task is evaluated with statistics it was
// never trained with. ContinualBatchNorm2d makes the choice explicit:
//   kRunning                standard BatchNorm: in training mode it normalises with the batch's
//                           statistics and updates the running ones, on every task;
//   kFrozenAfterFirstTask   on task 0 as kRunning; from task 1 on the running statistics are
//                           frozen: training normalises with them (as evaluation does) and never
//                           updates them. The affine weight and bias keep training.
// With `frozen` the whole layer is fixed (weight, bias and statistics), for pre-trained feature
// extractors: gradients flow through it to the layers before, never into it.
// The task comes from Network::begin_task (TaskBoundaryHook), which the trainer calls before each
// task, also when a run resumes, so the state is a function of the task index and needs no
// checkpoint entry of its own.

#include <engram/models/layer_registry.h>
#include <engram/models/network.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/pimpl.h>

#include <map>
#include <string>

namespace engram::models {

enum class BatchNormStats { kRunning, kFrozenAfterFirstTask };
// "running" | "frozen_after_first_task"
const char* to_string(BatchNormStats stats);
// Throws naming `what`, the accepted names and the value.
BatchNormStats parse_batch_norm_stats(const std::string& name, const std::string& what);

struct ContinualBatchNorm2dOptions {
  explicit ContinualBatchNorm2dOptions(int64_t num_features) : num_features_(num_features) {}
  /// Channels C of the [B, C, H, W] input (>= 1).
  TORCH_ARG(int64_t, num_features);
  /// Weight of the newest batch in the running statistics, in [0, 1].
  TORCH_ARG(double, momentum) = 0.1;
  /// Added to the variance before the square root (> 0).
  TORCH_ARG(double, eps) = 1e-5;
  /// What happens to the running statistics across tasks.
  TORCH_ARG(BatchNormStats, stats) = BatchNormStats::kRunning;
  /// Weight, bias and statistics fixed from the start (a pre-trained, frozen layer).
  TORCH_ARG(bool, frozen) = false;
};

class ContinualBatchNorm2dImpl : public torch::nn::Cloneable<ContinualBatchNorm2dImpl>,
                                 public TaskBoundaryHook {
public:
  explicit ContinualBatchNorm2dImpl(const ContinualBatchNorm2dOptions& options);
  void reset() override;
  void reset_parameters();
  // x: [B, C, H, W] -> [B, C, H, W].
  at::Tensor forward(const at::Tensor& x);
  void begin_task(int64_t task) override;
  // Whether training-mode forwards currently leave the running statistics unchanged.
  bool stats_frozen() const { return options.frozen() || stats_frozen_; }
  void pretty_print(std::ostream& stream) const override;

  ContinualBatchNorm2dOptions options;
  torch::nn::BatchNorm2d bn{nullptr};

private:
  bool stats_frozen_ = false;
};
TORCH_MODULE(ContinualBatchNorm2d);

// Adds "batchnorm2d" to a layer-type table.
void add_batch_norm_layer_types(std::map<std::string, LayerType>& types);

} // namespace engram::models
