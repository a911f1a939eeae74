#pragma once
// One continual-learning experiment from names (preset, benchmark, scenario, strategy), as the
// `engram run` and `engram compare` commands run it, and its results as JSON (schema in
// docs/results-schema.md) and as a printed table.

#include <engram/train/continual_trainer.h>

#include <engram/cl/strategy.h>
#include <engram/cl/strategy_option.h>
#include <engram/data/dataset.h>
#include <engram/models/preset.h>

#include <string>
#include <vector>

namespace engram::train {

struct ExperimentSpec {
  models::Preset preset;
  std::string benchmark = "split-fmnist";
  std::string scenario = "class";
  std::string strategy = "naive";
  cl::OptionOverrides overrides;  // on top of the preset's options for the strategy
  std::string protocol = "quick"; // quick: preset's quick_iterations; full: the paper's iterations
  int64_t iterations = 0;         // > 0 overrides the protocol
  int64_t batch_size = 0;         // > 0 overrides the preset
  double lr = 0;                  // > 0 overrides the preset
  int64_t num_tasks = 0;          // > 0 overrides the benchmark's default
  uint64_t seed = 0;
  bool shuffle_classes = false;
  std::string data_dir;
  std::string augment = "none"; // none | standard (random crop + flip of training batches)
  std::string checkpoint;
  bool resume = false;
  int64_t stop_after_task = -1;
  bool progress = true;
  std::string device = "cpu"; // cpu | cuda | cuda:N | auto (parse_device); not in the fingerprint
  // > 0: trained on the rest of each task's training set and evaluated on this fraction of it,
  // held out (data/validation_split.h); the test set is not used (hyperparameter search).
  double validation_fraction = 0;
  // The accuracy matrix's evaluation schedule (TrainerConfig::eval_every, eval_seen_only):
  // after every `eval_every`-th task; `eval_tasks` "all" or "seen" (the seen tasks and the next).
  int64_t eval_every = 1;
  std::string eval_tasks = "all";
  // Non-empty: the model's learning rule instead of the preset's (engram/train/learning_rule.h);
  // the record's preset is then named "<preset>+<rule>".
  std::string learning;
  bool batch_manhattan = false; // or the preset's training.batch_manhattan
  // > 0: accuracy on the tasks trained so far every `eval_during` iterations
  // (TrainerConfig::eval_during).
  int64_t eval_during = 0;
  // > 0: every image padded to pad x pad pixels (black, centred) before the stream is built, e.g.
  // 32 for van de Ven et al.'s permuted MNIST (data::pad_dataset).
  int64_t pad = 0;
};

struct RunRecord {
  std::string benchmark;
  std::string dataset; // name or directory
  std::string scenario;
  std::string strategy;
  cl::OptionValues hyperparameters; // every option of the strategy
  std::string preset;
  std::string preset_file;
  std::string protocol;
  int64_t iterations = 0;
  int64_t batch_size = 0;
  double lr = 0;
  std::string optimizer;
  uint64_t seed = 0;
  std::string augment = "none";
  std::vector<std::string> task_descriptions;
  std::string status = "ok";  // ok | partial | skipped
  std::string note;           // why skipped
  std::string device;         // where it ran: "cpu", "cuda:0"
  bool deterministic = false; // LibTorch's deterministic algorithms were on (--deterministic)
  RunResult result;
  double validation_fraction = 0; // > 0: evaluated on a validation split, not on the test set
  int64_t eval_every = 1;         // the accuracy matrix's evaluation schedule
  std::string eval_tasks = "all"; // all | seen
  std::string learning = "bp";    // the model's learning rule
  bool batch_manhattan = false;
  int64_t eval_during = 0; // TrainerConfig::eval_during (0: off)
  int64_t pad = 0;         // ExperimentSpec::pad (0: none)
};

// Runs the experiment on an already loaded dataset (compare loads it once for the whole grid).
// A strategy that does not apply to the scenario gives a record with status "skipped".
RunRecord run_experiment(const ExperimentSpec& spec, const data::Dataset& dataset);

// JSON document {"schema": "engram.cl.results/2", ..., "runs": [...]}.
std::string records_to_json(const std::vector<RunRecord>& records);
// One row per run: scenario, strategy, preset, ACC, BWT, FWT, forgetting, seconds, peak MiB.
std::string format_results_table(const std::vector<RunRecord>& records);
// R[i][j] of one run as a text matrix.
std::string format_accuracy_matrix(const RunRecord& record);

} // namespace engram::train
