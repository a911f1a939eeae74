#include <engram/cl/reservoir_buffer.h>

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
    store_.x = at::zeros({capacity_ + 1, batch.x.size(1)}, batch.x.options());
    store_.y = at::zeros({capacity_ + 1}, batch.y.options());
    store_.task = at::zeros({capacity_ + 1}, batch.task.options());
  }
  // Decided on the batch's device, without reading anything back to the host.
  const auto f64 = at::TensorOptions().dtype(at::kDouble).device(batch.x.device());
  const auto i64 = at::TensorOptions().dtype(at::kLong).device(batch.x.device());
  // One slot candidate per sample in a single call: sample i's is uniform in [0, seen_ + i].
  const at::Tensor upper = at::arange(seen_ + 1, seen_ + n + 1, f64);
  const at::Tensor u = at::rand({n}, generator, at::kDouble)
                           .to(at::TensorOptions().device(batch.x.device()), /*non_blocking=*/true);
  const at::Tensor drawn = (u * upper).floor().to(at::kLong);
  // Sequential algorithm R: sample number k of the stream (0-based) fills slot k while k <
  // capacity, and later replaces its drawn slot when that is < capacity.
  const at::Tensor order = at::arange(n, i64);
  const at::Tensor rank = order + seen_;
  const at::Tensor slots = at::where(rank < capacity_, rank, drawn);
  const at::Tensor taken = slots < capacity_;
  // A slot taken twice in this batch keeps the later sample: [i, j] = j > i takes i's slot.
  const at::Tensor overwritten = (slots.unsqueeze(1) == slots.unsqueeze(0))
                                     .logical_and_(order.unsqueeze(1) < order.unsqueeze(0))
                                     .logical_and_(taken.unsqueeze(0))
                                     .any(1);
  const at::Tensor keep = taken.logical_and(overwritten.logical_not());
  // Samples not kept go to the spare row.
  const at::Tensor to = at::where(keep, slots, at::full_like(slots, capacity_));
  store_.x.index_copy_(0, to, batch.x);
  store_.y.index_copy_(0, to, batch.y);
  store_.task.index_copy_(0, to, batch.task);
  seen_ += n;
  size_ = std::min(seen_, capacity_);
}

Batch ReservoirBuffer::sample(int64_t n, at::Generator& generator) const {
  if (size_ == 0 || n <= 0)
    return Batch{};
  at::Tensor idx = at::randint(size_, {n}, generator, at::kLong)
                       .to(at::TensorOptions().device(store_.x.device()), /*non_blocking=*/true);
  return Batch{store_.x.index_select(0, idx), store_.y.index_select(0, idx),
               store_.task.index_select(0, idx)};
}

Batch ReservoirBuffer::contents() const {
  if (size_ == 0)
    return Batch{};
  return Batch{store_.x.narrow(0, 0, size_), store_.y.narrow(0, 0, size_),
               store_.task.narrow(0, 0, size_)};
}

void ReservoirBuffer::save(torch::serialize::OutputArchive& a, const std::string& prefix) const {
  io::write_int(a, prefix + ".seen", seen_);
  io::write_int(a, prefix + ".size", size_);
  if (store_.x.defined()) // without the spare row
    io::write_tensors(a, prefix + ".store",
                      {store_.x.narrow(0, 0, capacity_), store_.y.narrow(0, 0, capacity_),
                       store_.task.narrow(0, 0, capacity_)});
}

void ReservoirBuffer::load(torch::serialize::InputArchive& a, const std::string& prefix) {
  seen_ = io::read_int(a, prefix + ".seen");
  size_ = io::read_int(a, prefix + ".size");
  if (size_ > 0) {
    auto t = io::read_tensors(a, prefix + ".store");
    TORCH_CHECK(t.at(0).size(0) == capacity_, "ReservoirBuffer::load: '", prefix, ".store' holds ",
                t.at(0).size(0), " rows, expected the capacity ", capacity_);
    const auto spare = [](const at::Tensor& s) {
      return at::cat({s, at::zeros_like(s.narrow(0, 0, 1))});
    };
    store_ = Batch{spare(t.at(0)), spare(t.at(1)), spare(t.at(2))};
  }
}

} // namespace engram::cl
