#include <engram/cl/hebbian_readout.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace engram::cl {

namespace {
// Readout bias of a unit that has seen no sample: it never wins where it is active.
constexpr double kUnseenBias = -1e4;
} // namespace

ENGRAM_REGISTER_STRATEGY(
    HebbianReadoutStrategy, "hebbian-readout",
    "the head is not trained by backprop but by an instar (supervised Hebbian) rule: unit c holds "
    "the running mean mu_c of the features of class c (eta = 1/n_c) and reads out mu_c·h − "
    "‖mu_c‖²/2, a nearest-class-mean classifier. A sample only moves its own class's weights. The "
    "body learns (backprop through an ordinary head, or a Hebbian body's local rule) during the "
    "first `body_tasks` tasks, then is frozen (evaluation mode, no gradient); the class means are "
    "rebuilt over the last body task's data",
    ENGRAM_STRATEGY_OPTION(body_tasks, OptionRange::closed(0, kMaxTaskCount)));

bool HebbianReadoutStrategy::body_trains(int64_t task) const {
  return task < options.body_tasks();
}

void HebbianReadoutStrategy::begin(StrategyContext& ctx) {
  auto& head = ctx.model->head();
  const auto on = at::TensorOptions().dtype(at::kFloat).device(ctx.device);
  sums_ = at::zeros({head->options.out_features(), head->options.in_features()}, on);
  counts_ = at::zeros({head->options.out_features()}, on);
  if (!body_trains(0))
    write_head(ctx);
}

void HebbianReadoutStrategy::freeze_body(StrategyContext& ctx) const {
  // A frozen body needs no gradient: backprop stops at the head (whose gradient after_backward
  // drops), which saves the whole backward pass through the body.
  if (body_trains(ctx.task))
    return;
  for (auto& p : ctx.model->named_parameters())
    if (p.key().rfind("head.", 0) != 0)
      p.value().set_requires_grad(false);
}

void HebbianReadoutStrategy::before_task(StrategyContext& ctx, const data::Task&) {
  freeze_body(ctx);
}

Batch HebbianReadoutStrategy::compose_batch(StrategyContext& ctx, Batch current) {
  // A frozen body runs in evaluation mode, so a Hebbian body stops its local learning too (the
  // class means of old classes would go stale under moving features). The trainer puts the model
  // back in training mode after every evaluation, hence once per iteration, before the forward.
  if (!body_trains(ctx.task))
    for (auto& child : ctx.model->named_children())
      if (child.key() != "head")
        child.value()->eval();
  return current;
}

void HebbianReadoutStrategy::after_backward(StrategyContext& ctx, const Batch&) {
  // Undefined gradients make the optimiser skip a parameter entirely (zeros would still move it
  // through Adam's momentum).
  if (body_trains(ctx.task))
    return;
  for (auto& p : ctx.model->parameters())
    p.mutable_grad().reset();
}

void HebbianReadoutStrategy::accumulate(StrategyContext& ctx, const at::Tensor& x,
                                        const at::Tensor& y) {
  at::NoGradGuard no_grad;
  // Evaluation mode: reading the features must not be another learning step of a Hebbian body.
  std::vector<std::shared_ptr<torch::nn::Module>> was_training;
  for (auto& m : ctx.model->modules())
    if (m->is_training())
      was_training.push_back(m);
  ctx.model->eval();
  const at::Tensor h = ctx.model->features(x, {}).to(at::kFloat);
  for (auto& m : was_training)
    m->train(true);
  sums_.index_add_(0, y, h);
  counts_.index_add_(0, y, at::ones({y.size(0)}, counts_.options()));
}

void HebbianReadoutStrategy::write_head(StrategyContext& ctx) const {
  at::NoGradGuard no_grad;
  auto& head = ctx.model->head();
  const at::Tensor seen = counts_ > 0;
  const at::Tensor mu = sums_ / counts_.clamp_min(1).unsqueeze(1);
  const at::Tensor bias =
      at::where(seen, -0.5 * mu.square().sum(1), at::full_like(counts_, kUnseenBias));
  head->weight.copy_(mu);
  head->bias.copy_(bias);
}

void HebbianReadoutStrategy::after_step(StrategyContext& ctx, const Batch& batch) {
  if (body_trains(ctx.task))
    return; // the means are rebuilt when the body stops moving (after_task)
  accumulate(ctx, batch.x, batch.y);
  write_head(ctx);
}

void HebbianReadoutStrategy::after_task(StrategyContext& ctx, const data::Task& task) {
  if (!body_trains(ctx.task))
    return;
  sums_.zero_();
  counts_.zero_();
  constexpr int64_t kChunk = 1024;
  const int64_t n = task.train.size();
  for (int64_t start = 0; start < n; start += kChunk) {
    const at::Tensor pos =
        at::arange(start, std::min(n, start + kChunk), sums_.options().dtype(at::kLong));
    accumulate(ctx, task.train.images_at(pos), task.train.targets_at(pos));
  }
  write_head(ctx);
}

void HebbianReadoutStrategy::save(torch::serialize::OutputArchive& a) const {
  io::write_tensor(a, "hebbian_readout.sums", sums_);
  io::write_tensor(a, "hebbian_readout.counts", counts_);
}

void HebbianReadoutStrategy::load(torch::serialize::InputArchive& a) {
  sums_ = io::read_tensor(a, "hebbian_readout.sums");
  counts_ = io::read_tensor(a, "hebbian_readout.counts");
}

} // namespace engram::cl
