#include <engram/cl/gdumb.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(GdumbStrategy, "gdumb",
                         "Prabhu et al. 2020: greedy class-balanced memory; nothing learnt from "
                         "the stream; after each task the model is re-initialised and trained on "
                         "the memory only (SGD, cosine warm restarts from lr to min_lr)",
                         ENGRAM_STRATEGY_OPTION(buffer_size,
                                                OptionRange::closed(1, kMaxBufferSize)),
                         ENGRAM_STRATEGY_OPTION(epochs, OptionRange::closed(1, 1e6)),
                         ENGRAM_STRATEGY_OPTION(batch_size, OptionRange::closed(1, kMaxBatchSize)),
                         ENGRAM_STRATEGY_OPTION(lr, OptionRange::greater_than(0)),
                         ENGRAM_STRATEGY_OPTION(min_lr, OptionRange::at_least(0)));

namespace {
constexpr double kGradientClip = 10; // GDumb's --clip
constexpr double kMomentum = 0.9;
constexpr double kWeightDecay = 1e-6;
} // namespace

ClassBalancedMemory::ClassBalancedMemory(int64_t capacity) : capacity_(capacity) {
  TORCH_CHECK(capacity > 0, "ClassBalancedMemory: argument 'capacity' expected > 0, got ",
              capacity);
}

std::vector<int64_t> ClassBalancedMemory::class_counts() const {
  std::vector<int64_t> counts;
  for (int64_t y : labels_) {
    if (y >= static_cast<int64_t>(counts.size()))
      counts.resize(static_cast<size_t>(y + 1), 0);
    ++counts[static_cast<size_t>(y)];
  }
  return counts;
}

void ClassBalancedMemory::add(const Batch& batch, at::Generator& generator) {
  const int64_t n = batch.x.defined() ? batch.size() : 0;
  if (n == 0)
    return;
  // The labels decide what is kept: one copy to the host per call.
  const at::Tensor y = batch.y.to(at::kCPU, at::kLong).contiguous();
  const int64_t* yp = y.const_data_ptr<int64_t>();
  // Drawn for every sample (used or not), so the draws do not depend on the memory's contents.
  const at::Tensor u = at::rand({n}, generator, at::kDouble);
  const double* up = u.const_data_ptr<double>();
  std::vector<int64_t> counts = class_counts();
  int64_t classes_seen = 0;
  for (int64_t c : counts)
    classes_seen += c > 0 ? 1 : 0;
  // Row of the memory each kept sample goes to; rows past size() are appended.
  std::vector<int64_t> slot_of(static_cast<size_t>(n), -1);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = yp[i];
    TORCH_CHECK(c >= 0, "ClassBalancedMemory::add: labels expected >= 0, got ", c);
    if (c >= static_cast<int64_t>(counts.size()))
      counts.resize(static_cast<size_t>(c + 1), 0);
    if (counts[static_cast<size_t>(c)] == 0)
      ++classes_seen;
    const int64_t stored = static_cast<int64_t>(labels_.size());
    if (stored < capacity_) {
      slot_of[static_cast<size_t>(i)] = stored;
      labels_.push_back(c);
      ++counts[static_cast<size_t>(c)];
      continue;
    }
    const double per_class = static_cast<double>(capacity_) / static_cast<double>(classes_seen);
    if (static_cast<double>(counts[static_cast<size_t>(c)]) >= per_class)
      continue;
    // A random sample of the largest class (the lowest label among ties) gives way.
    const auto largest =
        static_cast<int64_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
    std::vector<int64_t> rows;
    for (int64_t r = 0; r < stored; ++r)
      if (labels_[static_cast<size_t>(r)] == largest)
        rows.push_back(r);
    const auto pick = std::min<size_t>(
        rows.size() - 1, static_cast<size_t>(up[i] * static_cast<double>(rows.size())));
    const int64_t row = rows[pick];
    for (auto& s : slot_of) // an earlier sample of this batch in that row is evicted too
      if (s == row)
        s = -1;
    slot_of[static_cast<size_t>(i)] = row;
    labels_[static_cast<size_t>(row)] = c;
    --counts[static_cast<size_t>(largest)];
    ++counts[static_cast<size_t>(c)];
  }
  std::vector<int64_t> to, from;
  for (int64_t i = 0; i < n; ++i)
    if (slot_of[static_cast<size_t>(i)] >= 0) {
      to.push_back(slot_of[static_cast<size_t>(i)]);
      from.push_back(i);
    }
  const int64_t rows = static_cast<int64_t>(labels_.size());
  if (!store_.x.defined()) {
    store_.x = at::zeros({0, batch.x.size(1)}, batch.x.options());
    store_.y = at::zeros({0}, batch.y.options());
    store_.task = at::zeros({0}, batch.task.options());
  }
  const int64_t grow = rows - store_.size();
  if (grow > 0) {
    store_.x = at::cat({store_.x, at::zeros({grow, store_.x.size(1)}, store_.x.options())});
    store_.y = at::cat({store_.y, at::zeros({grow}, store_.y.options())});
    store_.task = at::cat({store_.task, at::zeros({grow}, store_.task.options())});
  }
  if (to.empty())
    return;
  const auto i64 = at::TensorOptions().dtype(at::kLong);
  const at::Tensor dst = at::tensor(to, i64).to(batch.x.device(), /*non_blocking=*/true);
  const at::Tensor src = at::tensor(from, i64).to(batch.x.device(), /*non_blocking=*/true);
  store_.x.index_copy_(0, dst, batch.x.index_select(0, src));
  store_.y.index_copy_(0, dst, batch.y.index_select(0, src));
  store_.task.index_copy_(0, dst, batch.task.index_select(0, src));
}

