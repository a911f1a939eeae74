#pragma once
// Layers of the plastic and Hebbian families, wrapped for the feed-forward networks that presets
// build (one input batch in, one output batch out), and their registration as preset layer types:
//   "plastic_linear"  PlasticLinear (Miconi et al. 2018) run as a two-step episode per sample:
//                     the first pass imprints the fast trace H from (x, y), the second reads the
//                     input through W + alpha * H, so each sample's own Hebbian association shapes
//                     its representation. W, alpha, b and eta train by backprop. Without
//                     clipping the episode has a closed form, computed without the per-sample
//                     [B, in, out] traces (the layer's own two passes when clip > 0).
//   "hebbian_linear"  HebbianLinear features trained by its local rule only: in training mode every
//                     forward calls learn(x); the output carries no gradient, so backprop (and
//                     every strategy's penalty) never changes these weights.

#include <engram/layers/hebbian/hebbian_linear.h>
#include <engram/layers/plastic/plastic_linear.h>
#include <engram/models/layer_registry.h>

#include <torch/nn/cloneable.h>

#include <map>
#include <string>

namespace engram::models {

class PlasticFeedForwardImpl : public torch::nn::Cloneable<PlasticFeedForwardImpl> {
public:
  explicit PlasticFeedForwardImpl(const layers::PlasticLinearOptions& options);
  void reset() override;
  // x: [B, in_features] -> [B, out_features].
  at::Tensor forward(const at::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  layers::PlasticLinearOptions options;
  layers::PlasticLinear plastic{nullptr};
};
TORCH_MODULE(PlasticFeedForward);

class HebbianFeaturesImpl : public torch::nn::Cloneable<HebbianFeaturesImpl> {
public:
  explicit HebbianFeaturesImpl(const layers::HebbianLinearOptions& options);
  void reset() override;
  // x: [B, in_features] -> [B, out_features], without gradient; learns from x in training mode.
  at::Tensor forward(const at::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  layers::HebbianLinearOptions options;
  layers::HebbianLinear hebbian{nullptr};
};
TORCH_MODULE(HebbianFeatures);

// Adds "plastic_linear" and "hebbian_linear" to a layer-type table (called when the registry is
// first used, so the types exist however the library is linked).
void add_bio_layer_types(std::map<std::string, LayerType>& types);

} // namespace engram::models
