#pragma once
// The training loop shared by the sequence-task tests and example programs: Adam on masked
// cross-entropy with per-element gradient clipping, then accuracy on a fresh batch.
#include <engram/tasks/memory_tasks.h>

#include <functional>
#include <vector>

namespace engram::tasks {

/// Maps inputs [T, B, I] to logits [T, B, C].
using SequenceModel = std::function<at::Tensor(const at::Tensor&)>;
/// Draws a fresh batch of the given size.
using SequenceTask = std::function<SequenceBatch(int64_t)>;

struct SequenceTrainingOptions {
  int64_t iterations = 1000;
  int64_t batch = 32;
  double lr = 1e-3;
  /// Gradients are clamped element-wise to [-grad_clip, grad_clip]; 0 disables.
  double grad_clip = 1.0;
  int64_t eval_batch = 512;
  /// Calls `progress` every this many iterations; 0 never.
  int64_t log_every = 0;
};

/// Called with (iteration, loss, accuracy on the training batch).
using SequenceTrainingProgress = std::function<void(int64_t, double, double)>;

/// Trains `params` of `model` on batches of `task`; returns the accuracy on one fresh batch of
/// eval_batch sequences.
double train_sequence_model(const SequenceModel& model, const std::vector<at::Tensor>& params,
                            const SequenceTask& task, const SequenceTrainingOptions& options,
                            const SequenceTrainingProgress& progress = {});

} // namespace engram::tasks
