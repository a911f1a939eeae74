#pragma once
// A small class-IL stream for the replay-family baselines: the synthetic dataset's classes split
// into two tasks, so that naive fine-tuning forgets the first task's classes almost entirely.
#include <engram/data/dataset.h>
#include <engram/data/stream.h>

namespace engram::testing {

inline data::Stream two_task_class_il_stream(uint64_t seed = 3, int64_t classes = 4) {
  data::SyntheticDatasetOptions o;
  o.num_classes = classes;
  o.rows = 6;
  o.cols = 6;
  o.train_per_class = 150;
  o.test_per_class = 100;
  o.noise = 0.4;
  o.seed = seed;
  return data::make_split_stream(data::make_synthetic_dataset(o), data::Scenario::kClass,
                                 {2, false, seed});
}

} // namespace engram::testing
