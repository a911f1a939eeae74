#include <engram/cl/derpp.h>
#include <engram/cl/strategy_registry.h>

#include <engram/cl/der.h>

#include <ATen/ATen.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(DerppStrategy, "derpp",
                         "DER++, Buzzega et al. 2020 (Mammoth derpp.py): DER's alpha * MSE on "
                         "stored logits plus beta * CE on a second replay minibatch's labels",
                         ENGRAM_STRATEGY_OPTION(buffer_size,
                                                OptionRange::closed(1, kMaxBufferSize)),
                         ENGRAM_STRATEGY_OPTION(alpha, OptionRange::at_least(0)),
                         ENGRAM_STRATEGY_OPTION(beta, OptionRange::at_least(0)),
                         ENGRAM_STRATEGY_OPTION(replay_batch,
                                                OptionRange::closed(0, kMaxBatchSize)));

DerppStrategy::DerppStrategy(DerppOptions options_)
    : StrategyWithOptions(std::move(options_)), buffer_(options.buffer_size()) {}

at::Tensor DerppStrategy::before_backward(StrategyContext& ctx, const Batch& batch,
                                          const at::Tensor& logits, at::Tensor loss) {
  pending_ = LogitSample{batch, logits.detach()};
  const int64_t n = replay_batch_size(options.replay_batch(), batch.size());
  loss = loss + logit_replay_loss(ctx, buffer_, n, options.alpha(), loss);
  const LogitSample labelled = buffer_.sample(n, ctx.generator);
  if (labelled.size() > 0)
    loss = loss + options.beta() * ctx.loss(labelled.batch);
  return loss;
}

void DerppStrategy::after_step(StrategyContext& ctx, const Batch&) {
  buffer_.add(pending_.batch, pending_.logits, ctx.generator);
  pending_ = {};
}

void DerppStrategy::save(torch::serialize::OutputArchive& a) const {
  buffer_.save(a, "derpp.buffer");
}

void DerppStrategy::load(torch::serialize::InputArchive& a) {
  buffer_.load(a, "derpp.buffer");
}

} // namespace engram::cl
