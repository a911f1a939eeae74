#include <engram/cl/replay.h>
#include <engram/cl/strategy_registry.h>

#include <ATen/ATen.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(ReplayStrategy, "replay",
                         "experience replay: each batch joined by as many samples from a reservoir "
                         "buffer (uniform over everything seen, no duplicates); replayed loss "
                         "`weighting` batch, equal or vandeven ((t-1)/t)",
                         ENGRAM_STRATEGY_OPTION(buffer_size,
                                                OptionRange::closed(1, kMaxBufferSize)),
                         ENGRAM_STRATEGY_CHOICE(weighting, "batch", "equal", "vandeven"));

ReplayStrategy::ReplayStrategy(ReplayOptions options_)
    : StrategyWithOptions(std::move(options_)), buffer_(options.buffer_size()) {}

Batch ReplayStrategy::compose_batch(StrategyContext& ctx, Batch current) {
  pending_ = current;
  return concat_batches(current, buffer_.sample(current.size(), ctx.generator));
}

at::Tensor ReplayStrategy::before_backward(StrategyContext& ctx, const Batch& batch,
                                           const at::Tensor& logits, at::Tensor loss) {
  const int64_t current = pending_.x.defined() ? pending_.size() : batch.size();
  const int64_t replayed = batch.size() - current;
  if (options.weighting() == "batch" || replayed <= 0)
    return loss;
  // Per-sample cross-entropy over each sample's active units, as the trainer's loss.
  const at::Tensor active = ctx.stream->active_mask(batch.task, ctx.task);
  const at::Tensor nll = -at::log_softmax(logits.masked_fill(active.logical_not(), -1e9), 1)
                              .gather(1, batch.y.unsqueeze(1))
                              .squeeze(1);
  const at::Tensor current_loss = nll.narrow(0, 0, current).mean();
  const at::Tensor replayed_loss = nll.narrow(0, current, replayed).mean();
  const double w = options.weighting() == "equal" ? 0.5 : 1.0 / static_cast<double>(ctx.task + 1);
  return w * current_loss + (1.0 - w) * replayed_loss;
}

void ReplayStrategy::after_step(StrategyContext& ctx, const Batch&) {
  buffer_.add(pending_, ctx.generator);
  pending_ = Batch{};
}

void ReplayStrategy::save(torch::serialize::OutputArchive& a) const {
  buffer_.save(a, "replay.buffer");
}

void ReplayStrategy::load(torch::serialize::InputArchive& a) {
  buffer_.load(a, "replay.buffer");
}

} // namespace engram::cl
