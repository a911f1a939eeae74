// `engram compare`: a grid of strategies x model presets x scenarios on one benchmark; one table,
// one JSON, plots.
#include "cl_options.h"
#include "commands.h"

#include <engram/cl/strategy_registry.h>
#include <engram/data/benchmark.h>
#include <engram/io/atomic_file.h>
#include <engram/train/experiment.h>

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

namespace engram::cli {

namespace {
struct CompareOptions {
  std::string benchmark = "split-fmnist";
  std::string scenarios = "class,task";
  std::string strategies = "naive,joint,ewc,online-ewc,si,lwf,replay,agem,xdg";
  std::string presets = "models/mlp-2x400.json";
  std::vector<std::string>
      also; // "strategy@preset-file,...": runs added to the grid in every scenario
  std::string protocol = "quick";
  std::string out_dir = "results/compare";
  std::string data_dir;
  std::vector<std::string> hp;
  int64_t iterations = 0;
  int64_t num_tasks = 0;
  uint64_t seed = 0;
  int threads = 0;
  bool resume = false;
  bool no_plot = false;
  bool quiet = false;
};

void compare(const CompareOptions& o) {
  namespace fs = std::filesystem;
  if (o.threads > 0)
    at::set_num_threads(o.threads);
  // Per-strategy overrides: "ewc.lambda=100".
  std::map<std::string, cl::Hyperparameters> overrides;
  for (const auto& h : o.hp) {
    const auto dot = h.find('.');
    TORCH_CHECK(dot != std::string::npos && dot > 0, "--hp: expected strategy.key=value, got '", h,
                "'");
    parse_hyperparameter("--hp", h.substr(dot + 1), overrides[h.substr(0, dot)]);
  }
  std::vector<models::Preset> presets;
  for (const auto& p : split_list(o.presets))
    presets.push_back(models::load_preset(locate(p)));
  const auto scenarios = split_list(o.scenarios);
  const auto strategies = split_list(o.strategies);
  TORCH_CHECK(!presets.empty() && !scenarios.empty() && !strategies.empty(),
              "compare: --presets, --scenarios and --strategies each need at least one entry");
  // The grid's (preset, strategy) runs, then the --also runs not already in it.
  std::vector<std::pair<size_t, std::string>> runs;
  for (size_t p = 0; p < presets.size(); ++p)
    for (const auto& strategy : strategies)
      runs.emplace_back(p, strategy);
  std::vector<std::string> also;
  for (const auto& list : o.also)
    for (const auto& item : split_list(list))
      also.push_back(item);
  for (const auto& item : also) {
    const auto at = item.find('@');
    TORCH_CHECK(at != std::string::npos && at > 0 && at + 1 < item.size(),
                "--also: expected strategy@preset-file, got '", item, "'");
    const std::string strategy = item.substr(0, at);
    models::Preset preset = models::load_preset(locate(item.substr(at + 1)));
    size_t p = 0;
    while (p < presets.size() && presets[p].name != preset.name)
      ++p;
    if (p == presets.size())
      presets.push_back(std::move(preset));
    if (std::find(runs.begin(), runs.end(), std::make_pair(p, strategy)) == runs.end())
      runs.emplace_back(p, strategy);
  }
  const auto bench = data::parse_benchmark(o.benchmark);
  const data::Dataset dataset = data::load_benchmark_dataset(bench, o.data_dir, o.seed);

  fs::create_directories(o.out_dir);
  const std::string json_path = (fs::path(o.out_dir) / "results.json").string();
  const auto start = std::chrono::steady_clock::now();
  std::vector<train::RunRecord> records;
  const size_t total = scenarios.size() * runs.size();
  size_t index = 0;
  for (const auto& scenario : scenarios) {
    for (const auto& run : runs) {
      const models::Preset& preset = presets[run.first];
      const std::string& strategy = run.second;
      ++index;
      train::ExperimentSpec spec;
      spec.preset = preset;
      spec.benchmark = o.benchmark;
      spec.scenario = scenario;
      spec.strategy = strategy;
      if (auto it = overrides.find(strategy); it != overrides.end())
        spec.overrides = it->second;
      spec.protocol = o.protocol;
      spec.iterations = o.iterations;
      spec.num_tasks = o.num_tasks;
      spec.seed = o.seed;
      spec.data_dir = o.data_dir;
      spec.resume = o.resume;
      spec.progress = !o.quiet;
      spec.checkpoint = (fs::path(o.out_dir) / "checkpoints" /
                         (scenario + "-" + strategy + "-" + preset.name + ".ckpt"))
                            .string();
      std::cerr << "[" << index << "/" << total << "] " << scenario << "-IL, " << strategy << ", "
                << preset.name << "\n";
      records.push_back(train::run_experiment(spec, dataset));
      io::write_file_atomically(json_path, train::records_to_json(records));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string table = train::format_results_table(records);
  io::write_file_atomically((fs::path(o.out_dir) / "table.txt").string(), table);
  std::cout << "\n"
            << o.benchmark << " (" << o.protocol << " protocol, seed " << o.seed << ")\n"
            << table;
  std::cout << "results: " << json_path
            << "   table: " << (fs::path(o.out_dir) / "table.txt").string()
            << "   wall time: " << static_cast<long>(seconds) << " s\n";
  if (!o.no_plot) {
    std::string message;
    if (plot_results(json_path, o.out_dir, message))
      std::cout << "plots: " << message << "\n";
    else
      std::cerr << "engram compare: no plots: " << message << "\n";
  }
}
} // namespace

void add_compare_command(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand("compare",
                                 "Grid of strategies x model presets x scenarios on one benchmark");
  cmd->add_option("--benchmark", o->benchmark, "split|permuted|rotated[-fmnist|-mnist|-synthetic]")
      ->capture_default_str();
  cmd->add_option("--scenarios", o->scenarios, "Comma-separated: task, domain, class")
      ->capture_default_str();
  std::string strategy_help = "Comma-separated, of:";
  for (const auto& name : cl::strategy_names())
    strategy_help += " " + name;
  cmd->add_option("--strategies", o->strategies, strategy_help)->capture_default_str();
  cmd->add_option("--presets", o->presets, "Comma-separated model preset files")
      ->capture_default_str();
  cmd->add_option(
      "--also", o->also,
      "Comma-separated strategy@preset-file runs added to the grid in every scenario (repeatable)");
  cmd->add_option("--protocol", o->protocol, "quick | full")->capture_default_str();
  cmd->add_option("--iterations", o->iterations, "Iterations per task (overrides the protocol)");
  cmd->add_option("--tasks", o->num_tasks, "Number of tasks");
  cmd->add_option("--seed", o->seed, "Seed")->capture_default_str();
  cmd->add_option("--data-dir", o->data_dir,
                  "MNIST-format directory to use instead of the default");
  cmd->add_option("--hp", o->hp, "strategy.key=value (repeatable), e.g. --hp ewc.lambda=5000");
  cmd->add_option("--out-dir", o->out_dir,
                  "Where results.json, table.txt, plots and checkpoints go")
      ->capture_default_str();
  cmd->add_flag("--resume", o->resume, "Reuse the checkpoints of an interrupted compare");
  cmd->add_option("--threads", o->threads, "Intra-op threads (default: LibTorch's)");
  cmd->add_flag("--no-plot", o->no_plot, "Skip the PNG plots");
  cmd->add_flag("--quiet", o->quiet, "No progress display");
  cmd->callback([o] { compare(*o); });
}

} // namespace engram::cli
