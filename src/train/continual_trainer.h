#pragma once
// Trains a network on a stream of tasks under a strategy and measures what it forgets: the
// accuracy matrix R[i][j] (task j after training task i, every j), the random-init baseline, wall
// time per task. A checkpoint after each task (atomic) holds everything the rest of the run depends
// on (weights, optimizer, strategy state, the sampling generator, results so far), so a resumed run
// finishes with exactly the numbers of an uninterrupted one.

#include <engram/cl/metrics.h>
#include <engram/cl/strategy.h>
#include <engram/data/stream.h>
#include <engram/models/network.h>

#include <c10/core/Device.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace engram::train {

struct Progress {
  int64_t task = 0;
  int64_t num_tasks = 0;
  int64_t iteration = 0; // 1-based within the task
  int64_t iterations = 0;
  double loss = 0;
  double elapsed_s = 0; // since this process started the run
  double eta_s = 0;     // for the rest of the run
  // Estimated seconds the evaluations still to come will take (the accuracy matrix is T x T:
  // its cost grows as T^2 unless eval_every / eval_seen_only thin it out).
  double eval_eta_s = 0;
};

struct TrainerConfig {
  int64_t iterations = 200; // per task
  int64_t batch_size = 128;
  double lr = 1e-3;
  std::string optimizer = "adam"; // adam (betas 0.9, 0.999) | sgd
  uint64_t seed = 0;
  int64_t eval_batch = 2000;
  // The accuracy matrix's rows are evaluated after every `eval_every`-th task and after the last;
  // rows in between are not evaluated (NaN, "n/a"). With `eval_seen_only`, a row holds the tasks
  // seen so far and the next one (which forward transfer needs); the later cells are NaN.
  // Metrics that need a cell that was not evaluated are NaN (n/a).
  int64_t eval_every = 1;
  bool eval_seen_only = false;
  // With eval_during = N > 0, the accuracy on every task trained so far (the current one included)
  // is also measured every N iterations while a task trains (--eval-during): the dip at a task
  // switch is the stability gap (De Lange et al. 2023). Not counted in task_seconds.
  int64_t eval_during = 0;
  std::string checkpoint; // written after every task when non-empty
  bool resume = false;    // continue from `checkpoint` when it exists
  int64_t stop_after_task =
      -1;                  // stop once this task is trained and checkpointed (simulates a kill)
  std::string fingerprint; // must match the checkpoint's on resume
  // Where the model, optimizer state, stream (copied there once), strategy state and sampling
  // generator live. Not part of the fingerprint: a checkpoint resumes on any device.
  c10::Device device = c10::Device(c10::kCPU);
  std::function<void(const Progress&)> on_progress;
  // When set, every training batch (after the strategy composed it) passes through it, with the
  // run's sampling generator (data/augmentation.h; --augment).
  std::function<at::Tensor(const at::Tensor& x, at::Generator& generator)> augment_batch;
  // A model-level learning rule (engram/train/learning_rule.h: ModelGradientFn). When set, the
  // task loss's gradient comes from it: it sets the parameters' .grad for the batch (the network,
  // its inputs, the task loss as a function of the logits); the part of the loss a strategy adds
  // (before_backward's loss minus the task loss) is differentiated by autograd and added. The
  // rule sees no context gates: a strategy that gates (XdG) is refused.
  std::function<void(models::NetworkImpl& net, const at::Tensor& x,
                     const std::function<at::Tensor(const at::Tensor& logits)>& task_loss)>
      model_gradient;
  // Batch Manhattan (Liao et al. 2016): each gradient is replaced by its sign before the step.
  bool batch_manhattan = false;
};

// One measurement of TrainerConfig::eval_during: after `iteration` iterations (1-based) of task
// `task`, the test accuracy on tasks 0..task.
struct EvalDuringPoint {
  int64_t task = 0;
  int64_t iteration = 0;
  std::vector<double> accuracy; // task + 1 entries
};

struct RunResult {
  cl::AccuracyMatrix accuracy; // rows of completed tasks, each num_tasks long
  // TrainerConfig::eval_during's measurements of the tasks trained by this process, in order.
  std::vector<EvalDuringPoint> eval_during;
  std::vector<double> random_init_accuracy; // per task
  std::vector<double> task_seconds;         // training + strategy hooks, per task
  std::vector<double> final_loss;           // mean loss over the last 10% of each task's iterations
  cl::ContinualMetrics metrics;             // valid when complete()
  double total_seconds = 0;
  // Peak resident memory of the process so far; on resume, of the earlier processes if higher.
  double peak_rss_mb = 0;
  int64_t resumed_from = 0; // tasks already done in the checkpoint this run started from
  int64_t num_tasks = 0;
  std::string device;            // this run's device, as device_name() writes it
  std::string checkpoint_device; // the device of the checkpoint resumed from (empty: none)
  // The checkpoint was written on another device than this run's. The run continues with the same
  // batches (the sampling generator is a CPU one everywhere), but not bit-identically to an
  // uninterrupted run: kernels round differently on different devices (docs/devices.md).
  bool resumed_on_other_device = false;
  bool complete() const { return static_cast<int64_t>(accuracy.size()) == num_tasks; }
};

RunResult run_continual(const data::Stream& stream, cl::Strategy& strategy,
                        const std::function<models::Network()>& make_model,
                        const TrainerConfig& config);

// Test accuracy on each task for a learner at `current_task` (units active per the scenario).
// Runs on the stream's device in batches of `eval_batch`, and waits for the device once. Only the
// first `num_evaluated` tasks are evaluated (all when < 0); the others are NaN.
std::vector<double> evaluate_tasks(models::NetworkImpl& model, const cl::Strategy& strategy,
                                   const data::Stream& stream, int64_t current_task,
                                   int64_t eval_batch, int64_t num_evaluated = -1);

// Peak resident set size of this process in MiB (getrusage).
double peak_rss_mb();

} // namespace engram::train
