#include <engram/cl/dgr.h>
#include <engram/cl/strategy_registry.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(DgrStrategy, "dgr",
                         "deep generative replay (Shin et al. 2017; van de Ven & Tolias 2019's "
                         "code): a VAE trained alongside generates the replay, labelled by the "
                         "previous model's most likely unit",
                         ENGRAM_STRATEGY_OPTION(hidden, OptionRange::closed(1, 1e6)),
                         ENGRAM_STRATEGY_OPTION(latent_dim, OptionRange::closed(1, 1e6)),
                         ENGRAM_STRATEGY_OPTION(lr, OptionRange::greater_than(0)));
ENGRAM_REGISTER_STRATEGY(DgrDistillStrategy, "dgr-distill",
                         "DGR with distillation (van de Ven & Tolias 2019): the VAE's replay "
                         "carries the previous model's soft targets at temperature T",
                         ENGRAM_STRATEGY_OPTION(hidden, OptionRange::closed(1, 1e6)),
                         ENGRAM_STRATEGY_OPTION(latent_dim, OptionRange::closed(1, 1e6)),
                         ENGRAM_STRATEGY_OPTION(lr, OptionRange::greater_than(0)),
                         ENGRAM_STRATEGY_OPTION(temperature, OptionRange::greater_than(0)));

at::Tensor generative_replay_loss(const at::Tensor& student, const at::Tensor& teacher,
                                  const at::Tensor& student_units, const at::Tensor& teacher_units,
                                  bool soft, double T) {
  const at::Tensor student_off = student_units.logical_not().unsqueeze(0);
  const at::Tensor teacher_off = teacher_units.logical_not().unsqueeze(0);
  if (!soft) {
    const at::Tensor target = teacher.masked_fill(teacher_off, -1e9).argmax(1);
    return at::nll_loss(at::log_softmax(student.masked_fill(student_off, -1e9), 1), target);
  }
  // The teacher's probabilities are zero outside its units (zero-padded, as in the reference).
  const at::Tensor p =
      at::softmax(teacher.masked_fill(teacher_off, -1e9) / T, 1).masked_fill(teacher_off, 0.0);
  const at::Tensor logq = at::log_softmax(student.masked_fill(student_off, -1e9) / T, 1);
  return -(p * logq.masked_fill(student_off, 0.0)).sum(1).mean() * (T * T);
}

DgrStrategy::DgrStrategy(DgrOptions options_) : StrategyWithOptions(std::move(options_)) {}

DgrDistillStrategy::DgrDistillStrategy(DgrOptions options_) : DgrStrategy(std::move(options_)) {
  soft_targets_ = true;
}

void DgrStrategy::begin(StrategyContext& ctx) {
  const data::TaskSplit& first = ctx.stream->task(0).train;
  if (first.size() > 0) {
    const at::Tensor x = first.images_at(ctx.to_device(at::arange(first.size(), at::kLong)));
    const double lo = x.min().item<double>(), hi = x.max().item<double>();
    TORCH_CHECK(lo >= 0 && hi <= 1, "strategy '", name(),
                "': the generator models inputs in [0, 1], got values in [", lo, ", ", hi, "]");
  }
  generator_ = models::Vae(models::VaeOptions(ctx.stream->input_dim())
                               .hidden(options.hidden())
                               .latent_dim(options.latent_dim()));
  generator_->to(ctx.device);
  generator_optimizer_ = std::make_unique<torch::optim::Adam>(
      generator_->parameters(), torch::optim::AdamOptions(options.lr()).betas({0.9, 0.999}));
}

void DgrStrategy::before_task(StrategyContext& ctx, const data::Task& task) {
  previous_generator_ = nullptr;
  previous_solver_ = nullptr;
  if (task.id == 0)
    return;
  // Frozen copies as they are at the start of the task: rebuilt identically after a resume, since
  // checkpoints are taken at task boundaries.
  previous_generator_ = models::Vae(generator_->options);
  previous_generator_->to(ctx.device);
  {
    at::NoGradGuard no_grad;
    auto from = generator_->named_parameters();
    for (auto& p : previous_generator_->named_parameters())
      p.value().copy_(from[p.key()]);
  }
  previous_generator_->eval();
  previous_solver_ = ctx.make_model();
  models::copy_network_state(*ctx.model, *previous_solver_);
  previous_solver_->eval();
  for (auto& p : previous_generator_->parameters())
    p.set_requires_grad(false);
  for (auto& p : previous_solver_->parameters())
    p.set_requires_grad(false);
}

at::Tensor DgrStrategy::before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor&,
                                        at::Tensor loss) {
  replayed_x_ = at::Tensor();
  if (ctx.task == 0 || !previous_generator_)
    return loss;
  const int64_t n = batch.size();
  at::Tensor teacher;
  {
    at::NoGradGuard no_grad;
    replayed_x_ = previous_generator_->sample(n, ctx.generator);
    teacher = previous_solver_->forward(replayed_x_);
  }
  const at::Tensor student =
      ctx.forward(replayed_x_, at::full({n}, ctx.task, batch.task.options()));
  const auto& stream = *ctx.stream;
  // (student units, teacher units) per replayed head: the student competes over every unit active
  // at the current task, the teacher's targets cover the previous tasks' units.
  std::vector<std::pair<at::Tensor, at::Tensor>> masks;
  if (stream.scenario() == data::Scenario::kTask) {
    for (int64_t k = 0; k < ctx.task; ++k)
      masks.emplace_back(stream.active_units(k, k), stream.active_units(k, k));
  } else {
    masks.emplace_back(stream.active_units(ctx.task, ctx.task),
                       stream.active_units(ctx.task - 1, ctx.task - 1));
  }
  at::Tensor replay = at::zeros({}, loss.options());
  for (const auto& [student_units, teacher_units] : masks)
    replay = replay + generative_replay_loss(student, teacher, student_units, teacher_units,
                                             soft_targets_, options.temperature());
  replay = replay / static_cast<double>(masks.size());
  const double w = 1.0 / static_cast<double>(ctx.task + 1);
  return w * loss + (1 - w) * replay;
}

void DgrStrategy::after_step(StrategyContext& ctx, const Batch& batch) {
  generator_optimizer_->zero_grad();
  at::Tensor loss = generator_->loss(batch.x, ctx.generator);
  if (replayed_x_.defined()) {
    const double w = 1.0 / static_cast<double>(ctx.task + 1);
    loss = w * loss + (1 - w) * generator_->loss(replayed_x_, ctx.generator);
  }
  loss.backward();
  generator_optimizer_->step();
  replayed_x_ = at::Tensor();
}

void DgrStrategy::save(torch::serialize::OutputArchive& a) const {
  torch::serialize::OutputArchive g, o;
  generator_->save(g);
  a.write("dgr.generator", g);
  generator_optimizer_->save(o);
  a.write("dgr.generator_optimizer", o);
}

void DgrStrategy::load(torch::serialize::InputArchive& a) {
  torch::serialize::InputArchive g, o;
  a.read("dgr.generator", g);
  generator_->load(g);
  a.read("dgr.generator_optimizer", o);
  generator_optimizer_->load(o);
}

} // namespace engram::cl
