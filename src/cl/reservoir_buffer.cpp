#include "reservoir_buffer.h"

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace engram::cl {

ReservoirBuffer::ReservoirBuffer(int64_t capacity) : capacity_(capacity) {
  TORCH_CHECK(capacity > 0, "ReservoirBuffer: argument 'capacity' expected > 0, got ", capacity);
}

void ReservoirBuffer::add(const Batch& batch, at::Generator& generator) {
  const int64_t n = batch.size();
  if (n == 0)
    return;
  if (!store_.x.defined()) {
    store_.x = at::zeros({capacity_, batch.x.size(1)}, batch.x.options());
    store_.y = at::zeros({capacity_}, batch.y.options());
    store_.task = at::zeros({capacity_}, batch.task.options());
  }
  // Draw one slot candidate per sample in a single call: slot i is uniform in [0, seen_ + i].
  at::Tensor upper = at::arange(seen_ + 1, seen_ + n + 1, at::kDouble);
  at::Tensor slots = (at::rand({n}, generator, at::kDouble) * upper).floor().to(at::kLong);
  const auto* s = slots.data_ptr<int64_t>();
  std::vector<int64_t> src, dst;
  for (int64_t i = 0; i < n; ++i) {
    int64_t slot = -1;
    if (seen_ < capacity_)
      slot = seen_;
    else if (s[i] < capacity_)
      slot = s[i];
    ++seen_;
    if (slot >= 0) {
      src.push_back(i);
      dst.push_back(slot);
    }
  }
  size_ = std::min(seen_, capacity_);
  if (src.empty())
    return;
  // Later samples overwrite earlier ones that drew the same slot, as in the sequential algorithm.
  for (size_t k = 0; k < src.size(); ++k) {
    store_.x[dst[k]].copy_(batch.x[src[k]]);
    store_.y[dst[k]] = batch.y[src[k]];
    store_.task[dst[k]] = batch.task[src[k]];
  }
}

Batch ReservoirBuffer::sample(int64_t n, at::Generator& generator) const {
  if (size_ == 0 || n <= 0)
    return Batch{};
  at::Tensor idx = at::randint(size_, {n}, generator, at::kLong);
  return Batch{store_.x.index_select(0, idx), store_.y.index_select(0, idx), store_.task.index_select(0, idx)};
}

Batch ReservoirBuffer::contents() const {
  if (size_ == 0)
    return Batch{};
  return Batch{store_.x.narrow(0, 0, size_), store_.y.narrow(0, 0, size_), store_.task.narrow(0, 0, size_)};
}

void ReservoirBuffer::save(torch::serialize::OutputArchive& a, const std::string& prefix) const {
  io::write_int(a, prefix + ".seen", seen_);
  io::write_int(a, prefix + ".size", size_);
  if (store_.x.defined())
    io::write_tensors(a, prefix + ".store", {store_.x, store_.y, store_.task});
}

void ReservoirBuffer::load(torch::serialize::InputArchive& a, const std::string& prefix) {
  seen_ = io::read_int(a, prefix + ".seen");
  size_ = io::read_int(a, prefix + ".size");
  if (size_ > 0) {
    auto t = io::read_tensors(a, prefix + ".store");
    store_ = Batch{t.at(0), t.at(1), t.at(2)};
  }
}

} // namespace engram::cl
