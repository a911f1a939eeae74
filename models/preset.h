#pragma once
// Model presets: JSON files under models/ that say which layers a network has, how it is trained
// (the paper protocol and the reduced "quick" one) and the strategies' hyperparameters.
// Schema in docs/cl.md. Unknown keys and wrong types are errors naming the JSON path.

#include <engram/cl/strategy_option.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace engram::models {

struct LayerSpec {
  std::string type;
  std::string path; // JSON path, e.g. "$.layers[2]", for error messages
  std::map<std::string, double> numbers;
  std::map<std::string, bool> flags;
  std::map<std::string, std::string> strings;
  // The layer's learning rule ("learning", linear and conv2d layers; engram/train/learning_rule.h);
  // empty: the model's.
  std::string learning;
};

struct TrainingSpec {
  std::string optimizer = "adam";
  double lr = 1e-3;
  int64_t batch_size = 128;
  int64_t iterations = 2000;      // per task, paper protocol
  int64_t quick_iterations = 200; // per task, default reduced protocol
  // Batch Manhattan (Liao et al. 2016): every gradient is replaced by its sign before the
  // optimizer step.
  bool batch_manhattan = false;
};

struct Preset {
  std::string name;
  std::string description;
  std::string source; // file it was read from
  std::vector<LayerSpec> layers;
  // Pre-trained weights for the body (models/pretrained.h), loaded whenever the network is built;
  // a relative path in the JSON is relative to the preset file's directory. Empty: none.
  std::string pretrained;
  TrainingSpec training;
  // The model's learning rule ("learning"; engram/train/learning_rule.h); empty: bp.
  std::string learning;
  std::map<std::string, cl::OptionOverrides> strategies; // strategy -> option values (checked)
};

Preset parse_preset(const std::string& json_text, const std::string& source = "<string>");
Preset load_preset(const std::string& path);

} // namespace engram::models
