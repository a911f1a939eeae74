#pragma once
// The model of the associative-recall task: every (key, value) symbol pair of an episode is
// encoded and appended to a KeyValueMemory; the query key is encoded the same way, read from the
// memory, and decoded into a symbol. The encoders, the decoder and the read sharpness are learned
// end to end through the differentiable read.
#include <engram/layers/memory/key_value_memory.h>
#include <engram/layers/memory/memory_tasks.h>
#include <torch/nn/modules/linear.h>

namespace engram::layers::memory {

struct AssociativeRecallModelOptions {
  AssociativeRecallModelOptions(int64_t symbols, int64_t pairs, int64_t width)
      : symbols_(symbols), pairs_(pairs), width_(width) {}
  /// Size of the symbol alphabet (keys and values).
  TORCH_ARG(int64_t, symbols);
  /// Pairs per episode: the memory's capacity.
  TORCH_ARG(int64_t, pairs);
  /// Size of the encoded keys and values.
  TORCH_ARG(int64_t, width);
  /// Initial read sharpness of the memory.
  TORCH_ARG(double, beta) = 5.0;
};

class AssociativeRecallModelImpl : public torch::nn::Module {
public:
  explicit AssociativeRecallModelImpl(AssociativeRecallModelOptions options);

  /// Writes the episode's pairs into a fresh memory and returns the logits [B, symbols] of the
  /// answer to its query.
  at::Tensor forward(const tasks::AssociativeRecallBatch& episode);

  const AssociativeRecallModelOptions& options() const { return options_; }
  void pretty_print(std::ostream& stream) const override;

  torch::nn::Linear key_encoder{nullptr}, value_encoder{nullptr}, decoder{nullptr};
  KeyValueMemory memory{nullptr};

private:
  AssociativeRecallModelOptions options_;
};

TORCH_MODULE(AssociativeRecallModel);

} // namespace engram::layers::memory
