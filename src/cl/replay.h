#pragma once
// Experience replay: every batch of the current task is joined by an equal number of samples drawn
// from a reservoir buffer of fixed size (buffer_size) that holds a uniform sample of everything
// seen so far; replayed samples keep their task, so they compete over their scenario's output
// units. The loss, as `weighting` says (t: the tasks trained so far, the current one included):
//   batch     (default) the mean cross-entropy over the joined batch;
//   equal     1/2 * CE(current samples) + 1/2 * CE(replayed samples);
//   vandeven  1/t * CE(current) + (t-1)/t * CE(replayed), as GMvandeVen/continual-learning.
// With as many replayed samples as current ones, batch and equal are the same loss.
#include <engram/cl/reservoir_buffer.h>
#include <engram/cl/strategy.h>

#include <torch/arg.h>

#include <string>

namespace engram::cl {

struct ReplayOptions {
  /// Samples the reservoir buffer holds.
  TORCH_ARG(int64_t, buffer_size) = 1000;
  /// Weighting of the replayed samples' loss: "batch", "equal" or "vandeven" (above).
  TORCH_ARG(std::string, weighting) = "batch";
};

class ReplayStrategy : public StrategyWithOptions<ReplayOptions> {
public:
  explicit ReplayStrategy(ReplayOptions options = {});
  std::string name() const override { return "replay"; }
  Batch compose_batch(StrategyContext& ctx, Batch current) override;
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_step(StrategyContext& ctx, const Batch& batch) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  const ReservoirBuffer& buffer() const { return buffer_; }

private:
  ReservoirBuffer buffer_;
  Batch pending_; // the current-task samples of the latest batch, offered to the buffer after the
                  // step
};
} // namespace engram::cl
