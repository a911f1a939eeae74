#pragma once
// A Hebbian readout: the linear head is not trained by backprop but is the associative memory of
// an instar rule (Grossberg 1976). Each output unit c holds the running mean mu_c of the features
// of the samples labelled c (eta = 1 / n_c, so mu_c is the exact mean of all of them), and reads
// out mu_c . h - |mu_c|^2 / 2, i.e. -|h - mu_c|^2 / 2 up to a term common to all units: a
// nearest-class-mean classifier. A sample only moves its own unit's weights, so learning new
// classes does not overwrite old ones in the readout.
// The body is trained by backprop (through an ordinary trained head) during the first body_tasks
// tasks only and is frozen afterwards (evaluation mode, no gradient), which also stops the local
// learning of a Hebbian body; body_tasks = 0 keeps the initial features. A Hebbian body has no
// gradient, so for it the body tasks are those of unsupervised local learning. When a body task
// ends, the features moved under the class means, so these are rebuilt from one pass over that
// task's training data.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct HebbianReadoutOptions {
  /// Tasks during which the body learns before it is frozen (0: the initial features).
  TORCH_ARG(int64_t, body_tasks) = 1;
};

class HebbianReadoutStrategy : public StrategyWithOptions<HebbianReadoutOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "hebbian-readout"; }
  void begin(StrategyContext& ctx) override;
  void before_task(StrategyContext& ctx, const data::Task& task) override;
  Batch compose_batch(StrategyContext& ctx, Batch current) override;
  void after_backward(StrategyContext& ctx, const Batch& batch) override;
  void after_step(StrategyContext& ctx, const Batch& batch) override;
  void after_task(StrategyContext& ctx, const data::Task& task) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  // Per output unit: feature sums [num_outputs, width] and sample counts [num_outputs].
  const at::Tensor& sums() const { return sums_; }
  const at::Tensor& counts() const { return counts_; }

private:
  bool body_trains(int64_t task) const;
  void freeze_body(StrategyContext& ctx) const;
  void accumulate(StrategyContext& ctx, const at::Tensor& x, const at::Tensor& y);
  void write_head(StrategyContext& ctx) const;

  at::Tensor sums_, counts_;
};
} // namespace engram::cl
