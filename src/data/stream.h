#pragma once
// Continual-learning streams: a dataset cut into a sequence of tasks (split by classes, or the
// whole dataset under a per-task pixel permutation or rotation), and the scenario that says which
// output units a sample may be classified into (van de Ven & Tolias 2019):
//   task-IL   the task id is given: each task owns a block of output units (masked multi-head);
//   domain-IL the task id is not given and need not be inferred: all tasks share the output units;
//   class-IL  the task id must be inferred: one head grows over the classes seen so far.

#include <engram/data/dataset.h>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

namespace engram::data {

enum class Scenario { kTask, kDomain, kClass };

// "task", "domain" or "class" (also "task-il", ...); throws naming the accepted values.
Scenario parse_scenario(const std::string& name);
std::string to_string(Scenario scenario);

// The samples of one task in one split. Images are not copied per task: `indices` select rows of
// the shared dataset tensor and `pixel_map` (when defined) maps each output pixel to a source
// pixel, the index input_dim meaning "black".
struct TaskSplit {
  at::Tensor images;    // float32 [N, D], shared by all tasks
  at::Tensor indices;   // int64 [n] rows of `images`
  at::Tensor targets;   // int64 [n] output unit of each sample under the stream's scenario
  at::Tensor pixel_map; // int64 [D] or undefined

  int64_t size() const { return indices.size(0); }
  // Images [B, D] of the samples at `positions` (int64, indices into 0..size()-1).
  at::Tensor images_at(const at::Tensor& positions) const;
  at::Tensor targets_at(const at::Tensor& positions) const;
};

struct Task {
  int64_t id = 0;
  std::string description;
  TaskSplit train;
  TaskSplit test;
  std::vector<int64_t> units; // output units of this task's head (task-IL)
};

class Stream {
public:
  // `input_shape`: the per-sample shape of the (flat) images, e.g. [1, 28, 28] or [3, 32, 32];
  // empty means [input_dim]. Its product must be input_dim.
  Stream(std::string name, Scenario scenario, int64_t input_dim, int64_t num_outputs,
         std::vector<Task> tasks, std::vector<int64_t> input_shape = {});

  const std::string& name() const { return name_; }
  Scenario scenario() const { return scenario_; }
  int64_t input_dim() const { return input_dim_; }
  // Per-sample shape of the images, [C, H, W] for image datasets ([input_dim] when unknown).
  const std::vector<int64_t>& input_shape() const { return input_shape_; }
  int64_t num_outputs() const { return num_outputs_; }
  int64_t num_tasks() const { return static_cast<int64_t>(tasks_.size()); }
  const Task& task(int64_t t) const;
  const std::vector<Task>& tasks() const { return tasks_; }

  // Bool [num_outputs]: the units a sample of task `sample_task` competes over while the learner
  // is at task `current_task` (task-IL: its own head; domain-IL: all; class-IL: every unit of the
  // tasks up to max(sample_task, current_task)).
  at::Tensor active_units(int64_t sample_task, int64_t current_task) const;
  // Bool [B, num_outputs] for a batch whose samples come from tasks `sample_tasks` (int64 [B]).
  at::Tensor active_mask(const at::Tensor& sample_tasks, int64_t current_task) const;

  // The same stream with every tensor on `device` (images shared by several tasks stay shared:
  // each is copied once). On the device the stream already lives on, the tensors are not copied.
  Stream to(const c10::Device& device) const;
  // The device of its tensors.
  c10::Device device() const;

private:
  std::string name_;
  Scenario scenario_;
  int64_t input_dim_;
  std::vector<int64_t> input_shape_;
  int64_t num_outputs_;
  std::vector<Task> tasks_;
  std::vector<at::Tensor> tables_; // per current task: bool [num_tasks, num_outputs]
};

struct SplitStreamOptions {
  int64_t num_tasks = 5;
  bool shuffle_classes = false; // class order 0..C-1 unless shuffled with `seed`
  uint64_t seed = 0;
};
// Classes partitioned into `num_tasks` consecutive groups of num_classes / num_tasks classes.
Stream make_split_stream(const Dataset& dataset, Scenario scenario,
                         const SplitStreamOptions& options);

struct TransformStreamOptions {
  int64_t num_tasks = 10;
  uint64_t seed = 0;
};
// Task 0 is the unchanged dataset; task t > 0 applies its own fixed random pixel permutation.
Stream make_permuted_stream(const Dataset& dataset, Scenario scenario,
                            const TransformStreamOptions& options);
// Task t rotates every image by t * 180 / num_tasks degrees about its centre (nearest pixel; each
// channel alike).
Stream make_rotated_stream(const Dataset& dataset, Scenario scenario,
                           const TransformStreamOptions& options);

} // namespace engram::data
