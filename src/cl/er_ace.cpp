#include <engram/cl/er_ace.h>
#include <engram/cl/strategy_registry.h>

#include <ATen/ATen.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(
    ErAceStrategy, "er-ace",
    "Caccia et al. 2022 (Mammoth er_ace.py): from task 2 on, the incoming "
    "batch's CE covers only the classes present in it; plus the full CE of a "
    "replay minibatch from a reservoir buffer (replay_batch 0: as large as the "
    "batch)",
    ENGRAM_STRATEGY_OPTION(buffer_size, OptionRange::closed(1, kMaxBufferSize)),
    ENGRAM_STRATEGY_OPTION(replay_batch, OptionRange::closed(0, kMaxBatchSize)));

at::Tensor asymmetric_cross_entropy(const at::Tensor& logits, const at::Tensor& targets,
                                    const at::Tensor& active) {
  // Decided on the device: the present units are scattered from the targets.
  const at::Tensor present =
      at::zeros({logits.size(1)}, active.options()).index_fill_(0, targets, true);
  const at::Tensor keep = active.logical_and(present.unsqueeze(0));
  return at::nll_loss(at::log_softmax(logits.masked_fill(keep.logical_not(), -1e9), 1), targets);
}

ErAceStrategy::ErAceStrategy(ErAceOptions options_)
    : StrategyWithOptions(std::move(options_)), buffer_(options.buffer_size()) {}

Batch ErAceStrategy::compose_batch(StrategyContext&, Batch current) {
  pending_ = current;
  return current;
}

at::Tensor ErAceStrategy::before_backward(StrategyContext& ctx, const Batch& batch,
                                          const at::Tensor& logits, at::Tensor loss) {
  if (ctx.task == 0)
    return loss;
  const at::Tensor incoming =
      asymmetric_cross_entropy(logits, batch.y, ctx.stream->active_mask(batch.task, ctx.task));
  const Batch replayed = buffer_.sample(
      options.replay_batch() > 0 ? options.replay_batch() : batch.size(), ctx.generator);
  if (!replayed.x.defined() || replayed.size() == 0)
    return incoming;
  return incoming + ctx.loss(replayed);
}

void ErAceStrategy::after_step(StrategyContext& ctx, const Batch&) {
  buffer_.add(pending_, ctx.generator);
  pending_ = Batch{};
}

void ErAceStrategy::save(torch::serialize::OutputArchive& a) const {
  buffer_.save(a, "er-ace.buffer");
}

void ErAceStrategy::load(torch::serialize::InputArchive& a) {
  buffer_.load(a, "er-ace.buffer");
}

} // namespace engram::cl
