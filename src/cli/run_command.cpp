// `engram run PRESET --benchmark B --scenario S --strategy X`: one continual-learning run.
#include <engram/cli/cl_options.h>
#include <engram/cli/commands.h>

#include <engram/cl/strategy_registry.h>
#include <engram/core/join.h>
#include <engram/data/benchmark.h>
#include <engram/io/atomic_file.h>
#include <engram/train/experiment.h>

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
  int threads = 0;
  bool quiet = false;
  train::ExperimentSpec spec;
};

void run(const RunOptions& o) {
  if (o.threads > 0)
    at::set_num_threads(o.threads);
  train::ExperimentSpec spec = o.spec;
  spec.preset = models::load_preset(locate(o.preset));
  cl::strategy_info(spec.strategy); // an unknown strategy fails before the data are loaded
  for (const auto& h : o.hp)
    cl::parse_strategy_option(spec.strategy, h, spec.overrides);
  spec.checkpoint = o.checkpoint.empty()
                        ? std::filesystem::path(o.out).replace_extension(".ckpt").string()
                        : o.checkpoint;
  spec.progress = !o.quiet;
  // Every output is checked before the data are read and the training starts.
  check_output_file("--out", o.out);
  check_output_file("--checkpoint", spec.checkpoint);
  check_distinct_outputs("--out", o.out, "--checkpoint", spec.checkpoint);
  if (spec.resume && !std::filesystem::exists(spec.checkpoint))
    std::cerr << "engram run: no checkpoint at " << spec.checkpoint
              << "; starting from the first task\n";
  const auto bench = data::parse_benchmark(spec.benchmark);
  const data::Dataset dataset = data::load_benchmark_dataset(bench, spec.data_dir, spec.seed);
  const train::RunRecord record = train::run_experiment(spec, dataset);
  io::write_file_atomically(o.out, train::records_to_json({record}));
  if (record.status != "skipped")
    std::cout << train::format_accuracy_matrix(record) << "\n";
  std::cout << train::format_results_table({record});
  std::cout << "results: " << o.out << "   checkpoint: " << spec.checkpoint << "\n";
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
  cmd->add_option("--seed", o->spec.seed, "Seed of initialisation, permutations, sampling")
      ->check(unsigned_integer())
      ->capture_default_str();
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
  cmd->add_option("--threads", o->threads, "Intra-op threads (default: LibTorch's)")
      ->check(integer_in(1, kMaxThreads));
  cmd->add_flag("--quiet", o->quiet, "No progress display");
  cmd->callback([o] { run(*o); });
}

} // namespace engram::cli
