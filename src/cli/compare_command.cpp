// `engram compare`: a grid of strategies x model presets x scenarios on one benchmark; one table,
// one JSON, plots.
#include <engram/cli/cl_options.h>
#include <engram/cli/commands.h>

#include <engram/cl/strategy_registry.h>
#include <engram/core/join.h>
#include <engram/data/benchmark.h>
#include <engram/io/atomic_file.h>
#include <engram/train/experiment.h>

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

namespace engram::cli {

namespace {
struct CompareOptions {
  std::string benchmark = "split-fmnist";
  std::string scenarios = "class,task";
  // The classic comparison, baselines first (the registry lists names sorted, not in this order;
  // each name is checked against it before anything runs).
  std::string strategies = "naive,joint,ewc,online-ewc,si,lwf,replay,agem,xdg";
  std::string presets = "models/mlp-2x400.json";
  std::vector<std::string>
      also; // "strategy@preset-file,...": runs added to the grid in every scenario
  std::string protocol = "quick";
  std::string out_dir = "results/compare";
  std::string data_dir;
  std::string augment = "none";
  std::vector<std::string> hp;
  int64_t iterations = 0;
  int64_t num_tasks = 0;
  uint64_t seed = 0;
  int threads = 0;
  bool resume = false;
  bool no_plot = false;
  bool quiet = false;
};

using StrategyOverrides = std::map<std::string, cl::OptionOverrides>;

// Per-strategy options: "ewc.lambda=100", each checked by the strategy registry.
StrategyOverrides parse_overrides(const std::vector<std::string>& hp) {
  StrategyOverrides overrides;
  for (const auto& h : hp) {
    const auto dot = h.find('.');
    TORCH_CHECK(dot != std::string::npos && dot > 0, "--hp: expected strategy.key=value, got '", h,
                "'");
    const std::string strategy = h.substr(0, dot);
    cl::parse_strategy_option(strategy, h.substr(dot + 1), overrides[strategy]);
  }
  return overrides;
}

// The runs of a compare: every (preset, strategy) pair in every scenario.
struct Grid {
  std::vector<models::Preset> presets;
  std::vector<std::string> scenarios;
  std::vector<std::pair<size_t, std::string>> runs; // (index into presets, strategy)
};

// The cross product of --presets and --strategies.
Grid make_grid(const CompareOptions& o) {
  Grid grid;
  for (const auto& p : split_list(o.presets))
    grid.presets.push_back(models::load_preset(locate(p)));
  grid.scenarios = split_list(o.scenarios);
  const auto strategies = split_list(o.strategies);
  TORCH_CHECK(!grid.presets.empty() && !grid.scenarios.empty() && !strategies.empty(),
              "compare: --presets, --scenarios and --strategies each need at least one entry");
  for (size_t p = 0; p < grid.presets.size(); ++p)
    for (const auto& strategy : strategies)
      grid.runs.emplace_back(p, strategy);
  return grid;
}

// The --also runs ("strategy@preset-file") not already in the grid, after it.
void add_also_runs(const std::vector<std::string>& also_lists, Grid& grid) {
  std::vector<std::string> also;
  for (const auto& list : also_lists)
    for (const auto& item : split_list(list))
      also.push_back(item);
  for (const auto& item : also) {
    const auto at = item.find('@');
    TORCH_CHECK(at != std::string::npos && at > 0 && at + 1 < item.size(),
                "--also: expected strategy@preset-file, got '", item, "'");
    const std::string strategy = item.substr(0, at);
    models::Preset preset = models::load_preset(locate(item.substr(at + 1)));
    size_t p = 0;
    while (p < grid.presets.size() && grid.presets[p].name != preset.name)
      ++p;
    if (p == grid.presets.size())
      grid.presets.push_back(std::move(preset));
    if (std::find(grid.runs.begin(), grid.runs.end(), std::make_pair(p, strategy)) ==
        grid.runs.end())
      grid.runs.emplace_back(p, strategy);
  }
}

train::ExperimentSpec make_spec(const CompareOptions& o, const StrategyOverrides& overrides,
                                const std::string& scenario, const models::Preset& preset,
                                const std::string& strategy) {
  namespace fs = std::filesystem;
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
  spec.augment = o.augment;
  spec.resume = o.resume;
  spec.progress = !o.quiet;
  spec.checkpoint = (fs::path(o.out_dir) / "checkpoints" /
                     (scenario + "-" + strategy + "-" + preset.name + ".ckpt"))
                        .string();
  return spec;
}

// Runs the grid scenario by scenario, rewriting `json_path` after every run.
std::vector<train::RunRecord> run_grid(const CompareOptions& o, const Grid& grid,
                                       const StrategyOverrides& overrides,
                                       const data::Dataset& dataset, const std::string& json_path) {
  std::vector<train::RunRecord> records;
  const size_t total = grid.scenarios.size() * grid.runs.size();
  size_t index = 0;
  for (const auto& scenario : grid.scenarios) {
    for (const auto& run : grid.runs) {
      const models::Preset& preset = grid.presets[run.first];
      const std::string& strategy = run.second;
      ++index;
      const train::ExperimentSpec spec = make_spec(o, overrides, scenario, preset, strategy);
      std::cerr << "[" << index << "/" << total << "] " << scenario << "-IL, " << strategy << ", "
                << preset.name << "\n";
      records.push_back(train::run_experiment(spec, dataset));
      io::write_file_atomically(json_path, train::records_to_json(records));
    }
  }
  return records;
}

// The table (printed and written to table.txt), where the files are, and the plots.
void report(const CompareOptions& o, const std::vector<train::RunRecord>& records,
            const std::string& json_path, double seconds) {
  namespace fs = std::filesystem;
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

void compare(const CompareOptions& o) {
  namespace fs = std::filesystem;
  if (o.threads > 0)
    at::set_num_threads(o.threads);
  const StrategyOverrides overrides = parse_overrides(o.hp);
  Grid grid = make_grid(o);
  add_also_runs(o.also, grid);
  for (const auto& run : grid.runs)
    cl::strategy_info(run.second);          // an unknown strategy fails before any run
  check_output_dir("--out-dir", o.out_dir); // before the data are read and anything trains
  const auto bench = data::parse_benchmark(o.benchmark);
  const data::Dataset dataset = data::load_benchmark_dataset(bench, o.data_dir, o.seed);

  const std::string json_path = (fs::path(o.out_dir) / "results.json").string();
  const auto start = std::chrono::steady_clock::now();
  const auto records = run_grid(o, grid, overrides, dataset, json_path);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report(o, records, json_path, seconds);
}
} // namespace

void add_compare_command(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand("compare",
                                 "Grid of strategies x model presets x scenarios on one benchmark");
  cmd->add_option("--benchmark", o->benchmark,
                  "split|permuted|rotated[-fmnist|-mnist|-cifar10|-cifar100|-synthetic]")
      ->capture_default_str();
  cmd->add_option("--scenarios", o->scenarios, "Comma-separated: task, domain, class")
      ->capture_default_str();
  const std::string strategy_help = "Comma-separated, of: " + join(cl::strategy_names());
  cmd->add_option("--strategies", o->strategies, strategy_help)->capture_default_str();
  cmd->add_option("--presets", o->presets, "Comma-separated model preset files")
      ->capture_default_str();
  cmd->add_option(
      "--also", o->also,
      "Comma-separated strategy@preset-file runs added to the grid in every scenario (repeatable)");
  cmd->add_option("--protocol", o->protocol, "quick | full")->capture_default_str();
  cmd->add_option("--iterations", o->iterations, "Iterations per task (overrides the protocol)")
      ->check(integer_in(1, kMaxIterations));
  cmd->add_option("--tasks", o->num_tasks, "Number of tasks")->check(integer_in(1, kMaxTasks));
  cmd->add_option("--seed", o->seed, "Seed")->check(unsigned_integer())->capture_default_str();
  cmd->add_option("--data-dir", o->data_dir,
                  "MNIST-format or CIFAR-format directory to use instead of the default");
  cmd->add_option("--augment", o->augment,
                  "Training augmentation: none | standard (4-pixel random crop + flip)")
      ->check(CLI::IsMember({"none", "standard"}))
      ->capture_default_str();
  cmd->add_option("--hp", o->hp, "strategy.key=value (repeatable), e.g. --hp ewc.lambda=5000");
  cmd->add_option("--out-dir", o->out_dir,
                  "Where results.json, table.txt, plots and checkpoints go")
      ->capture_default_str();
  cmd->add_flag("--resume", o->resume, "Reuse the checkpoints of an interrupted compare");
  cmd->add_option("--threads", o->threads, "Intra-op threads (default: LibTorch's)")
      ->check(integer_in(1, kMaxThreads));
  cmd->add_flag("--no-plot", o->no_plot, "Skip the PNG plots");
  cmd->add_flag("--quiet", o->quiet, "No progress display");
  cmd->callback([o] { compare(*o); });
}

} // namespace engram::cli
