#include <engram/cl/fisher.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <map>
#include <utility>

namespace engram::cl {

namespace {

using Forward = std::function<at::Tensor(const at::Tensor& x, const at::Tensor& task)>;

// One label per sample and its weight: the Fisher is sum_k sum_b w_kb g(b, label_kb)^2.
struct LabelTerm {
  at::Tensor labels;  // int64 [B]
  at::Tensor weights; // [B], no gradient
};

at::Tensor masked_log_softmax(const at::Tensor& logits, const at::Tensor& mask) {
  return at::log_softmax(logits.masked_fill(mask.logical_not(), -1e9), 1);
}

std::vector<LabelTerm> label_terms(const at::Tensor& logp, const at::Tensor& mask,
                                   const at::Tensor& y, const std::string& labels,
                                   at::Generator& generator) {
  const int64_t B = logp.size(0);
  const at::Tensor ones = at::ones({B}, logp.options().requires_grad(false));
  if (labels == "exact") {
    // Every unit active for some sample, weighted by its probability (0 where it is inactive).
    const at::Tensor p = logp.detach().exp();
    const at::Tensor units = mask.any(0).nonzero().reshape(-1).to(at::kCPU);
    std::vector<LabelTerm> terms;
    for (int64_t i = 0; i < units.size(0); ++i) {
      const int64_t c = units[i].item<int64_t>();
      terms.push_back(LabelTerm{at::full({B}, c, y.options()), p.select(1, c)});
    }
    return terms;
  }
  if (labels == "argmax")
    return {LabelTerm{logp.detach().argmax(1), ones}};
  if (labels == "empirical")
    return {LabelTerm{y, ones}};
  TORCH_CHECK(labels == "sampled", "diagonal_fisher: option 'labels' expected one of: exact, ",
              "argmax, empirical, sampled, got '", labels, "'");
  const at::Tensor p = logp.detach().exp().to(at::kCPU, at::kDouble);
  return {LabelTerm{
      at::multinomial(p, 1, /*replacement=*/false, generator).reshape(-1).to(y.device()), ones}};
}

at::Tensor nll_of(const at::Tensor& logp, const at::Tensor& labels) {
  return -logp.gather(1, labels.unsqueeze(1)).sum();
}

} // namespace

const std::vector<std::string>& fisher_label_names() {
  static const std::vector<std::string> names{"exact", "argmax", "empirical", "sampled"};
  return names;
}

std::vector<at::Tensor> fisher_sum(models::NetworkImpl& model, const Forward& forward,
                                   const at::Tensor& x, const at::Tensor& task_ids,
                                   const at::Tensor& y, const at::Tensor& mask,
                                   const FisherOptions& options, at::Generator& generator) {
  const auto params = model.parameters();
  std::vector<at::Tensor> fisher;
  for (const auto& p : params)
    fisher.push_back(at::zeros_like(p).set_requires_grad(false));
  const int64_t B = x.size(0);
  if (B == 0)
    return fisher;
  std::map<const void*, size_t> index; // parameter -> its position in params
  for (size_t k = 0; k < params.size(); ++k)
    index[params[k].unsafeGetTensorImpl()] = k;
  std::vector<bool> covered(params.size(), false);

  std::vector<LabelTerm> batch_terms;
  if (options.eval_mode()) {
    // One forward over the batch; the linear layers' per-sample gradients from their inputs and
    // output gradients.
    std::vector<models::LinearActivation> records;
    model.record_linear_activations(&records);
    at::Tensor logits;
    try {
      logits = forward(x, task_ids);
    } catch (...) {
      model.record_linear_activations(nullptr);
      throw;
    }
    model.record_linear_activations(nullptr);
    const at::Tensor logp = masked_log_softmax(logits, mask);
    batch_terms = label_terms(logp, mask, y, options.labels(), generator);
    // A layer run twice in one forward sums two outer products per sample: not batched.
    std::map<const void*, int> uses;
    for (const auto& r : records)
      ++uses[r.weight.unsafeGetTensorImpl()];
    std::vector<const models::LinearActivation*> batched;
    std::vector<at::Tensor> outputs;
    for (const auto& r : records) {
      if (uses[r.weight.unsafeGetTensorImpl()] != 1 || !r.weight.requires_grad() ||
          !r.output.requires_grad() || index.count(r.weight.unsafeGetTensorImpl()) == 0)
        continue;
      batched.push_back(&r);
      outputs.push_back(r.output);
      covered[index[r.weight.unsafeGetTensorImpl()]] = true;
      if (r.bias.defined() && r.bias.requires_grad() && index.count(r.bias.unsafeGetTensorImpl()))
        covered[index[r.bias.unsafeGetTensorImpl()]] = true;
    }
    for (size_t t = 0; t < batch_terms.size() && !outputs.empty(); ++t) {
      const at::Tensor nll = nll_of(logp, batch_terms[t].labels);
      const auto grads = torch::autograd::grad({nll}, outputs, {},
                                               /*retain_graph=*/t + 1 < batch_terms.size(),
                                               /*create_graph=*/false, /*allow_unused=*/true);
      at::NoGradGuard no_grad;
      const at::Tensor w = batch_terms[t].weights.unsqueeze(1);
      for (size_t l = 0; l < batched.size(); ++l) {
        if (!grads[l].defined())
          continue;
        const at::Tensor g2 = grads[l].square() * w.to(grads[l].scalar_type()); // [B, out]
        const auto& r = *batched[l];
        fisher[index[r.weight.unsafeGetTensorImpl()]].add_(
            g2.t().mm(r.input.detach().square().to(g2.scalar_type())));
        if (r.bias.defined() && r.bias.requires_grad() && index.count(r.bias.unsafeGetTensorImpl()))
          fisher[index[r.bias.unsafeGetTensorImpl()]].add_(g2.sum(0));
      }
    }
  }

  // The other parameters: one pass per sample.
  std::vector<at::Tensor> rest;
  std::vector<size_t> rest_index;
  for (size_t k = 0; k < params.size(); ++k)
    if (!covered[k] && params[k].requires_grad()) {
      rest.push_back(params[k]);
      rest_index.push_back(k);
    }
  if (rest.empty())
    return fisher;
  for (int64_t b = 0; b < B; ++b) {
    const at::Tensor logits = forward(x.narrow(0, b, 1), task_ids.narrow(0, b, 1));
    const at::Tensor logp = masked_log_softmax(logits, mask.narrow(0, b, 1));
    std::vector<LabelTerm> terms;
    if (options.eval_mode()) {
      for (const auto& t : batch_terms)
        terms.push_back(LabelTerm{t.labels.narrow(0, b, 1), t.weights.narrow(0, b, 1)});
    } else {
      terms =
          label_terms(logp, mask.narrow(0, b, 1), y.narrow(0, b, 1), options.labels(), generator);
    }
    for (size_t t = 0; t < terms.size(); ++t) {
      const auto grads = torch::autograd::grad({nll_of(logp, terms[t].labels)}, rest, {},
                                               /*retain_graph=*/t + 1 < terms.size(),
                                               /*create_graph=*/false, /*allow_unused=*/true);
      at::NoGradGuard no_grad;
      for (size_t k = 0; k < rest.size(); ++k)
        if (grads[k].defined())
          fisher[rest_index[k]].add_(grads[k].square() *
                                     terms[t].weights.to(grads[k].scalar_type()));
    }
  }
  return fisher;
}

std::vector<at::Tensor> diagonal_fisher(StrategyContext& ctx, const data::Task& task,
                                        const FisherOptions& options) {
  TORCH_CHECK(options.samples() >= 1, "diagonal_fisher: option 'samples' expected >= 1, got ",
              options.samples());
  TORCH_CHECK(options.batch_size() >= 1, "diagonal_fisher: option 'batch_size' expected >= 1, got ",
              options.batch_size());
  auto& model = *ctx.model;
  const int64_t n = std::min<int64_t>(options.samples(), task.train.size());
  at::Tensor pos =
      ctx.to_device(at::randperm(task.train.size(), ctx.generator, at::kLong).narrow(0, 0, n));
  const auto on = pos.options();
  const at::Tensor x = task.train.images_at(pos);
  const at::Tensor y = task.train.targets_at(pos);
  const at::Tensor task_ids = at::full({n}, task.id, on);
  const at::Tensor mask = ctx.stream->active_mask(task_ids, task.id);
  const bool was_training = model.is_training();
  model.train(!options.eval_mode());
  std::vector<at::Tensor> fisher;
  try {
    for (int64_t start = 0; start < n; start += options.batch_size()) {
      const int64_t len = std::min(options.batch_size(), n - start);
      auto part =
          fisher_sum(model, ctx.forward, x.narrow(0, start, len), task_ids.narrow(0, start, len),
                     y.narrow(0, start, len), mask.narrow(0, start, len), options, ctx.generator);
      if (fisher.empty())
        fisher = std::move(part);
      else
        for (size_t k = 0; k < part.size(); ++k)
          fisher[k].add_(part[k]);
    }
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);
  if (fisher.empty())
    for (const auto& p : model.parameters())
      fisher.push_back(at::zeros_like(p).set_requires_grad(false));
  for (auto& f : fisher)
    f.div_(static_cast<double>(std::max<int64_t>(n, 1)));
  return fisher;
}

std::vector<at::Tensor> diagonal_fisher(StrategyContext& ctx, const data::Task& task,
                                        int64_t samples) {
  return diagonal_fisher(ctx, task, FisherOptions().samples(samples));
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

ConsolidatedPenalty add_penalty(const ConsolidatedPenalty& penalty,
                                const std::vector<at::Tensor>& weights,
                                const std::vector<at::Tensor>& anchors) {
  TORCH_CHECK(weights.size() == anchors.size(),
              "add_penalty: expected as many anchors as weights, ", "got ", anchors.size(), " and ",
              weights.size());
  if (penalty.weights.empty())
    return consolidate_penalties({weights}, {anchors});
  TORCH_CHECK(penalty.weights.size() == weights.size(), "add_penalty: argument 'weights' expected ",
              penalty.weights.size(), " tensors (as the penalty), got ", weights.size());
  ConsolidatedPenalty out;
  out.offset = penalty.offset;
  for (size_t i = 0; i < weights.size(); ++i) {
    // A (theta - m)^2 + F (theta - a)^2 = (A + F) (theta - m')^2 + c, in double.
    const at::Tensor A = penalty.weights[i].to(at::kDouble), m = penalty.anchors[i].to(at::kDouble);
    const at::Tensor f = weights[i].to(at::kDouble), a = anchors[i].to(at::kDouble);
    const at::Tensor sum = A + f;
    const at::Tensor m2 = at::where(sum > 0, (A * m + f * a) / sum, at::zeros_like(sum));
    out.offset += (A * m.square() + f * a.square() - sum * m2.square()).sum().item<double>();
    out.weights.push_back(sum.to(weights[i].scalar_type()));
    out.anchors.push_back(m2.to(anchors[i].scalar_type()));
  }
  return out;
}

} // namespace engram::cl