void ClassBalancedMemory::save(torch::serialize::OutputArchive& a,
                               const std::string& prefix) const {
  io::write_int(a, prefix + ".size", size());
  if (size() > 0)
    io::write_tensors(a, prefix + ".store", {store_.x, store_.y, store_.task});
}

void ClassBalancedMemory::load(torch::serialize::InputArchive& a, const std::string& prefix) {
  const int64_t n = io::read_int(a, prefix + ".size");
  TORCH_CHECK(n >= 0 && n <= capacity_, "ClassBalancedMemory::load: '", prefix, ".size' is ", n,
              ", expected in [0, ", capacity_, "]");
  store_ = Batch{};
  labels_.clear();
  if (n == 0)
    return;
  auto t = io::read_tensors(a, prefix + ".store");
  TORCH_CHECK(t.size() == 3 && t.at(0).size(0) == n, "ClassBalancedMemory::load: '", prefix,
              ".store' does not hold ", n, " samples");
  store_ = Batch{t.at(0), t.at(1), t.at(2)};
  const at::Tensor y = store_.y.to(at::kCPU, at::kLong).contiguous();
  labels_.assign(y.const_data_ptr<int64_t>(), y.const_data_ptr<int64_t>() + n);
}

double gdumb_learning_rate(int64_t epoch, double lr, double min_lr) {
  if (epoch <= 0)
    return lr * 0.1;
  // The scheduler has stepped epoch - 1 times: T_cur counts epochs into a cycle of T_i epochs.
  int64_t t_cur = 0, t_i = 1;
  for (int64_t s = 0; s < epoch - 1; ++s) {
    if (++t_cur >= t_i) {
      t_cur -= t_i;
      t_i *= 2;
    }
  }
  const double pi = std::acos(-1.0);
  return min_lr + (lr - min_lr) *
                      (1 + std::cos(pi * static_cast<double>(t_cur) / static_cast<double>(t_i))) /
                      2;
}

GdumbStrategy::GdumbStrategy(GdumbOptions options_)
    : StrategyWithOptions(std::move(options_)), memory_(options.buffer_size()) {}

at::Tensor GdumbStrategy::before_backward(StrategyContext&, const Batch&, const at::Tensor&,
                                          at::Tensor loss) {
  // GDumb learns nothing from the stream: a zero loss leaves the model as the memory trained it
  // (no gradient ever reaches the trainer's optimizer, so its state stays zero too).
  return loss * 0.0;
}

void GdumbStrategy::after_task(StrategyContext& ctx, const data::Task& task) {
  // The task's training set, once each, in an order drawn from the run's generator.
  const int64_t n = task.train.size();
  if (n > 0) {
    const at::Tensor order = ctx.to_device(at::randperm(n, ctx.generator, at::kLong));
    memory_.add(Batch{task.train.images_at(order), task.train.targets_at(order),
                      at::full({n}, task.id, order.options())},
                ctx.generator);
  }
  if (memory_.size() == 0)
    return;
  // From scratch: fresh weights from a seed drawn from the run's generator (the same after a
  // resume), copied into the trained model so that the trainer's optimizer keeps its parameters.
  const int64_t seed =
      at::randint(std::numeric_limits<int32_t>::max(), {1}, ctx.generator, at::kLong)
          .item<int64_t>();
  at::manual_seed(static_cast<uint64_t>(seed));
  {
    models::Network fresh = ctx.make_model();
    models::copy_network_state(*fresh, *ctx.model);
  }
  ctx.model->train();
  auto params = ctx.model->parameters();
  torch::optim::SGD sgd(
      params,
      torch::optim::SGDOptions(options.lr()).momentum(kMomentum).weight_decay(kWeightDecay));
  const Batch all = memory_.contents();
  const int64_t m = all.size();
  const int64_t bs = options.batch_size();
  for (int64_t e = 0; e < options.epochs(); ++e) {
    const double lr = gdumb_learning_rate(e, options.lr(), options.min_lr());
    for (auto& group : sgd.param_groups())
      static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
    const at::Tensor perm = ctx.to_device(at::randperm(m, ctx.generator, at::kLong));
    for (int64_t start = 0; start < m; start += bs) {
      const at::Tensor idx = perm.narrow(0, start, std::min(bs, m - start));
      const Batch b{all.x.index_select(0, idx), all.y.index_select(0, idx),
                    all.task.index_select(0, idx)};
      sgd.zero_grad();
      ctx.loss(b).backward();
      torch::nn::utils::clip_grad_norm_(params, kGradientClip);
      sgd.step();
    }
  }
  sgd.zero_grad();
}

void GdumbStrategy::save(torch::serialize::OutputArchive& a) const {
  memory_.save(a, "gdumb.memory");
}

void GdumbStrategy::load(torch::serialize::InputArchive& a) {
  memory_.load(a, "gdumb.memory");
}

} // namespace engram::cl
