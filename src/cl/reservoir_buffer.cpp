#include <engram/cl/reservoir_buffer.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace engram::cl {

ReservoirBuffer::ReservoirBuffer(int64_t capacity) : capacity_(capacity) {
  TORCH_CHECK(capacity > 0, "ReservoirBuffer: argument 'capacity' expected > 0, got ", capacity);
}

at::Tensor hash_multipliers(int64_t dim) {
  // From a fixed seed, not the run's generator: the draws of a run are unchanged.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(0x5eed0f5a3b1eULL);
  return at::randint(1LL << 62, {dim + 2}, gen, at::kLong) * 2 + 1;
}

at::Tensor sample_hashes(const Batch& b, at::Tensor mult) {
  at::Tensor x = b.x.reshape({b.size(), -1}).contiguous();
  at::Tensor bits;
  if (x.scalar_type() == at::kDouble)
    bits = x.view(at::kLong);
  else
    bits = x.to(at::kFloat).view(at::kInt).to(at::kLong);
  // Integer sums wrap modulo 2^64: the hash does not depend on the order of the summation.
  const int64_t D = bits.size(1);
  if (!mult.defined() || mult.size(0) != D + 2)
    mult = hash_multipliers(D);
  mult = mult.to(bits.device());
  return (bits * mult.narrow(0, 0, D)).sum(1) + b.y.to(at::kLong) * mult[D] +
         b.task.to(at::kLong) * mult[D + 1];
}

void ReservoirBuffer::add(const Batch& offered, at::Generator& generator) {
  if (offered.size() == 0)
    return;
  // Only the samples not stored yet, each once.
  const int64_t dim = offered.x.numel() / offered.size();
  if (!multipliers_.defined() || multipliers_.size(0) != dim + 2)
    multipliers_ = hash_multipliers(dim).to(offered.x.device());
  const at::Tensor h = sample_hashes(offered, multipliers_);
  const at::Tensor positions = at::arange(offered.size(), h.options());
  at::Tensor repeated = ((h.unsqueeze(1) == h.unsqueeze(0))
                             .logical_and_(positions.unsqueeze(1) > positions.unsqueeze(0)))
                            .any(1);
  if (size_ > 0)
    repeated.logical_or_((h.unsqueeze(1) == hashes_.narrow(0, 0, size_).unsqueeze(0)).any(1));
  const at::Tensor fresh = repeated.logical_not().nonzero().reshape(-1);
  const Batch batch{offered.x.index_select(0, fresh), offered.y.index_select(0, fresh),
                    offered.task.index_select(0, fresh)};
  const at::Tensor batch_hashes = h.index_select(0, fresh);
  const int64_t n = batch.size();
  if (n == 0)
    return;
  if (!store_.x.defined()) {
    store_.x = at::zeros({capacity_ + 1, batch.x.size(1)}, batch.x.options());
    store_.y = at::zeros({capacity_ + 1}, batch.y.options());
    store_.task = at::zeros({capacity_ + 1}, batch.task.options());
    hashes_ = at::zeros({capacity_ + 1}, batch_hashes.options());
  }
  // The slots are decided on the batch's device (only the count of fresh samples above is read
  // back to the host).
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
  hashes_.index_copy_(0, to, batch_hashes);
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
    multipliers_ = hash_multipliers(store_.x.numel() / store_.size()).to(store_.x.device());
    hashes_ = sample_hashes(store_, multipliers_);
  }
}

} // namespace engram::cl
