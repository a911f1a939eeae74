#pragma once
// Averaged Gradient Episodic Memory (Chaudhry et al. 2019). After each task, buffer_size / T of its
// training samples join an episodic memory. While training later tasks, the gradient g of the
// current batch is compared with the gradient g_ref of a memory batch (reference_batch samples);
// when they conflict (g . g_ref < 0), g is projected onto the half-space where they agree:
//   g <- g - (g . g_ref) / (g_ref . g_ref) * g_ref.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

// The A-GEM projection of flat gradient `g` against flat reference `g_ref`.
at::Tensor agem_project(const at::Tensor& g, const at::Tensor& g_ref);

struct AgemOptions {
  /// Samples the episodic memory holds over all tasks (buffer_size / T per task).
  TORCH_ARG(int64_t, buffer_size) = 1000;
  /// Memory samples in the batch whose gradient is the reference g_ref.
  TORCH_ARG(int64_t, reference_batch) = 256;
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

private:
  Batch memory_;
};
} // namespace engram::cl
