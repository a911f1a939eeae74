#include <engram/cl/logit_reservoir.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <map>

namespace engram::cl {

LogitReservoir::LogitReservoir(int64_t capacity) : capacity_(capacity) {
  TORCH_CHECK(capacity > 0, "LogitReservoir: argument 'capacity' expected > 0, got ", capacity);
}

void LogitReservoir::add(const Batch& batch, const at::Tensor& logits, at::Generator& generator) {
  const int64_t n = batch.x.defined() ? batch.size() : 0;
  if (n == 0)
    return;
  TORCH_CHECK(logits.dim() == 2 && logits.size(0) == n,
              "LogitReservoir::add: argument 'logits' expected shape [", n, ", num_outputs], got ",
              logits.sizes());
  if (!store_.batch.x.defined()) {
    store_.batch.x = at::zeros({capacity_, batch.x.size(1)}, batch.x.options());
    store_.batch.y = at::zeros({capacity_}, batch.y.options());
    store_.batch.task = at::zeros({capacity_}, batch.task.options());
    store_.logits = at::zeros({capacity_, logits.size(1)}, logits.options());
  }
  // Sample number k of the stream (0-based) fills slot k while k < capacity, and later replaces
  // slot floor(u * (k + 1)) when that is < capacity. A slot drawn twice keeps the later sample.
  const at::Tensor u = at::rand({n}, generator, at::kDouble);
  const double* up = u.const_data_ptr<double>();
  std::map<int64_t, int64_t> sample_of_slot;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = seen_ + i;
    const int64_t slot =
        k < capacity_ ? k : static_cast<int64_t>(up[i] * static_cast<double>(k + 1));
    if (slot < capacity_)
      sample_of_slot[slot] = i;
  }
  seen_ += n;
  size_ = std::min(seen_, capacity_);
  if (sample_of_slot.empty())
    return;
  std::vector<int64_t> slots, rows;
  for (const auto& [slot, row] : sample_of_slot) {
    slots.push_back(slot);
    rows.push_back(row);
  }
  const auto on = at::TensorOptions().dtype(at::kLong);
  const at::Tensor to = at::tensor(slots, on).to(batch.x.device(), /*non_blocking=*/true);
  const at::Tensor from = at::tensor(rows, on).to(batch.x.device(), /*non_blocking=*/true);
  store_.batch.x.index_copy_(0, to, batch.x.index_select(0, from));
  store_.batch.y.index_copy_(0, to, batch.y.index_select(0, from));
  store_.batch.task.index_copy_(0, to, batch.task.index_select(0, from));
  store_.logits.index_copy_(0, to, logits.detach().index_select(0, from).to(store_.logits.dtype()));
}

LogitSample LogitReservoir::sample(int64_t n, at::Generator& generator) const {
  if (size_ == 0 || n <= 0)
    return {};
  const int64_t m = std::min(n, size_);
  const at::Tensor idx = at::randperm(size_, generator, at::kLong)
                             .narrow(0, 0, m)
                             .to(store_.batch.x.device(), /*non_blocking=*/true);
  return LogitSample{Batch{store_.batch.x.index_select(0, idx), store_.batch.y.index_select(0, idx),
                           store_.batch.task.index_select(0, idx)},
                     store_.logits.index_select(0, idx)};
}

LogitSample LogitReservoir::contents() const {
  if (size_ == 0)
    return {};
  return LogitSample{Batch{store_.batch.x.narrow(0, 0, size_), store_.batch.y.narrow(0, 0, size_),
                           store_.batch.task.narrow(0, 0, size_)},
                     store_.logits.narrow(0, 0, size_)};
}

void LogitReservoir::save(torch::serialize::OutputArchive& a, const std::string& prefix) const {
  io::write_int(a, prefix + ".seen", seen_);
  io::write_int(a, prefix + ".size", size_);
  if (size_ > 0)
    io::write_tensors(a, prefix + ".store",
                      {store_.batch.x, store_.batch.y, store_.batch.task, store_.logits});
}

void LogitReservoir::load(torch::serialize::InputArchive& a, const std::string& prefix) {
  seen_ = io::read_int(a, prefix + ".seen");
  size_ = io::read_int(a, prefix + ".size");
  store_ = {};
  if (size_ > 0) {
    auto t = io::read_tensors(a, prefix + ".store");
    TORCH_CHECK(t.size() == 4 && t.at(0).size(0) == capacity_, "LogitReservoir::load: '", prefix,
                ".store' holds ", t.at(0).size(0), " rows, expected the capacity ", capacity_);
    store_ = LogitSample{Batch{t.at(0), t.at(1), t.at(2)}, t.at(3)};
  }
}

} // namespace engram::cl
