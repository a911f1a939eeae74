#pragma once
// Layer types a preset may name, by name. Built in: linear, relu, tanh, sigmoid, and the plastic
// and Hebbian families (plastic_linear, hebbian_linear: models/bio_layers.h). Other layer families
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

struct LayerType {
  std::map<std::string, ParamKind> params; // accepted keys besides "type"
  std::vector<std::string> required;
  std::function<NetworkLayer(const LayerSpec& spec, int64_t in_features)> build;
};

// Adds or replaces a layer type.
void register_layer_type(const std::string& name, LayerType type);
// nullptr when unknown.
const LayerType* find_layer_type(const std::string& name);
std::vector<std::string> layer_type_names();

// The preset's body followed by a linear head with `num_outputs` units.
Network build_network(const Preset& preset, int64_t in_features, int64_t num_outputs);

} // namespace engram::models
