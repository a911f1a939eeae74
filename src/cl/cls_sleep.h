#pragma once
// Complementary learning systems with sleep (McClelland, McNaughton & O'Reilly 1995): a fast
// hippocampal store and the slow cortical network (the model being trained). While awake the
// cortex learns each task's batches as they come (focused training, scaled by wake_weight; 0 leaves
// all cortical learning to sleep), and the hippocampus stores the episodes in one shot: the
// day's episodes (a reservoir of the current task) and a long-term reservoir over everything seen.
// After each task a sleep phase replays stored episodes to the cortex: sleep_iterations steps of
// the optimizer on batches that interleave the day's episodes (recent_fraction of each batch) with
// reactivations of old ones drawn from the long-term store, so that new learning does not
// overwrite the old (interleaved learning instead of focused learning).
// Reactivations are stored items, not generated ones.
#include <engram/cl/reservoir_buffer.h>
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct ClsSleepOptions {
  /// Episodes the hippocampal store holds (both the day's and the long-term reservoir).
  TORCH_ARG(int64_t, buffer_size) = 1000;
  /// Optimizer steps of each sleep phase (0: no sleep).
  TORCH_ARG(int64_t, sleep_iterations) = 200;
  /// Episodes per sleep step.
  TORCH_ARG(int64_t, sleep_batch_size) = 64;
  /// Share of a sleep batch replayed from the day's episodes; the rest are old reactivations.
  TORCH_ARG(double, recent_fraction) = 0.5;
  /// Scale of the awake (focused) loss: 1 learns while awake, 0 only during sleep.
  TORCH_ARG(double, wake_weight) = 1.0;
};

class ClsSleepStrategy : public StrategyWithOptions<ClsSleepOptions> {
public:
  explicit ClsSleepStrategy(ClsSleepOptions options = {});
  std::string name() const override { return "cls-sleep"; }
  void before_task(StrategyContext& ctx, const data::Task& task) override;
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_step(StrategyContext& ctx, const Batch& batch) override;
  void after_task(StrategyContext& ctx, const data::Task& task) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  const ReservoirBuffer& recent() const { return recent_; }
  const ReservoirBuffer& store() const { return store_; }
  int64_t sleep_steps_done() const { return sleep_steps_; }

private:
  void sleep(StrategyContext& ctx);

  ReservoirBuffer recent_, store_;
  int64_t sleep_steps_ = 0;
};

} // namespace engram::cl
