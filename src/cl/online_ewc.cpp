#include <engram/cl/ewc.h>
#include <engram/cl/fisher.h>
#include <engram/cl/online_ewc.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(
    OnlineEwcStrategy, "online-ewc",
    "Schwarz et al. 2018: one running Fisher, decayed by `gamma` (variant "
    "vandeven: gamma also inside the penalty, as van de Ven's code; schwarz)",
    ENGRAM_STRATEGY_OPTION(lambda, OptionRange::at_least(0)),
    ENGRAM_STRATEGY_OPTION(gamma, OptionRange::closed(0, 1)),
    ENGRAM_STRATEGY_CHOICE(variant, "vandeven", "schwarz"),
    ENGRAM_STRATEGY_OPTION(fisher_samples, OptionRange::closed(1, kMaxSamples)),
    ENGRAM_STRATEGY_CHOICE(fisher_labels, "exact", "argmax", "empirical", "sampled"),
    ENGRAM_STRATEGY_OPTION(fisher_eval, OptionRange::closed(0, 1)),
    ENGRAM_STRATEGY_OPTION(fisher_batch, OptionRange::closed(1, kMaxBatchSize)));

at::Tensor OnlineEwcStrategy::before_backward(StrategyContext& ctx, const Batch&, const at::Tensor&,
                                              at::Tensor loss) {
  if (fisher_.empty())
    return loss;
  const double decay = options.variant() == "vandeven" ? options.gamma() : 1.0;
  return loss + 0.5 * options.lambda() * decay *
                    quadratic_penalty(ctx.model->parameters(), fisher_, anchor_);
}

void OnlineEwcStrategy::after_task(StrategyContext& ctx, const data::Task& task) {
  auto f = diagonal_fisher(ctx, task,
                           fisher_options(options.fisher_samples(), options.fisher_labels(),
                                          options.fisher_eval(), options.fisher_batch()));
  if (fisher_.empty()) {
    fisher_ = f;
  } else {
    for (size_t k = 0; k < f.size(); ++k)
      fisher_[k] = fisher_[k] * options.gamma() + f[k];
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
