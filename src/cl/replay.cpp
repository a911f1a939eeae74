#include <engram/cl/replay.h>
#include <engram/cl/strategy_registry.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(ReplayStrategy, "replay",
                         "experience replay: each batch joined by as many samples from a reservoir "
                         "buffer (uniform over everything seen)",
                         ENGRAM_STRATEGY_OPTION(buffer_size,
                                                OptionRange::closed(1, kMaxBufferSize)));

ReplayStrategy::ReplayStrategy(ReplayOptions options_)
    : StrategyWithOptions(std::move(options_)), buffer_(options.buffer_size()) {}

Batch ReplayStrategy::compose_batch(StrategyContext& ctx, Batch current) {
  pending_ = current;
  return concat_batches(current, buffer_.sample(current.size(), ctx.generator));
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
