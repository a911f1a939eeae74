#include <engram/cl/ewc.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(
    EwcStrategy, "ewc",
    "Kirkpatrick et al. 2017: one diagonal-Fisher penalty per past task (summed into one "
    "quadratic, so an iteration costs the same after 10 tasks as after 1)",
    ENGRAM_STRATEGY_OPTION(lambda, OptionRange::at_least(0)),
    ENGRAM_STRATEGY_OPTION(fisher_samples, OptionRange::closed(1, kMaxSamples)));

at::Tensor EwcStrategy::before_backward(StrategyContext& ctx, const Batch&, const at::Tensor&,
                                        at::Tensor loss) {
  if (fishers_.empty())
    return loss;
  const at::Tensor penalty =
      quadratic_penalty(ctx.model->parameters(), penalty_.weights, penalty_.anchors) +
      penalty_.offset;
  return loss + 0.5 * options.lambda() * penalty;
}

void EwcStrategy::after_task(StrategyContext& ctx, const data::Task& task) {
  fishers_.push_back(diagonal_fisher(ctx, task, options.fisher_samples()));
  std::vector<at::Tensor> anchor;
  for (const auto& p : ctx.model->parameters())
    anchor.push_back(p.detach().clone());
  anchors_.push_back(anchor);
  penalty_ = consolidate_penalties(fishers_, anchors_);
}

void EwcStrategy::save(torch::serialize::OutputArchive& a) const {
  io::write_int(a, "ewc.tasks", static_cast<int64_t>(fishers_.size()));
  for (size_t k = 0; k < fishers_.size(); ++k) {
    io::write_tensors(a, "ewc.fisher." + std::to_string(k), fishers_[k]);
    io::write_tensors(a, "ewc.anchor." + std::to_string(k), anchors_[k]);
  }
}

void EwcStrategy::load(torch::serialize::InputArchive& a) {
  fishers_.clear();
  anchors_.clear();
  const int64_t n = io::read_int(a, "ewc.tasks");
  for (int64_t k = 0; k < n; ++k) {
    fishers_.push_back(io::read_tensors(a, "ewc.fisher." + std::to_string(k)));
    anchors_.push_back(io::read_tensors(a, "ewc.anchor." + std::to_string(k)));
  }
  penalty_ = consolidate_penalties(fishers_, anchors_);
}

} // namespace engram::cl
