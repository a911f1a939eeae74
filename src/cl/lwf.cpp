#include <engram/cl/lwf.h>
#include <engram/cl/strategy_registry.h>

#include <ATen/ATen.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(LwfStrategy, "lwf",
                         "Li & Hoiem 2017: distillation from the previous model at temperature T, "
                         "weighted 1/(t+1) : t/(t+1) as in van de Ven et al.; class-IL `variant` "
                         "vandeven (student over all active classes) or avalanche (old classes); "
                         "`reduction` sum over units or mean (van de Ven's code before May 2019)",
                         ENGRAM_STRATEGY_OPTION(temperature, OptionRange::greater_than(0)),
                         ENGRAM_STRATEGY_CHOICE(variant, "vandeven", "avalanche"),
                         ENGRAM_STRATEGY_CHOICE(reduction, "sum", "mean"));

at::Tensor distillation_loss(const at::Tensor& student, const at::Tensor& teacher,
                             const at::Tensor& student_mask, const at::Tensor& teacher_mask,
                             double T) {
  const at::Tensor student_off = student_mask.logical_not();
  const at::Tensor teacher_off = teacher_mask.logical_not();
  // Zero on the units the teacher does not cover (exactly: softmax of -1e9 underflows to 0).
  at::Tensor target =
      at::softmax(teacher.masked_fill(teacher_off, -1e9) / T, 1).masked_fill(teacher_off, 0.0);
  at::Tensor logp = at::log_softmax(student.masked_fill(student_off, -1e9) / T, 1);
  return -(target * logp).masked_fill(student_off, 0.0).sum(1).mean() * (T * T);
}

at::Tensor distillation_loss(const at::Tensor& student, const at::Tensor& teacher,
                             const at::Tensor& mask, double T) {
  return distillation_loss(student, teacher, mask, mask, T);
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
  const auto units = [&](int64_t k, int64_t at) {
    return stream.active_units(k, at).unsqueeze(0).expand({B, -1});
  };
  // (student units, teacher units) per distilled head.
  std::vector<std::pair<at::Tensor, at::Tensor>> masks;
  if (stream.scenario() == data::Scenario::kTask) {
    for (int64_t k = 0; k < ctx.task; ++k)
      masks.emplace_back(units(k, k), units(k, k));
  } else {
    // The teacher's units: the classes of the tasks before the current one (class-IL), or all
    // units (domain-IL). The student's: the same (avalanche), or every active unit (vandeven).
    const at::Tensor old_units = units(ctx.task - 1, ctx.task - 1);
    const bool all_active = options.variant() == "vandeven";
    masks.emplace_back(all_active ? units(ctx.task, ctx.task) : old_units, old_units);
  }
  at::Tensor distill = at::zeros({}, loss.options());
  const bool mean_over_units = options.reduction() == "mean";
  for (const auto& m : masks) {
    at::Tensor d =
        distillation_loss(logits, teacher_logits, m.first, m.second, options.temperature());
    if (mean_over_units) // every row of the mask has the same units
      d = d / m.first.select(0, 0).sum().to(d.scalar_type());
    distill = distill + d;
  }
  distill = distill / static_cast<double>(masks.size());
  const double w = 1.0 / static_cast<double>(ctx.task + 1);
  return w * loss + (1.0 - w) * distill;
}

} // namespace engram::cl
