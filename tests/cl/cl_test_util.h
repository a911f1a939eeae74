#pragma once
// Shared fixtures for the continual-learning tests: a small synthetic stream and a small MLP.

#include <engram/cl/strategy_registry.h>
#include <engram/data/dataset.h>
#include <engram/data/stream.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>
#include <engram/train/continual_trainer.h>

#include <ATen/Parallel.h>

#include <string>

namespace engram::testing {

inline models::Preset small_mlp_preset(int hidden = 64) {
  return models::parse_preset(R"({"name": "test-mlp", "layers": [
      {"type": "linear", "out_features": )" +
                                  std::to_string(hidden) + R"(}, {"type": "relu"},
      {"type": "linear", "out_features": )" +
                                  std::to_string(hidden) + R"(}, {"type": "relu"}]})",
                              "test");
}

// Two tasks of the synthetic dataset under a domain-IL permuted protocol: the same output units,
// different inputs, so that learning the second task overwrites the first.
inline data::Stream two_task_stream(data::Scenario scenario = data::Scenario::kDomain,
                                    uint64_t seed = 3) {
  data::SyntheticDatasetOptions o;
  o.num_classes = 4;
  o.rows = 6;
  o.cols = 6;
  o.train_per_class = 150;
  o.test_per_class = 100;
  o.noise = 0.6; // noisy enough that the second task's training disturbs the first's features
  o.seed = seed;
  return data::make_permuted_stream(data::make_synthetic_dataset(o), scenario, {2, seed});
}

inline train::RunResult run_strategy(const data::Stream& stream, const std::string& name,
                                     const cl::OptionOverrides& hp, train::TrainerConfig cfg) {
  at::set_num_threads(1); // tiny models: threads only add contention on a shared machine
  auto strategy = cl::make_strategy(name, hp, cfg.seed);
  const auto preset = small_mlp_preset();
  const int64_t in = stream.input_dim(), out = stream.num_outputs();
  return train::run_continual(
      stream, *strategy, [&] { return models::build_network(preset, in, out); }, cfg);
}

} // namespace engram::testing
