#include <engram/cl/icarl.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <limits>
#include <map>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(IcarlStrategy, "icarl",
                         "Rebuffi et al. 2017 (class-IL): herding exemplars (memory_size in all), "
                         "sigmoid BCE with distillation from the previous model on old classes, "
                         "nearest-mean-of-exemplars prediction",
                         ENGRAM_STRATEGY_OPTION(memory_size,
                                                OptionRange::closed(1, kMaxBufferSize)),
                         ENGRAM_STRATEGY_OPTION(temperature, OptionRange::greater_than(0)));

namespace {
constexpr int64_t kFeatureBatch = 1024; // samples per forward pass when computing features

at::Tensor features_of(models::NetworkImpl& model, const at::Tensor& x) {
  std::vector<at::Tensor> parts;
  for (int64_t s = 0; s < x.size(0); s += kFeatureBatch)
    parts.push_back(model.features(x.narrow(0, s, std::min(kFeatureBatch, x.size(0) - s))));
  return l2_normalize_rows(at::cat(parts));
}

at::Tensor index_tensor(const std::vector<int64_t>& v, const c10::Device& device) {
  return at::tensor(v, at::TensorOptions().dtype(at::kLong)).to(device);
}
} // namespace

at::Tensor l2_normalize_rows(const at::Tensor& x) {
  return x / x.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12);
}

at::Tensor herding_selection(const at::Tensor& features, int64_t m) {
  TORCH_CHECK(features.dim() == 2, "herding_selection: argument 'features' expected [N, F], got ",
              features.sizes());
  const int64_t n = features.size(0);
  TORCH_CHECK(m >= 0 && m <= n, "herding_selection: argument 'm' expected in [0, ", n, "], got ",
              m);
  const at::Tensor mu = features.mean(0);
  at::Tensor running = at::zeros_like(mu);
  at::Tensor taken = at::zeros({n}, features.options().dtype(at::kBool));
  std::vector<int64_t> chosen;
  for (int64_t k = 1; k <= m; ++k) {
    const at::Tensor cost = (mu.unsqueeze(0) - (features + running.unsqueeze(0)) / double(k))
                                .norm(2, {1})
                                .masked_fill(taken, std::numeric_limits<double>::infinity());
    const int64_t i = cost.argmin().item<int64_t>();
    chosen.push_back(i);
    taken[i].fill_(true);
    running = running + features[i];
  }
  return index_tensor(chosen, features.device());
}

at::Tensor nearest_mean_scores(const at::Tensor& features, const at::Tensor& means,
                               const at::Tensor& has_mean) {
  // -||f - mu||^2 = 2 f.mu - ||f||^2 - ||mu||^2
  const at::Tensor d = features.pow(2).sum(1, true) - 2 * at::matmul(features, means.t()) +
                       means.pow(2).sum(1).unsqueeze(0);
  return (-d).masked_fill(has_mean.logical_not().unsqueeze(0),
                          std::numeric_limits<float>::lowest());
}

std::string IcarlStrategy::unsupported_reason(data::Scenario scenario) const {
  if (scenario == data::Scenario::kClass)
    return "";
  return "iCaRL is a class-IL method (its nearest-mean classifier ranks every class seen so far); "
         "the reference implementations run it in class-IL only";
}

void IcarlStrategy::before_task(StrategyContext& ctx, const data::Task& task) {
  const auto& stream = *ctx.stream;
  seen_units_ = stream.active_units(task.id, task.id).nonzero().reshape(-1);
  old_units_ = task.id > 0 ? stream.active_units(task.id - 1, task.id - 1).nonzero().reshape(-1)
                           : at::Tensor();
  teacher_ = nullptr;
  if (task.id == 0)
    return;
  // The model as it was at the end of the previous task (checkpoints are taken at task
  // boundaries, so a resumed run rebuilds the same teacher).
  teacher_ = ctx.make_model();
  models::copy_network_state(*ctx.model, *teacher_);
  teacher_->eval();
  for (auto& p : teacher_->parameters())
    p.set_requires_grad(false);
}

Batch IcarlStrategy::compose_batch(StrategyContext& ctx, Batch current) {
  const int64_t m = memory_used();
  if (m == 0)
    return current;
  // Drawn from the task's data joined with the exemplars: each position is an exemplar with
  // probability M / (N + M).
  const int64_t n = ctx.stream->task(ctx.task).train.size();
  const double p = static_cast<double>(m) / static_cast<double>(n + m);
  const int64_t b = current.size();
  const at::Tensor u = at::rand({b}, ctx.generator, at::kDouble);
  const int64_t k = u.lt(p).sum().item<int64_t>();
  if (k == 0)
    return current;
  const at::Tensor idx = ctx.to_device(at::randint(m, {k}, ctx.generator, at::kLong));
  const Batch kept{current.x.narrow(0, 0, b - k), current.y.narrow(0, 0, b - k),
                   current.task.narrow(0, 0, b - k)};
  return concat_batches(kept, Batch{memory_.x.index_select(0, idx), memory_.y.index_select(0, idx),
                                    memory_.task.index_select(0, idx)});
}

