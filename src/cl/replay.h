#pragma once
// Experience replay: every batch of the current task is joined by an equal number of samples drawn
// from a reservoir buffer of fixed size (buffer_size) that holds a uniform sample of everything
// seen so far; replayed samples keep their task, so they compete over their scenario's output
// units.
#include <engram/cl/reservoir_buffer.h>
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct ReplayOptions {
  /// Samples the reservoir buffer holds.
  TORCH_ARG(int64_t, buffer_size) = 1000;
};

class ReplayStrategy : public StrategyWithOptions<ReplayOptions> {
public:
  explicit ReplayStrategy(ReplayOptions options = {});
  std::string name() const override { return "replay"; }
  Batch compose_batch(StrategyContext& ctx, Batch current) override;
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
