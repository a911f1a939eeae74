#include "online_ewc.h"

#include "fisher.h"

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace engram::cl {

at::Tensor OnlineEwcStrategy::before_backward(StrategyContext& ctx, const Batch&, const at::Tensor&,
                                              at::Tensor loss) {
  if (fisher_.empty())
    return loss;
  return loss + 0.5 * hp("lambda") * quadratic_penalty(ctx.model->parameters(), fisher_, anchor_);
}

void OnlineEwcStrategy::after_task(StrategyContext& ctx, const data::Task& task) {
  auto f = diagonal_fisher(ctx, task, static_cast<int64_t>(hp("fisher_samples")));
  if (fisher_.empty()) {
    fisher_ = f;
  } else {
    for (size_t k = 0; k < f.size(); ++k)
      fisher_[k] = fisher_[k] * hp("gamma") + f[k];
  }
  anchor_.clear();
  for (const auto& p : ctx.model->parameters())
    anchor_.push_back(p.detach().clone());
}

void OnlineEwcStrategy::save(torch::serialize::OutputArchive& a) const {
  io::write_tensors(a, "online_ewc.fisher", fisher_);
  io::write_tensors(a, "online_ewc.anchor", anchor_);
}

void OnlineEwcStrategy::load(torch::serialize::InputArchive& a) {
  fisher_ = io::read_tensors(a, "online_ewc.fisher");
  anchor_ = io::read_tensors(a, "online_ewc.anchor");
}

} // namespace engram::cl
