#pragma once
// Averaged Gradient Episodic Memory (Chaudhry et al. 2019). After each task, some of its training
// samples join an episodic memory of at most buffer_size samples, as `budget` says:
//   per-task   (default) buffer_size / T samples drawn uniformly from the task (Mammoth's A-GEM);
//   per-class  buffer_size / (T * k) samples of each of the task's k classes (its output units
//              under the scenario), a per-class budget as in GMvandeVen/continual-learning's
//              current code. While training later tasks, the gradient g of the
// current batch is compared with the gradient g_ref of a memory batch (reference_batch samples);
// when they conflict (g . g_ref < 0), g is projected onto the half-space where they agree:
//   g <- g - (g . g_ref) / (g_ref . g_ref) * g_ref.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

#include <string>

namespace engram::cl {

// The A-GEM projection of flat gradient `g` against flat reference `g_ref`.
at::Tensor agem_project(const at::Tensor& g, const at::Tensor& g_ref);

struct AgemOptions {
  /// Samples the episodic memory holds over all tasks (buffer_size / T per task).
  TORCH_ARG(int64_t, buffer_size) = 1000;
  /// Memory samples in the batch whose gradient is the reference g_ref.
  TORCH_ARG(int64_t, reference_batch) = 256;
  /// How the memory is shared out: "per-task" or "per-class" (above).
  TORCH_ARG(std::string, budget) = "per-task";
};

class AgemStrategy : public StrategyWithOptions<AgemOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "agem"; }
  void after_backward(StrategyContext& ctx, const Batch& batch) override;
  void after_task(StrategyContext& ctx, const data::Task& task) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  int64_t memory_size() const { return memory_.x.defined() ? memory_.size() : 0; }
  // The episodic memory (empty before the first task ends).
  const Batch& memory() const { return memory_; }

private:
  Batch memory_;
};
} // namespace engram::cl
