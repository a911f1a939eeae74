#include <engram/cl/joint.h>
#include <engram/cl/strategy_registry.h>

#include <ATen/ATen.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(JointStrategy, "joint",
                         "at task t, batches drawn from all data of tasks 0..t (upper bound)");

Batch JointStrategy::compose_batch(StrategyContext& ctx, Batch current) {
  if (ctx.task == 0)
    return current;
  std::vector<int64_t> offsets{0};
  for (int64_t k = 0; k <= ctx.task; ++k)
    offsets.push_back(offsets.back() + ctx.stream->task(k).train.size());
  const int64_t B = current.size();
  at::Tensor pos = ctx.to_device(at::randint(offsets.back(), {B}, ctx.generator, at::kLong));
  const auto on = pos.options();
  Batch out;
  for (int64_t k = 0; k <= ctx.task; ++k) {
    at::Tensor in_k = (pos >= offsets[k]).logical_and(pos < offsets[k + 1]);
    at::Tensor local = pos.masked_select(in_k) - offsets[k];
    if (local.numel() == 0)
      continue;
    const auto& split = ctx.stream->task(k).train;
    out = concat_batches(out, Batch{split.images_at(local), split.targets_at(local),
                                    at::full({local.numel()}, k, on)});
  }
  return out;
}

} // namespace engram::cl
