#pragma once
// Layer types a preset may name, by name. Built in: linear, relu, tanh, sigmoid, the convolutional
// family (conv2d, batchnorm2d, maxpool2d, avgpool2d, adaptive_avgpool2d, dropout, flatten:
// models/conv_layers.h; basic_block: models/residual_block.h) and the plastic and Hebbian families
// (plastic_linear, hebbian_linear: models/bio_layers.h). Other layer families
// (memories, ...) register themselves here to become usable in presets.

#include <engram/models/network.h>
#include <engram/models/preset.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace engram::models {

enum class ParamKind { kInteger, kNumber, kBool, kString };
const char* to_string(ParamKind kind);

// Builds a layer over flat inputs [in_features] (fully connected layers).
using FlatLayerBuilder = std::function<NetworkLayer(const LayerSpec& spec, int64_t in_features)>;
// Builds a layer over inputs of any per-sample shape ([features] or [C, H, W]); it sets the
// layer's out_shape, and rejects an input shape it cannot take with an error naming the layer
// (layer_label) and the shape.
using ShapedLayerBuilder =
    std::function<NetworkLayer(const LayerSpec& spec, const Shape& in_shape)>;

struct LayerType {
  LayerType() = default;
  LayerType(std::map<std::string, ParamKind> params_, std::vector<std::string> required_,
            FlatLayerBuilder build_)
      : params(std::move(params_)), required(std::move(required_)), build(std::move(build_)) {}
  LayerType(std::map<std::string, ParamKind> params_, std::vector<std::string> required_,
            ShapedLayerBuilder build_shaped_)
      : params(std::move(params_)), required(std::move(required_)),
        build_shaped(std::move(build_shaped_)) {}

  std::map<std::string, ParamKind> params; // accepted keys besides "type"
  std::vector<std::string> required;
  // Exactly one of the two is set. A flat layer after a layer with a [C, H, W] output is an error
  // (a "flatten" layer goes between them); as the first layer it reads the input flattened.
  FlatLayerBuilder build;
  ShapedLayerBuilder build_shaped;
};

// "$.layers[3] (conv2d)": how errors name a layer.
std::string layer_label(const LayerSpec& spec);

// Adds or replaces a layer type.
void register_layer_type(const std::string& name, LayerType type);
// nullptr when unknown.
const LayerType* find_layer_type(const std::string& name);
std::vector<std::string> layer_type_names();

// The preset's body followed by a linear head with `num_outputs` units, over flat inputs.
Network build_network(const Preset& preset, int64_t in_features, int64_t num_outputs);
// The same over inputs of `input_shape` per sample (a benchmark's [C, H, W]): each layer's shape
// is inferred from the one before, and a layer that cannot take its input shape is an error naming
// the layer and both shapes. A preset with pretrained weights (Preset::pretrained) loads them.
Network build_network(const Preset& preset, const Shape& input_shape, int64_t num_outputs);

} // namespace engram::models
