#include <engram/cl/lwf.h>
#include <engram/cl/strategy_registry.h>

#include <ATen/ATen.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(LwfStrategy, "lwf",
                         "Li & Hoiem 2017: distillation from the previous model at temperature T, "
                         "weighted 1/(t+1) : t/(t+1) as in van de Ven et al.",
                         ENGRAM_STRATEGY_OPTION(temperature, OptionRange::greater_than(0)));

at::Tensor distillation_loss(const at::Tensor& student, const at::Tensor& teacher,
                             const at::Tensor& mask, double T) {
  const at::Tensor off = mask.logical_not();
  at::Tensor target = at::softmax(teacher.masked_fill(off, -1e9) / T, 1);
  at::Tensor logp = at::log_softmax(student.masked_fill(off, -1e9) / T, 1);
  return -(target * logp).masked_fill(off, 0.0).sum(1).mean() * (T * T);
}

void LwfStrategy::before_task(StrategyContext& ctx, const data::Task& task) {
  // The teacher is the model as it is at the start of the task: rebuilt identically after a resume,
  // since checkpoints are taken at task boundaries.
  if (task.id == 0)
    return;
  teacher_ = ctx.make_model();
  models::copy_network_state(*ctx.model, *teacher_);
  teacher_->eval();
  for (auto& p : teacher_->parameters())
    p.set_requires_grad(false);
}

at::Tensor LwfStrategy::before_backward(StrategyContext& ctx, const Batch& batch,
                                        const at::Tensor& logits, at::Tensor loss) {
  if (ctx.task == 0 || !teacher_)
    return loss;
  at::Tensor teacher_logits;
  {
    at::NoGradGuard no_grad;
    teacher_logits = teacher_->forward(batch.x);
  }
  const auto& stream = *ctx.stream;
  const int64_t B = batch.size();
  std::vector<at::Tensor> masks;
  if (stream.scenario() == data::Scenario::kTask) {
    for (int64_t k = 0; k < ctx.task; ++k)
      masks.push_back(stream.active_units(k, k).unsqueeze(0).expand({B, -1}));
  } else {
    // Units of the tasks before the current one (class-IL), or all units (domain-IL).
    masks.push_back(stream.active_units(ctx.task - 1, ctx.task - 1).unsqueeze(0).expand({B, -1}));
  }
  at::Tensor distill = at::zeros({}, loss.options());
  for (const auto& m : masks)
    distill = distill + distillation_loss(logits, teacher_logits, m, options.temperature());
  distill = distill / static_cast<double>(masks.size());
  const double w = 1.0 / static_cast<double>(ctx.task + 1);
  return w * loss + (1.0 - w) * distill;
}

} // namespace engram::cl
