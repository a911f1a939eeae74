#include "replay.h"

namespace engram::cl {

ReplayStrategy::ReplayStrategy(Hyperparameters hp)
    : Strategy(std::move(hp)), buffer_(static_cast<int64_t>(this->hp("buffer_size"))) {}

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
