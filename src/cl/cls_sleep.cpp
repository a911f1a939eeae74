#include <engram/cl/cls_sleep.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <cmath>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(
    ClsSleepStrategy, "cls-sleep",
    "complementary learning systems (McClelland, McNaughton & O'Reilly 1995): focused awake "
    "training (scaled by wake_weight) while a hippocampal store keeps the day's episodes and a "
    "long-term reservoir; after each task a sleep phase of sleep_iterations steps replays them to "
    "the cortex, recent_fraction of each batch from the day, the rest old reactivations",
    ENGRAM_STRATEGY_OPTION(buffer_size, OptionRange::closed(1, kMaxBufferSize)),
    ENGRAM_STRATEGY_OPTION(sleep_iterations, OptionRange::closed(0, 1e9)),
    ENGRAM_STRATEGY_OPTION(sleep_batch_size, OptionRange::closed(1, kMaxBatchSize)),
    ENGRAM_STRATEGY_OPTION(recent_fraction, OptionRange::closed(0, 1)),
    ENGRAM_STRATEGY_OPTION(wake_weight, OptionRange::closed(0, 1)));

ClsSleepStrategy::ClsSleepStrategy(ClsSleepOptions options_)
    : StrategyWithOptions(std::move(options_)), recent_(options.buffer_size()),
      store_(options.buffer_size()) {}

void ClsSleepStrategy::before_task(StrategyContext&, const data::Task&) {
  recent_ = ReservoirBuffer(options.buffer_size()); // a new day
}

at::Tensor ClsSleepStrategy::before_backward(StrategyContext&, const Batch&, const at::Tensor&,
                                             at::Tensor loss) {
  return options.wake_weight() == 1.0 ? loss : loss * options.wake_weight();
}

void ClsSleepStrategy::after_step(StrategyContext& ctx, const Batch& batch) {
  recent_.add(batch, ctx.generator);
  store_.add(batch, ctx.generator);
}

void ClsSleepStrategy::sleep(StrategyContext& ctx) {
  if (recent_.size() == 0 || options.sleep_iterations() == 0)
    return;
  const int64_t n = options.sleep_batch_size();
  const auto from_recent =
      static_cast<int64_t>(std::lround(options.recent_fraction() * static_cast<double>(n)));
  for (int64_t it = 0; it < options.sleep_iterations(); ++it) {
    Batch replay;
    if (from_recent == n)
      replay = recent_.sample(n, ctx.generator);
    else if (from_recent == 0)
      replay = store_.sample(n, ctx.generator);
    else
      replay = concat_batches(recent_.sample(from_recent, ctx.generator),
                              store_.sample(n - from_recent, ctx.generator));
    ctx.optimizer->zero_grad();
    ctx.loss(replay).backward();
    ctx.optimizer->step();
    ++sleep_steps_;
  }
}

void ClsSleepStrategy::after_task(StrategyContext& ctx, const data::Task&) {
  sleep(ctx);
}

void ClsSleepStrategy::save(torch::serialize::OutputArchive& a) const {
  recent_.save(a, "cls_sleep.recent");
  store_.save(a, "cls_sleep.store");
  io::write_int(a, "cls_sleep.sleep_steps", sleep_steps_);
}

void ClsSleepStrategy::load(torch::serialize::InputArchive& a) {
  recent_.load(a, "cls_sleep.recent");
  store_.load(a, "cls_sleep.store");
  sleep_steps_ = io::read_int(a, "cls_sleep.sleep_steps");
}

} // namespace engram::cl
