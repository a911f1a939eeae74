#pragma once
// Complementary learning systems (McClelland, McNaughton & O'Reilly 1995) as a composed model: a
// hippocampus that stores each episode in one shot (a KeyValueMemory: key the input, value the
// one-hot response; recall by cosine similarity, sharpened by recall_sharpness) and a cortex that
// learns slowly (an MLP trained by plain SGD at cortex_learning_rate). The system's answer mixes
// both, softmax(cortex) and the hippocampus's recalled response, weighted by how well the cue
// matches a stored key (so an empty or lesioned store leaves the cortex alone). Cortical learning
// is either focused (train_cortex on the new items only) or interleaved (sleep: replay of the
// stored episodes, old and new together, in random minibatches).
// Simplified: no hippocampal decay or capacity limit within a run, no generative reactivation, no
// separate consolidation-dependent weakening of the hippocampal trace (lesion() removes it).
#include <engram/layers/memory/key_value_memory.h>

#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

namespace engram::models::circuits {

struct ComplementaryLearningSystemOptions {
  ComplementaryLearningSystemOptions(int64_t input_size, int64_t num_responses)
      : input_size_(input_size), num_responses_(num_responses) {}
  /// Size of an input (a stimulus, with its context), >= 1.
  TORCH_ARG(int64_t, input_size);
  /// Number of possible responses (classes), >= 2.
  TORCH_ARG(int64_t, num_responses);
  /// Hidden units of the cortical network, >= 1.
  TORCH_ARG(int64_t, hidden) = 100;
  /// Episodes the hippocampus can hold, >= 1.
  TORCH_ARG(int64_t, store_capacity) = 1000;
  /// SGD step size of the cortex, a number in (0, 10].
  TORCH_ARG(double, cortex_learning_rate) = 0.1;
  /// Episodes per cortical update (focused or sleep), >= 1.
  TORCH_ARG(int64_t, batch_size) = 16;
  /// beta of the hippocampus's cosine recall, > 0.
  TORCH_ARG(double, recall_sharpness) = 30.0;
};

/// Hippocampus ("hippocampus", a KeyValueMemory) and cortex ("cortex", Linear-ReLU-Linear).
///
/// Example:
/// ```
/// ComplementaryLearningSystem cls(ComplementaryLearningSystemOptions(/*input=*/40, 10));
/// cls->encode(x, y);           // one-shot hippocampal storage
/// cls->sleep(/*steps=*/200);   // interleaved replay to the cortex
/// cls->lesion();               // the cortex alone from now on
/// double acc = cls->accuracy(x, y);
/// ```
class ComplementaryLearningSystemImpl
    : public torch::nn::Cloneable<ComplementaryLearningSystemImpl> {
public:
  ComplementaryLearningSystemImpl(int64_t input_size, int64_t num_responses)
      : ComplementaryLearningSystemImpl(
            ComplementaryLearningSystemOptions(input_size, num_responses)) {}
  explicit ComplementaryLearningSystemImpl(ComplementaryLearningSystemOptions options_);

  /// Registers the cortex and the hippocampus, then calls reset_parameters().
  void reset() override;
  /// A new random cortex and an empty hippocampus.
  void reset_parameters();

  /// Stores episodes: inputs [N, input_size], responses [N] (int64) in the hippocampus.
  void encode(const at::Tensor& x, const at::Tensor& y);
  /// Focused cortical learning: `steps` SGD steps on minibatches of these items only.
  void train_cortex(const at::Tensor& x, const at::Tensor& y, int64_t steps);
  /// Sleep: `steps` SGD steps on minibatches replayed from everything the hippocampus holds.
  void sleep(int64_t steps);
  /// Removes the hippocampus (its store is emptied).
  void lesion();

  /// Cortical logits [B, num_responses].
  at::Tensor cortex_logits(const at::Tensor& x);
  /// The system's response probabilities [B, num_responses] (cortex and hippocampus).
  at::Tensor forward(const at::Tensor& x);
  /// Fraction of items whose most probable response is y (system when `system`, else cortex).
  double accuracy(const at::Tensor& x, const at::Tensor& y, bool system = true);

  int64_t stored() const;
  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  ComplementaryLearningSystemOptions options;

private:
  void check_items(const char* fn, const at::Tensor& x, const at::Tensor& y) const;
  void sgd_steps(const at::Tensor& x, const at::Tensor& y, int64_t steps);

  torch::nn::Sequential cortex_{nullptr};
  layers::memory::KeyValueMemory hippocampus_{nullptr};
};

/// A `ModuleHolder` subclass for `ComplementaryLearningSystemImpl`.
TORCH_MODULE(ComplementaryLearningSystem);

} // namespace engram::models::circuits
