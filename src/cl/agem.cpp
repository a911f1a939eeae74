#include <engram/cl/agem.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(AgemStrategy, "agem",
                         "Chaudhry et al. 2019: gradient projected when it conflicts with a memory "
                         "batch's; memory = buffer_size/T samples per finished task (budget "
                         "per-task, Mammoth) or buffer_size/(T k) per class (per-class)",
                         ENGRAM_STRATEGY_OPTION(buffer_size,
                                                OptionRange::closed(1, kMaxBufferSize)),
                         ENGRAM_STRATEGY_OPTION(reference_batch,
                                                OptionRange::closed(1, kMaxBatchSize)),
                         ENGRAM_STRATEGY_CHOICE(budget, "per-task", "per-class"));

at::Tensor agem_project(const at::Tensor& g, const at::Tensor& g_ref) {
  TORCH_CHECK(g.sizes() == g_ref.sizes(),
              "agem_project: arguments 'g' and 'g_ref' expected the same shape, got ", g.sizes(),
              " and ", g_ref.sizes());
  // Decided on the device (no wait for it): the coefficient is 0 when there is no conflict.
  const at::Tensor dot = (g * g_ref).sum();
  const at::Tensor ref_sq = (g_ref * g_ref).sum();
  const at::Tensor conflict = dot.lt(0).logical_and(ref_sq.gt(0));
  const at::Tensor coefficient = at::where(conflict, dot / ref_sq, at::zeros_like(dot));
  return g - coefficient * g_ref;
}

void AgemStrategy::after_backward(StrategyContext& ctx, const Batch&) {
  if (memory_size() == 0)
    return;
  auto params = ctx.model->parameters();
  const int64_t n = std::min<int64_t>(options.reference_batch(), memory_size());
  at::Tensor idx =
      ctx.to_device(at::randperm(memory_size(), ctx.generator, at::kLong).narrow(0, 0, n));
  Batch ref{memory_.x.index_select(0, idx), memory_.y.index_select(0, idx),
            memory_.task.index_select(0, idx)};
  at::Tensor ref_loss = ctx.loss(ref);
  auto ref_grads =
      torch::autograd::grad({ref_loss}, params, {}, false, false, /*allow_unused=*/true);
  std::vector<at::Tensor> g_parts, r_parts;
  for (size_t k = 0; k < params.size(); ++k) {
    const at::Tensor& g = params[k].grad();
    g_parts.push_back(g.defined() ? g.reshape(-1)
                                  : at::zeros({params[k].numel()}, params[k].options()));
    r_parts.push_back(ref_grads[k].defined() ? ref_grads[k].reshape(-1)
                                             : at::zeros({params[k].numel()}, params[k].options()));
  }
  at::Tensor projected = agem_project(at::cat(g_parts), at::cat(r_parts));
  int64_t offset = 0;
  at::NoGradGuard no_grad;
  for (auto& p : params) {
    at::Tensor part = projected.narrow(0, offset, p.numel()).view_as(p);
    if (p.grad().defined())
      p.mutable_grad().copy_(part);
    else
      p.mutable_grad() = part.clone();
    offset += p.numel();
  }
}

void AgemStrategy::after_task(StrategyContext& ctx, const data::Task& task) {
  const int64_t T = ctx.stream->num_tasks();
  const int64_t size = task.train.size();
  at::Tensor pos;
  if (options.budget() == "per-class") {
    // The task's classes (on the host: a few units), each with the same share.
    const at::Tensor targets = task.train.targets.to(at::kCPU);
    const at::Tensor classes = std::get<0>(at::_unique(targets, /*sorted=*/true));
    const int64_t k = classes.size(0);
    const int64_t per_class = k > 0 ? options.buffer_size() / (T * k) : 0;
    const at::Tensor order = at::randperm(size, ctx.generator, at::kLong);
    const at::Tensor shuffled = targets.index_select(0, order);
    std::vector<at::Tensor> parts;
    for (int64_t c = 0; c < k; ++c) {
      const at::Tensor of_class = order.masked_select(shuffled.eq(classes[c]));
      parts.push_back(of_class.narrow(0, 0, std::min<int64_t>(per_class, of_class.size(0))));
    }
    pos = parts.empty() ? at::zeros({0}, at::kLong) : at::cat(parts);
  } else {
    const int64_t n = std::min<int64_t>(options.buffer_size() / T, size);
    pos = at::randperm(size, ctx.generator, at::kLong).narrow(0, 0, std::max<int64_t>(n, 0));
  }
  const int64_t n = pos.size(0);
  if (n <= 0)
    return;
  pos = ctx.to_device(pos);
  const auto on = pos.options();
  memory_ = concat_batches(memory_, Batch{task.train.images_at(pos), task.train.targets_at(pos),
                                          at::full({n}, task.id, on)});
}

void AgemStrategy::save(torch::serialize::OutputArchive& a) const {
  io::write_int(a, "agem.size", memory_size());
  if (memory_size() > 0)
    io::write_tensors(a, "agem.memory", {memory_.x, memory_.y, memory_.task});
}

void AgemStrategy::load(torch::serialize::InputArchive& a) {
  memory_ = Batch{};
  if (io::read_int(a, "agem.size") > 0) {
    auto t = io::read_tensors(a, "agem.memory");
    memory_ = Batch{t.at(0), t.at(1), t.at(2)};
  }
}

} // namespace engram::cl
