#include <engram/cl/fisher.h>
#include <engram/cl/si.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(SiStrategy, "si", "Zenke et al. 2017: path-integral importance",
                         ENGRAM_STRATEGY_OPTION(c, OptionRange::at_least(0)),
                         ENGRAM_STRATEGY_OPTION(xi, OptionRange::greater_than(0)));

void SiStrategy::before_task(StrategyContext& ctx, const data::Task&) {
  // Called at a task boundary, also after a resume: the path starts afresh from the current
  // weights.
  anchor_.clear();
  previous_.clear();
  path_.clear();
  for (const auto& p : ctx.model->parameters()) {
    anchor_.push_back(p.detach().clone());
    previous_.push_back(p.detach().clone());
    path_.push_back(at::zeros_like(p));
  }
  if (omega_.empty()) {
    for (const auto& p : ctx.model->parameters())
      omega_.push_back(at::zeros_like(p));
  }
}

at::Tensor SiStrategy::before_backward(StrategyContext& ctx, const Batch&, const at::Tensor&,
                                       at::Tensor loss) {
  if (ctx.task == 0)
    return loss;
  return loss + options.c() * quadratic_penalty(ctx.model->parameters(), omega_, anchor_);
}

void SiStrategy::after_step(StrategyContext& ctx, const Batch&) {
  at::NoGradGuard no_grad;
  const auto params = ctx.model->parameters();
  for (size_t k = 0; k < params.size(); ++k) {
    const at::Tensor& g = params[k].grad();
    at::Tensor now = params[k].detach();
    if (g.defined())
      path_[k].sub_(g * (now - previous_[k]));
    previous_[k].copy_(now);
  }
}

void SiStrategy::after_task(StrategyContext& ctx, const data::Task&) {
  at::NoGradGuard no_grad;
  const auto params = ctx.model->parameters();
  const double xi = options.xi();
  for (size_t k = 0; k < params.size(); ++k) {
    at::Tensor delta = params[k].detach() - anchor_[k];
    omega_[k].add_(path_[k] / (delta.square() + xi));
  }
}

void SiStrategy::save(torch::serialize::OutputArchive& a) const {
  io::write_tensors(a, "si.omega", omega_);
}

void SiStrategy::load(torch::serialize::InputArchive& a) {
  omega_ = io::read_tensors(a, "si.omega");
}

} // namespace engram::cl
