#include <engram/cl/fisher.h>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

namespace engram::cl {

std::vector<at::Tensor> diagonal_fisher(StrategyContext& ctx, const data::Task& task,
                                        int64_t samples) {
  auto params = ctx.model->parameters();
  std::vector<at::Tensor> fisher;
  for (const auto& p : params)
    fisher.push_back(at::zeros_like(p));
  const int64_t n = std::min<int64_t>(samples, task.train.size());
  at::Tensor pos =
      ctx.to_device(at::randperm(task.train.size(), ctx.generator, at::kLong).narrow(0, 0, n));
  const auto on = pos.options();
  at::Tensor x = task.train.images_at(pos);
  at::Tensor task_ids = at::full({n}, task.id, on);
  at::Tensor mask = ctx.stream->active_mask(task_ids, task.id);
  // One sample at a time: the Fisher needs per-sample gradients.
  for (int64_t i = 0; i < n; ++i) {
    at::Tensor logits = ctx.forward(x.narrow(0, i, 1), task_ids.narrow(0, i, 1));
    logits = logits.masked_fill(mask.narrow(0, i, 1).logical_not(), -1e9);
    at::Tensor logp = at::log_softmax(logits, 1);
    at::Tensor label = logp.argmax(1);
    at::Tensor nll = -logp.gather(1, label.unsqueeze(1)).sum();
    auto grads =
        torch::autograd::grad({nll}, params, {}, /*retain_graph=*/false, /*create_graph=*/false,
                              /*allow_unused=*/true);
    for (size_t k = 0; k < params.size(); ++k) {
      if (grads[k].defined())
        fisher[k].add_(grads[k].square());
    }
  }
  for (auto& f : fisher)
    f.div_(static_cast<double>(std::max<int64_t>(n, 1)));
  return fisher;
}

at::Tensor quadratic_penalty(const std::vector<at::Tensor>& params,
                             const std::vector<at::Tensor>& weights,
                             const std::vector<at::Tensor>& anchors) {
  at::Tensor total = at::zeros({}, params.at(0).options());
  for (size_t k = 0; k < params.size(); ++k)
    total = total + (weights[k] * (params[k] - anchors[k]).square()).sum();
  return total;
}

ConsolidatedPenalty consolidate_penalties(const std::vector<std::vector<at::Tensor>>& weights,
                                          const std::vector<std::vector<at::Tensor>>& anchors) {
  TORCH_CHECK(weights.size() == anchors.size(),
              "consolidate_penalties: expected as many anchor sets as weight sets, got ",
              anchors.size(), " and ", weights.size());
  ConsolidatedPenalty out;
  if (weights.empty())
    return out;
  for (size_t i = 0; i < weights.front().size(); ++i) {
    // Sums in double: the offset is a difference of nearly equal terms.
    at::Tensor a = at::zeros_like(weights.front()[i], at::kDouble);
    at::Tensor b = at::zeros_like(a), c = at::zeros_like(a);
    for (size_t k = 0; k < weights.size(); ++k) {
      const at::Tensor f = weights[k].at(i).to(at::kDouble);
      const at::Tensor anchor = anchors[k].at(i).to(at::kDouble);
      a.add_(f);
      b.add_(f * anchor);
      c.add_(f * anchor.square());
    }
    const at::Tensor m = at::where(a > 0, b / a, at::zeros_like(a));
    out.offset += (c - a * m.square()).sum().item<double>();
    out.weights.push_back(a.to(weights.front()[i].scalar_type()));
    out.anchors.push_back(m.to(anchors.front()[i].scalar_type()));
  }
  return out;
}

} // namespace engram::cl
