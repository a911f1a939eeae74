#pragma once
// A reservoir sample (Vitter's algorithm R) of training samples together with the logits the model
// gave them when they were stored: the memory of Dark Experience Replay (Buzzega et al. 2020).
// After n samples have been offered, each is held with probability capacity / n. The slots are
// decided on the host from the CPU generator's draws, so an insertion never waits for the device.

#include <engram/cl/strategy.h>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <string>

namespace engram::cl {

struct LogitSample {
  Batch batch;
  at::Tensor logits; // float [n, num_outputs], as stored
  int64_t size() const { return batch.x.defined() ? batch.size() : 0; }
};

class LogitReservoir {
public:
  explicit LogitReservoir(int64_t capacity);

  // Offers every sample of `batch`, with its logits `logits` ([B, O], detached), to the reservoir.
  void add(const Batch& batch, const at::Tensor& logits, at::Generator& generator);
  // min(n, size()) distinct stored samples drawn uniformly (as Mammoth's buffer draws them); empty
  // when nothing is stored.
  LogitSample sample(int64_t n, at::Generator& generator) const;

  int64_t capacity() const { return capacity_; }
  int64_t size() const { return size_; }
  int64_t seen() const { return seen_; }
  // The stored samples (first size() rows).
  LogitSample contents() const;

  void save(torch::serialize::OutputArchive& archive, const std::string& prefix) const;
  void load(torch::serialize::InputArchive& archive, const std::string& prefix);

private:
  int64_t capacity_;
  int64_t size_ = 0;
  int64_t seen_ = 0;
  LogitSample store_; // capacity_ rows, allocated on the first add on the batch's device
};

} // namespace engram::cl
