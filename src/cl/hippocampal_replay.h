#pragma once
// Hippocampal replay: experiences are stored in a KeyValueMemory (key: the input, value: its output
// unit and task) and recalled by content. A few samples of every current batch (8) cue the store;
// each recalls its share of the replayed items from the memory's softmax read weights over
// beta * cosine(cue, key), so stored experiences that resemble the current ones (those its
// training interferes with most) are reactivated more often; beta = 0 recalls uniformly.
// Storage keeps a uniform sample of the stream: an item is admitted with probability
// buffer_size / seen (reservoir), appended into the next empty slot while there is one, else over
// a random slot.
// As many items are replayed as the batch holds; replayed samples keep their task.
#include <engram/cl/strategy.h>
#include <engram/layers/memory/key_value_memory.h>

#include <torch/arg.h>

namespace engram::cl {

struct HippocampalReplayOptions {
  /// Experiences the memory holds.
  TORCH_ARG(int64_t, buffer_size) = 1000;
  /// Sharpness of recall by content, softmax(beta * cosine(cue, key)); 0 recalls uniformly.
  TORCH_ARG(double, beta) = 2;
};

class HippocampalReplayStrategy : public StrategyWithOptions<HippocampalReplayOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "hippocampal-replay"; }
  void begin(StrategyContext& ctx) override;
  Batch compose_batch(StrategyContext& ctx, Batch current) override;
  void after_step(StrategyContext& ctx, const Batch& batch) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  const layers::memory::KeyValueMemory& memory() const { return memory_; }
  int64_t stored() const;
  int64_t seen() const { return seen_; }

private:
  void store(StrategyContext& ctx, const Batch& batch);

  layers::memory::KeyValueMemory memory_{nullptr};
  int64_t seen_ = 0;
  Batch pending_; // the current-task samples of the latest batch, stored after the step
};
} // namespace engram::cl
