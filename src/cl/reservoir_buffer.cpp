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
    store_.x = at::zeros({capacity_, batch.x.size(1)}, batch.x.options());
    store_.y = at::zeros({capacity_}, batch.y.options());
    store_.task = at::zeros({capacity_}, batch.task.options());
  }
  // Draw one slot candidate per sample in a single call: slot i is uniform in [0, seen_ + i].
  at::Tensor upper = at::arange(seen_ + 1, seen_ + n + 1, at::kDouble);
  at::Tensor slots = (at::rand({n}, generator, at::kDouble) * upper).floor().to(at::kLong);
  const auto* s = slots.data_ptr<int64_t>();
  // Sequential algorithm R, decided on integers; a slot drawn twice keeps the later sample.
  std::vector<int64_t> owner(static_cast<size_t>(capacity_), -1);
  for (int64_t i = 0; i < n; ++i) {
    if (seen_ < capacity_)
      owner[static_cast<size_t>(seen_)] = i;
    else if (s[i] < capacity_)
      owner[static_cast<size_t>(s[i])] = i;
    ++seen_;
  }
  size_ = std::min(seen_, capacity_);
  std::vector<int64_t> src, dst;
  for (int64_t slot = 0; slot < capacity_; ++slot) {
    if (owner[static_cast<size_t>(slot)] >= 0) {
      src.push_back(owner[static_cast<size_t>(slot)]);
      dst.push_back(slot);
    }
  }
  if (src.empty())
    return;
  const at::Tensor from = at::tensor(src, at::kLong), to = at::tensor(dst, at::kLong);
  store_.x.index_copy_(0, to, batch.x.index_select(0, from));
  store_.y.index_copy_(0, to, batch.y.index_select(0, from));
  store_.task.index_copy_(0, to, batch.task.index_select(0, from));
}

Batch ReservoirBuffer::sample(int64_t n, at::Generator& generator) const {
  if (size_ == 0 || n <= 0)
    return Batch{};
  at::Tensor idx = at::randint(size_, {n}, generator, at::kLong);
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
