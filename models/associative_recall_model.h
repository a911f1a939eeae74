#pragma once
// The model of the associative-recall task: every (key, value) symbol pair of an episode is
// encoded and appended to a KeyValueMemory; the query key is encoded the same way, read from the
// memory, and decoded into a symbol. The encoders, the decoder and the read sharpness are learned
// end to end through the differentiable read.
#include <engram/layers/memory/key_value_memory.h>
#include <engram/tasks/memory_tasks.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace engram::models {

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

/// Encoders, a KeyValueMemory and a decoder, trained end to end on associative recall.
///
/// Example:
/// ```
/// AssociativeRecallModel model(AssociativeRecallModelOptions(/*symbols=*/32, /*pairs=*/20,
///                                                            /*width=*/32));
/// const tasks::AssociativeRecallBatch episode = tasks::associative_recall(16, 20, 32);
/// at::Tensor loss = at::cross_entropy_loss(model(episode), episode.answer);
/// ```
class AssociativeRecallModelImpl : public torch::nn::Cloneable<AssociativeRecallModelImpl> {
public:
  explicit AssociativeRecallModelImpl(AssociativeRecallModelOptions options_);

  /// Registers the encoders, the memory and the decoder (in that order of initialisation).
  void reset() override;

  /// Writes the episode's pairs into a fresh memory and returns the logits [B, symbols] of the
  /// answer to its query.
  at::Tensor forward(const tasks::AssociativeRecallBatch& episode);

  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  AssociativeRecallModelOptions options;

  torch::nn::Linear key_encoder{nullptr}, value_encoder{nullptr}, decoder{nullptr};
  layers::memory::KeyValueMemory memory{nullptr};
};

/// A `ModuleHolder` subclass for `AssociativeRecallModelImpl`.
TORCH_MODULE(AssociativeRecallModel);

} // namespace engram::models
