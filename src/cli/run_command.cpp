// `engram run PRESET --benchmark B --scenario S --strategy X`: one continual-learning run.
#include <engram/cli/cl_options.h>
#include <engram/cli/commands.h>
#include <engram/cli/results_document.h>

#include <engram/cl/strategy_registry.h>
#include <engram/core/join.h>
#include <engram/data/benchmark.h>
#include <engram/io/atomic_file.h>
#include <engram/train/experiment.h>
#include <engram/train/learning_rule.h>
#include <engram/train/seed_summary.h>

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace engram::cli {

namespace {
struct RunOptions {
  std::string preset;
  std::string out = "results/run.json";
  std::string checkpoint;
  std::vector<std::string> hp;
  std::string seeds; // "0-4", "0,3,7": one run per seed (overrides --seed)
  int threads = 0;
  bool quiet = false;
  std::string stream = "continual";
  DeviceOptions device;
  train::ExperimentSpec spec;
};

// The checkpoint of one seed: the --checkpoint (default OUT with .ckpt) itself for a single seed,
// else with "-s<seed>" before the extension.
std::string seed_checkpoint(const RunOptions& o, uint64_t seed, bool several) {
  namespace fs = std::filesystem;
  fs::path p =
      o.checkpoint.empty() ? fs::path(o.out).replace_extension(".ckpt") : fs::path(o.checkpoint);
  if (several)
    p.replace_filename(p.stem().string() + "-s" + std::to_string(seed) + p.extension().string());
  return p.string();
}

void run(const RunOptions& o) {
  if (o.threads > 0)
    at::set_num_threads(o.threads);
  apply_device_options(o.device); // an unknown device fails before anything is read
  train::ExperimentSpec spec = o.spec;
  spec.benchmark = benchmark_for_stream(spec.benchmark, o.stream);
  spec.device = o.device.device;
  spec.preset = models::load_preset(locate(o.preset));
  cl::strategy_info(spec.strategy); // an unknown strategy fails before the data are loaded
  for (const auto& h : o.hp)
    cl::parse_strategy_option(spec.strategy, h, spec.overrides);
  const std::vector<uint64_t> seeds =
      o.seeds.empty() ? std::vector<uint64_t>{spec.seed} : train::parse_seed_list(o.seeds);
  const bool several = seeds.size() > 1;
  spec.progress = !o.quiet;
  // Every output is checked before the data are read and the training starts.
  check_output_file("--out", o.out);
  for (uint64_t seed : seeds) {
    const std::string ckpt = seed_checkpoint(o, seed, several);
    check_output_file("--checkpoint", ckpt);
    check_distinct_outputs("--out", o.out, "--checkpoint", ckpt);
    if (spec.resume && !std::filesystem::exists(ckpt))
      std::cerr << "engram run: no checkpoint at " << ckpt << "; starting from the first task\n";
  }
  const auto bench = data::parse_benchmark(spec.benchmark);
  std::vector<train::RunRecord> records;
  data::Dataset dataset;
  for (size_t i = 0; i < seeds.size(); ++i) {
    spec.seed = seeds[i];
    spec.checkpoint = seed_checkpoint(o, seeds[i], several);
    if (i == 0 || bench.dataset == "synthetic") // the synthetic data are drawn from the seed
      dataset = data::load_benchmark_dataset(bench, spec.data_dir, spec.seed);
    if (several)
      std::cerr << "[seed " << seeds[i] << ", " << i + 1 << "/" << seeds.size() << "]\n";
    records.push_back(train::run_experiment(spec, dataset));
    const nlohmann::json runs = nlohmann::json::parse(train::records_to_json(records))["runs"];
    io::write_file_atomically(o.out, make_results_document(runs, nullptr, nullptr).dump(2) + "\n");
  }
  if (!several) {
    const train::RunRecord& record = records.front();
    if (record.status != "skipped")
      std::cout << train::format_accuracy_matrix(record) << "\n";
    std::cout << train::format_results_table(records);
    std::cout << "results: " << o.out << "   checkpoint: " << spec.checkpoint << "\n";
    return;
  }
  const nlohmann::json runs = nlohmann::json::parse(train::records_to_json(records))["runs"];
  std::cout << train::format_seed_table(summarize_runs(runs));
  std::cout << "results: " << o.out << " (every seed's accuracy matrix)   checkpoints: "
            << seed_checkpoint(o, seeds.front(), true) << " ...\n";
}
} // namespace

void add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand(
      "run", "Train a model preset on a continual-learning stream and measure forgetting");
  cmd->add_option("preset", o->preset, "Model preset (JSON), e.g. models/mlp-2x400.json")
      ->required();
  cmd->add_option(
         "--benchmark", o->spec.benchmark,
         "split|permuted|rotated[-fmnist|-mnist|-cifar10|-cifar100|-synthetic]; a bare protocol "
         "needs --data-dir")
      ->capture_default_str();
  cmd->add_option("--scenario", o->spec.scenario, "task | domain | class")->capture_default_str();
  const std::string strategy_help = join(cl::strategy_names(), " | ");
  cmd->add_option("--strategy", o->spec.strategy, strategy_help)->capture_default_str();
  add_stream_option(*cmd, o->stream);
  cmd->add_option("--learning", o->spec.learning,
                  "Learning rule of the whole model, instead of the preset's: " +
                      join(learning::learning_rule_names(), " | ") + " (engram learning-rules)")
      ->check(CLI::IsMember(learning::learning_rule_names()));
  add_batch_manhattan_option(*cmd, o->spec.batch_manhattan);
  cmd->add_option("--hp", o->hp,
                  "Strategy hyperparameter key=value (repeatable), e.g. --hp lambda=5000");
  cmd->add_option("--protocol", o->spec.protocol,
                  "quick (reduced iterations) | full (paper protocol)")
      ->capture_default_str();
  cmd->add_option("--iterations", o->spec.iterations,
                  "Iterations per task (overrides the protocol)")
      ->check(integer_in(1, kMaxIterations));
  cmd->add_option("--batch-size", o->spec.batch_size, "Batch size (overrides the preset)")
      ->check(integer_in(1, kMaxBatchSize));
  cmd->add_option("--lr", o->spec.lr, "Learning rate (overrides the preset)")
      ->check(finite_positive());
  cmd->add_option("--tasks", o->spec.num_tasks,
                  "Number of tasks (default: split 5, permuted 10, rotated 5)")
      ->check(integer_in(1, kMaxTasks));
  auto* seed =
      cmd->add_option("--seed", o->spec.seed, "Seed of initialisation, permutations, sampling")
          ->check(unsigned_integer())
          ->capture_default_str();
  cmd->add_option("--seeds", o->seeds,
                  "Seeds, each its own run and checkpoint (OUT-s<seed>.ckpt): 0-4, 0,3,7; the "
                  "table shows mean ± sd")
      ->excludes(seed);
  cmd->add_flag("--shuffle-classes", o->spec.shuffle_classes,
                "Split: class order drawn from the seed");
  cmd->add_option("--data-dir", o->spec.data_dir,
                  "MNIST-format or CIFAR-format directory to use instead of the default");
  cmd->add_option("--augment", o->spec.augment,
                  "Training augmentation: none | standard (4-pixel random crop + flip)")
      ->check(CLI::IsMember({"none", "standard"}))
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Results JSON (docs/results-schema.md)")->capture_default_str();
  cmd->add_option("--checkpoint", o->checkpoint,
                  "Checkpoint written after every task (default: OUT with .ckpt)");
  cmd->add_flag("--resume", o->spec.resume, "Continue from the checkpoint if there is one");
  cmd->add_option("--stop-after-task", o->spec.stop_after_task,
                  "Stop after this task (0-based) is checkpointed, as if killed");
  // For `compare --hp-grid`: train on the rest, evaluate on this held-out part of the training set.
  cmd->add_option("--validation-fraction", o->spec.validation_fraction,
                  "Evaluate on this fraction of each task's training set, held out (not the test "
                  "set)")
      ->check(number_in(0.01, 0.5));
  add_evaluation_options(*cmd, o->spec.eval_every, o->spec.eval_tasks);
  add_eval_during_option(*cmd, o->spec.eval_during);
  add_pad_option(*cmd, o->spec.pad);
  cmd->add_option("--threads", o->threads, "Intra-op threads (default: LibTorch's)")
      ->check(integer_in(1, kMaxThreads));
  cmd->add_flag("--quiet", o->quiet, "No progress display");
  add_device_options(*cmd, o->device);
  cmd->callback([o] { run(*o); });
}

} // namespace engram::cli
