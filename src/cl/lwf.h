#pragma once
// Learning without Forgetting (Li & Hoiem 2017): a frozen copy of the model from the end of the
// previous task labels the current inputs; the loss is
//   1/(t+1) * CE(current) + t/(t+1) * T^2 * distillation at temperature T
// (the weighting of van de Ven et al.'s code). Task-IL distils each previous head, domain-IL all
// units. In class-IL the two references differ, offered as `variant`:
//   vandeven   (default) van de Ven et al.'s code (GMvandeVen/continual-learning, loss_fn_kd): the
//              student's log-softmax over all active classes, the current task's included, against
//              the teacher's softmax over the previous classes zero-padded on the new ones;
//   avalanche  Avalanche's LwF plugin: both softmaxes over the previous classes only.
// The two coincide in task-IL and domain-IL. `reduction` says how the distillation term averages:
//   sum   (default) summed over the units, averaged over the batch: van de Ven et al.'s
//         loss_fn_kd since commit 26f00db (May 2019), and the other references;
//   mean  averaged over the units too, i.e. divided by the number of student units: his code
//         before that commit ("summation over classes was omitted"), from which the first arXiv
//         version of "Three scenarios for continual learning" (April 2019) dates.
#include <engram/cl/strategy.h>

#include <torch/arg.h>

#include <string>

namespace engram::cl {

struct LwfOptions {
  /// Temperature T of the distillation softmax.
  TORCH_ARG(double, temperature) = 2;
  /// Class-IL form of the distillation: "vandeven" (student over all active classes, teacher
  /// zero-padded) or "avalanche" (both over the previous classes only).
  TORCH_ARG(std::string, variant) = "vandeven";
  /// "sum" (over the units, then the mean over the batch) or "mean" (over units and batch).
  TORCH_ARG(std::string, reduction) = "sum";
};

class LwfStrategy : public StrategyWithOptions<LwfOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "lwf"; }
  void before_task(StrategyContext& ctx, const data::Task& task) override;
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;

private:
  models::Network teacher_{nullptr};
};

// Distillation loss T^2 * mean_b sum_k softmax(teacher/T)_k * -log_softmax(student/T)_k over the
// units where `mask` (bool [B, O]) is true.
at::Tensor distillation_loss(const at::Tensor& student, const at::Tensor& teacher,
                             const at::Tensor& mask, double temperature);
// The same with the student's log-softmax over `student_mask` and the teacher's softmax over
// `teacher_mask` (a subset of it), the teacher's targets being 0 on the other student units.
at::Tensor distillation_loss(const at::Tensor& student, const at::Tensor& teacher,
                             const at::Tensor& student_mask, const at::Tensor& teacher_mask,
                             double temperature);
} // namespace engram::cl
