#include <engram/cl/der.h>
#include <engram/cl/strategy_registry.h>

#include <ATen/ATen.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(DerStrategy, "der",
                         "Buzzega et al. 2020 (Mammoth der.py): reservoir buffer of inputs and the "
                         "logits at insertion; adds alpha * MSE(logits, stored logits) on a replay "
                         "minibatch (replay_batch 0: as large as the batch)",
                         ENGRAM_STRATEGY_OPTION(buffer_size,
                                                OptionRange::closed(1, kMaxBufferSize)),
                         ENGRAM_STRATEGY_OPTION(alpha, OptionRange::at_least(0)),
                         ENGRAM_STRATEGY_OPTION(replay_batch,
                                                OptionRange::closed(0, kMaxBatchSize)));

at::Tensor logit_replay_loss(StrategyContext& ctx, const LogitReservoir& buffer, int64_t n,
                             double alpha, const at::Tensor& like) {
  const LogitSample s = buffer.sample(n, ctx.generator);
  if (s.size() == 0)
    return at::zeros({}, like.options());
  const at::Tensor out = ctx.forward(s.batch.x, s.batch.task);
  return alpha * at::mse_loss(out, s.logits.to(out.dtype()));
}

DerStrategy::DerStrategy(DerOptions options_)
    : StrategyWithOptions(std::move(options_)), buffer_(options.buffer_size()) {}

at::Tensor DerStrategy::before_backward(StrategyContext& ctx, const Batch& batch,
                                        const at::Tensor& logits, at::Tensor loss) {
  // The logits of this step's forward pass, before the update: what Mammoth stores.
  pending_ = LogitSample{batch, logits.detach()};
  return loss + logit_replay_loss(ctx, buffer_,
                                  replay_batch_size(options.replay_batch(), batch.size()),
                                  options.alpha(), loss);
}

void DerStrategy::after_step(StrategyContext& ctx, const Batch&) {
  buffer_.add(pending_.batch, pending_.logits, ctx.generator);
  pending_ = {};
}

void DerStrategy::save(torch::serialize::OutputArchive& a) const {
  buffer_.save(a, "der.buffer");
}

void DerStrategy::load(torch::serialize::InputArchive& a) {
  buffer_.load(a, "der.buffer");
}

} // namespace engram::cl
