#pragma once
// GDumb (Prabhu, Torr & Dokania 2020, "GDumb: A Simple Approach that Questions Our Progress in
// Continual Learning"). A greedy class-balanced sampler fills a memory of buffer_size samples as
// the stream goes by (the paper's Algorithm 1): a sample is stored while the memory has room;
// once it is full, a sample of class y is stored only when its class holds fewer than
// buffer_size / (classes seen) samples, in place of a random sample of the largest class. Nothing
// is learnt from the stream itself: at the end of every task the model is re-initialised and
// trained from scratch on the memory alone (every task, so that the accuracy matrix has a model
// to evaluate after each one; the reference trains once, after the last task). Training as in
// the reference (Mammoth's gdumb.py fit_buffer): SGD with momentum 0.9 and weight decay 1e-6,
// epochs passes over the shuffled memory, the first at lr / 10, then cosine annealing with warm
// restarts (T_0 = 1 epoch, T_mult = 2) from lr down to min_lr, gradients clipped to norm 10 as in
// the paper's code. Cutmix is not applied. The memory is filled from each task's training set in
// one pass, in an order drawn from the run's generator.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

#include <vector>

namespace engram::cl {

struct GdumbOptions {
  /// Samples the class-balanced memory holds.
  TORCH_ARG(int64_t, buffer_size) = 500;
  /// Passes over the memory when the model is trained on it.
  TORCH_ARG(int64_t, epochs) = 256;
  /// Samples per step when training on the memory.
  TORCH_ARG(int64_t, batch_size) = 16;
  /// Largest learning rate of the cosine schedule.
  TORCH_ARG(double, lr) = 0.05;
  /// Smallest learning rate of the cosine schedule.
  TORCH_ARG(double, min_lr) = 0.0005;
};

// The class-balanced memory of GDumb: labels on the host, samples on their device.
class ClassBalancedMemory {
public:
  explicit ClassBalancedMemory(int64_t capacity);
  // Offers the samples of `batch` in order (Algorithm 1 of the paper); random evictions draw from
  // `generator`.
  void add(const Batch& batch, at::Generator& generator);
  int64_t size() const { return static_cast<int64_t>(labels_.size()); }
  int64_t capacity() const { return capacity_; }
  // Stored samples per label (index: label).
  std::vector<int64_t> class_counts() const;
  Batch contents() const { return store_; }
  void save(torch::serialize::OutputArchive& archive, const std::string& prefix) const;
  void load(torch::serialize::InputArchive& archive, const std::string& prefix);

private:
  int64_t capacity_;
  std::vector<int64_t> labels_; // label of each stored row
  Batch store_;                 // size() rows
};

class GdumbStrategy : public StrategyWithOptions<GdumbOptions> {
public:
  explicit GdumbStrategy(GdumbOptions options = {});
  std::string name() const override { return "gdumb"; }
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_task(StrategyContext& ctx, const data::Task& task) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  const ClassBalancedMemory& memory() const { return memory_; }

private:
  ClassBalancedMemory memory_;
};

// The learning rate of GDumb's schedule at `epoch` (0-based): lr / 10 for epoch 0, then cosine
// annealing with warm restarts (T_0 = 1, T_mult = 2) between lr and min_lr.
double gdumb_learning_rate(int64_t epoch, double lr, double min_lr);

} // namespace engram::cl