at::Tensor icarl_loss(const at::Tensor& logits, const at::Tensor& teacher_logits,
                      const at::Tensor& y, const at::Tensor& old_units,
                      const at::Tensor& seen_units, double temperature) {
  TORCH_CHECK(temperature > 0, "icarl_loss: argument 'temperature' expected > 0, got ",
              temperature);
  at::Tensor targets = at::one_hot(y, logits.size(1)).to(logits.dtype());
  if (teacher_logits.defined() && old_units.defined() && old_units.numel() > 0) {
    at::NoGradGuard no_grad;
    const at::Tensor old = at::sigmoid(teacher_logits.index_select(1, old_units) / temperature);
    targets.index_copy_(1, old_units, old.to(targets.dtype()));
  }
  return at::binary_cross_entropy_with_logits(logits.index_select(1, seen_units),
                                              targets.index_select(1, seen_units));
}

at::Tensor IcarlStrategy::before_backward(StrategyContext&, const Batch& batch,
                                          const at::Tensor& logits, at::Tensor) {
  at::Tensor teacher_logits;
  if (teacher_ && old_units_.defined() && old_units_.numel() > 0) {
    at::NoGradGuard no_grad;
    teacher_logits = teacher_->forward(batch.x);
  }
  return icarl_loss(logits, teacher_logits, batch.y, old_units_, seen_units_,
                    options.temperature());
}

void IcarlStrategy::after_task(StrategyContext& ctx, const data::Task& task) {
  at::NoGradGuard no_grad;
  models::NetworkImpl& model = *ctx.model;
  model.eval();
  const int64_t classes = seen_units_.numel();
  const int64_t per_class = options.memory_size() / classes;
  // The old classes' sets cut to their first per_class exemplars (herding order is kept).
  std::vector<int64_t> keep;
  if (memory_used() > 0) {
    const at::Tensor y = memory_.y.to(at::kCPU, at::kLong).contiguous();
    const int64_t* yp = y.const_data_ptr<int64_t>();
    std::map<int64_t, int64_t> count;
    for (int64_t r = 0; r < y.size(0); ++r)
      if (count[yp[r]]++ < per_class)
        keep.push_back(r);
  }
  Batch memory;
  if (!keep.empty()) {
    const at::Tensor rows = index_tensor(keep, ctx.device);
    memory = Batch{memory_.x.index_select(0, rows), memory_.y.index_select(0, rows),
                   memory_.task.index_select(0, rows)};
  }
  // The new classes' exemplars by herding.
  const at::Tensor targets = task.train.targets.to(at::kCPU, at::kLong).contiguous();
  const int64_t* tp = targets.const_data_ptr<int64_t>();
  std::map<int64_t, std::vector<int64_t>> positions;
  for (int64_t i = 0; i < targets.size(0); ++i)
    positions[tp[i]].push_back(i);
  for (const auto& [label, pos] : positions) {
    const at::Tensor at_pos = index_tensor(pos, ctx.device);
    const at::Tensor x = task.train.images_at(at_pos);
    const int64_t m = std::min<int64_t>(per_class, x.size(0));
    if (m == 0)
      continue;
    const at::Tensor chosen = herding_selection(features_of(model, x), m);
    memory = concat_batches(memory,
                            Batch{x.index_select(0, chosen), at::full({m}, label, at_pos.options()),
                                  at::full({m}, task.id, at_pos.options())});
  }
  memory_ = memory;
  update_class_means(ctx);
  model.train();
}

void IcarlStrategy::update_class_means(StrategyContext& ctx) {
  means_ = has_mean_ = at::Tensor();
  if (memory_used() == 0)
    return;
  const int64_t O = ctx.stream->num_outputs();
  const at::Tensor f = features_of(*ctx.model, memory_.x);
  means_ = at::zeros({O, f.size(1)}, f.options());
  means_.index_add_(0, memory_.y, f);
  const at::Tensor counts = at::bincount(memory_.y, {}, O);
  has_mean_ = counts.gt(0);
  means_ = l2_normalize_rows(means_ / counts.clamp_min(1).unsqueeze(1).to(f.dtype()));
}

at::Tensor IcarlStrategy::prediction_scores(models::NetworkImpl& model, const at::Tensor& x,
                                            const at::Tensor&) const {
  if (!means_.defined())
    return {};
  return nearest_mean_scores(l2_normalize_rows(model.features(x)), means_, has_mean_);
}

void IcarlStrategy::save(torch::serialize::OutputArchive& a) const {
  io::write_int(a, "icarl.size", memory_used());
  if (memory_used() > 0)
    io::write_tensors(a, "icarl.memory", {memory_.x, memory_.y, memory_.task, means_, has_mean_});
}

void IcarlStrategy::load(torch::serialize::InputArchive& a) {
  memory_ = Batch{};
  means_ = has_mean_ = at::Tensor();
  if (io::read_int(a, "icarl.size") > 0) {
    auto t = io::read_tensors(a, "icarl.memory");
    TORCH_CHECK(t.size() == 5, "IcarlStrategy::load: 'icarl.memory' holds ", t.size(),
                " tensors, expected 5");
    memory_ = Batch{t.at(0), t.at(1), t.at(2)};
    means_ = t.at(3);
    has_mean_ = t.at(4);
  }
}

} // namespace engram::cl
