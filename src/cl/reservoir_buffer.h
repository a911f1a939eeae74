#pragma once
// A fixed-size memory of samples kept by reservoir sampling (Vitter's algorithm R): after n samples
// have been offered, each of them is in the buffer with probability capacity / n, whatever the
// order they came in. Used by experience replay.
//
// The buffer never holds two copies of one sample: a sample equal to one already stored, or to an
// earlier one of the same batch (same pixels, label and task), is not offered (and not counted in
// seen()). Samples are compared by a 64-bit hash of their exact bytes (collisions: ~n^2 / 2^64).

#include <engram/cl/strategy.h>

#include <ATen/core/Generator.h>

namespace engram::cl {

class ReservoirBuffer {
public:
  explicit ReservoirBuffer(int64_t capacity);

  // Offers every sample of `batch` that the buffer does not hold yet to the reservoir.
  void add(const Batch& batch, at::Generator& generator);
  // `n` stored samples drawn uniformly with replacement; an empty batch when nothing is stored.
  Batch sample(int64_t n, at::Generator& generator) const;

  int64_t capacity() const { return capacity_; }
  int64_t size() const { return size_; }
  int64_t seen() const { return seen_; }
  // The stored samples (first size() rows).
  Batch contents() const;

  void save(torch::serialize::OutputArchive& archive, const std::string& prefix) const;
  void load(torch::serialize::InputArchive& archive, const std::string& prefix);

private:
  int64_t capacity_;
  int64_t size_ = 0;
  int64_t seen_ = 0;
  // Allocated on first add, on the batch's device, with one spare row past capacity_ that takes
  // the samples not kept (so that an add is a fixed-shape write, without a wait for the device).
  Batch store_;
  at::Tensor hashes_;      // int64 [capacity_ + 1]: the hash of each stored sample
  at::Tensor multipliers_; // hash_multipliers of the samples' size, on their device
};

// A 64-bit hash of each sample of `batch` (int64 [B]) from the exact bytes of its image, its label
// and its task: equal samples have equal hashes on every device. `multipliers`: those of
// hash_multipliers for the batch's image size (computed when undefined).
at::Tensor sample_hashes(const Batch& batch, at::Tensor multipliers = {});
// The hash's odd int64 multipliers for images of `dim` values (dim + 2 of them), from a fixed seed.
at::Tensor hash_multipliers(int64_t dim);

} // namespace engram::cl
