#include <engram/cl/ewc.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(
    EwcStrategy, "ewc",
    "Kirkpatrick et al. 2017: one diagonal-Fisher penalty per past task, kept summed as one "
    "quadratic (memory and cost O(P) after any number of tasks); Fisher labels exact, argmax, "
    "empirical or sampled",
    ENGRAM_STRATEGY_OPTION(lambda, OptionRange::at_least(0)),
    ENGRAM_STRATEGY_OPTION(fisher_samples, OptionRange::closed(1, kMaxSamples)),
    ENGRAM_STRATEGY_CHOICE(fisher_labels, "exact", "argmax", "empirical", "sampled"),
    ENGRAM_STRATEGY_OPTION(fisher_eval, OptionRange::closed(0, 1)),
    ENGRAM_STRATEGY_OPTION(fisher_batch, OptionRange::closed(1, kMaxBatchSize)));

FisherOptions fisher_options(int64_t samples, const std::string& labels, int64_t eval,
                             int64_t batch) {
  return FisherOptions().samples(samples).labels(labels).eval_mode(eval != 0).batch_size(batch);
}

at::Tensor EwcStrategy::before_backward(StrategyContext& ctx, const Batch&, const at::Tensor&,
                                        at::Tensor loss) {
  if (penalty_.weights.empty())
    return loss;
  const at::Tensor penalty =
      quadratic_penalty(ctx.model->parameters(), penalty_.weights, penalty_.anchors) +
      penalty_.offset;
  return loss + 0.5 * options.lambda() * penalty;
}

void EwcStrategy::after_task(StrategyContext& ctx, const data::Task& task) {
  const auto fisher =
      diagonal_fisher(ctx, task,
                      fisher_options(options.fisher_samples(), options.fisher_labels(),
                                     options.fisher_eval(), options.fisher_batch()));
  std::vector<at::Tensor> anchor;
  for (const auto& p : ctx.model->parameters())
    anchor.push_back(p.detach().clone());
  penalty_ = add_penalty(penalty_, fisher, anchor);
  ++tasks_;
}

void EwcStrategy::save(torch::serialize::OutputArchive& a) const {
  io::write_int(a, "ewc.tasks", tasks_);
  if (tasks_ == 0)
    return;
  io::write_tensors(a, "ewc.weights", penalty_.weights);
  io::write_tensors(a, "ewc.anchors", penalty_.anchors);
  io::write_tensor(a, "ewc.offset", at::full({1}, penalty_.offset, at::kDouble));
}

void EwcStrategy::load(torch::serialize::InputArchive& a) {
  penalty_ = ConsolidatedPenalty{};
  tasks_ = io::read_int(a, "ewc.tasks");
  if (tasks_ == 0)
    return;
  penalty_.weights = io::read_tensors(a, "ewc.weights");
  penalty_.anchors = io::read_tensors(a, "ewc.anchors");
  penalty_.offset = io::read_tensor(a, "ewc.offset").item<double>();
}

} // namespace engram::cl
